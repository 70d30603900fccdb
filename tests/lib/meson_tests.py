#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""What scripts/test.sh needs from meson's test records.

usage: meson_tests.py counts TESTLOG   meson-logs/testlog.json (a JSON object per test) ->
                                       "PASSED FAILED SKIPPED NAME..." where each NAME is
                                       meson:<test>(<result>) of a failed test
       meson_tests.py e2e-scripts      `meson introspect --tests` on stdin -> the file
                                       names of the tests/e2e scripts meson runs, one a line
"""
import argparse
import json
import sys

PASSED = ("OK", "EXPECTEDFAIL")
SKIPPED = "SKIP"


def counts(testlog):
    ok, bad, skip, names = 0, 0, 0, []
    with open(testlog) as log:
        for line in log:
            if not line.strip():
                continue
            t = json.loads(line)
            r = t.get("result", "")
            if r in PASSED:
                ok += 1
            elif r == SKIPPED:
                skip += 1
            else:
                bad += 1
                names.append(f"meson:{t.get('name')}({r})")
    print(ok, bad, skip, " ".join(names))


def e2e_scripts(tests):
    for t in tests:
        for a in t.get("cmd", []):
            if "/tests/e2e/" in a:
                print(a.rsplit("/", 1)[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("counts").add_argument("testlog")
    sub.add_parser("e2e-scripts")
    args = parser.parse_args()
    if args.what == "counts":
        counts(args.testlog)
    else:
        e2e_scripts(json.load(sys.stdin))


if __name__ == "__main__":
    main()
