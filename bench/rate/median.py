#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The median run of bench/packet_rate.sh's repetitions: of the JSON lines on stdin (one
per run), prints the one whose FIELD is the median; with VERBOSE non-empty, every run's
FIELD in Mpps goes to stderr first. Standard library only.

usage: median.py FIELD VERBOSE < JSON lines
"""
import json
import sys


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: median.py FIELD VERBOSE < JSON lines")
    field, verbose = argv[1], argv[2]
    rows = sorted((json.loads(line) for line in sys.stdin if line.strip()), key=lambda r: r[field])
    if verbose:
        print("  %s: %s Mpps" % (field, " ".join("%.2f" % (r[field] / 1e6) for r in rows)),
              file=sys.stderr)
    print(json.dumps(rows[len(rows) // 2]))


if __name__ == "__main__":
    main(sys.argv)
