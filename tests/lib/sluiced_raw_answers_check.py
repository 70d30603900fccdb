#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Checks what sluiced's runtime socket answered to seven malformed or unknown command
lines followed by `show info` (tests/e2e/e2e_sluiced.sh): each of the seven answers is
exactly one error line, and the eighth is show info's. Answers end with a blank line.
Prints a line per answer; exits 1 if any is wrong.

usage: sluiced_raw_answers_check.py ANSWERS_FILE
"""
import sys

MALFORMED = 7
ERROR_PREFIXES = ("Error: ", "Usage: ", "Unknown command", "Permission denied")


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: sluiced_raw_answers_check.py ANSWERS_FILE")
    with open(argv[1], "rb") as f:
        text = f.read().decode("utf-8", "replace")
    answers = text.split("\n\n")
    bad = 0
    for i, a in enumerate(answers[:MALFORMED]):
        lines = a.split("\n")
        good = len(lines) == 1 and lines[0].startswith(ERROR_PREFIXES)
        bad += not good
        print(f"    answer {i + 1}: {'ok' if good else 'BAD'}: {a[:100]!r}")
    info = answers[MALFORMED] if len(answers) > MALFORMED else ""
    if "dataplane_connected" not in info:
        print(f"    last answer is not show info: {info[:200]!r}")
        bad += 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main(sys.argv)
