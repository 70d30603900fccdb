#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Reads an answer of Prometheus' HTTP API on stdin.

usage: prometheus_answer.py value   < /api/v1/query: the value of the one sample (integers
                                      without a fraction); 'none' when there is no sample,
                                      'many' when there are several
       prometheus_answer.py rules   < /api/v1/rules: one line per rule,
                                      'GROUP NAME HEALTH LAST_ERROR'
"""
import json
import sys


def value(answer):
    result = answer["data"]["result"]
    if not result:
        return "none"
    if len(result) > 1:
        return "many"
    v = float(result[0]["value"][1])
    return str(int(v)) if v.is_integer() else repr(v)


def rules(answer):
    lines = []
    for group in answer["data"]["groups"]:
        for rule in group["rules"]:
            lines.append(" ".join([group["name"], rule["name"], rule.get("health", "?"),
                                   (rule.get("lastError") or "-").replace(" ", "_")]))
    return "\n".join(lines)


def main():
    answer = json.load(sys.stdin)
    if answer.get("status") != "success":
        print("error: " + str(answer.get("error")))
        sys.exit(1)
    print(value(answer) if sys.argv[1] == "value" else rules(answer))


if __name__ == "__main__":
    main()
