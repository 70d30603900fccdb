#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""JSON on stdin -> one "a.b.c=value" line per leaf (lists by index), so shell tests can
grep counters without knowing the nesting.

usage: json_flat.py < JSON
"""
import json
import sys


def walk(path, value):
    if isinstance(value, dict):
        for k, x in value.items():
            walk(f"{path}.{k}" if path else str(k), x)
    elif isinstance(value, list):
        for i, x in enumerate(value):
            walk(f"{path}.{i}" if path else str(i), x)
    else:
        print(f"{path}={value}")


if __name__ == "__main__":
    walk("", json.load(sys.stdin))
