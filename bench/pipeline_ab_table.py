#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The table of bench/pipeline_ab.sh: per benchmark, the least-disturbed sample and the
median of pipeline_ns (ns per packet) of the base and the new binary, from the Google
Benchmark JSON files DIR/base.*.json and DIR/new.*.json. Standard library only.

usage: pipeline_ab_table.py DIR
"""
import glob
import json
import statistics
import sys


def samples(directory):
    """{benchmark: {"base": [pipeline_ns...], "new": [...]}} of every iteration run."""
    out = {}
    for side in ("base", "new"):
        for path in sorted(glob.glob(f"{directory}/{side}.*.json")):
            with open(path) as f:
                benchmarks = json.load(f)["benchmarks"]
            for b in benchmarks:
                if b.get("run_type") == "iteration":
                    name = b["run_name"].split("/min_time")[0]
                    out.setdefault(name, {}).setdefault(side, []).append(b["pipeline_ns"])
    return out


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: pipeline_ab_table.py DIR")
    by_name = samples(argv[1])
    print(f"{'pipeline ns per packet, min / median':44} {'base':>15} {'new':>15}   n")
    for name, s in by_name.items():
        b, n = s.get("base", []), s.get("new", [])
        if not b or not n:
            continue
        print(f"{name:44} {min(b):6.1f} / {statistics.median(b):5.1f} "
              f"{min(n):6.1f} / {statistics.median(n):5.1f}   {len(b)}")


if __name__ == "__main__":
    main(sys.argv)
