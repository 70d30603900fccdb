#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""One value out of a `sluicectl --json` answer, read from stdin. None prints as an empty
line, booleans as true/false.

usage: sluicectl_answer.py ha-state INSTANCE      < show ha: INSTANCE's state, upper case
                                                    (nothing if there is no such instance)
       sluicectl_answer.py info FIELD             < show info: FIELD
       sluicectl_answer.py backend ADDRESS FIELD  < show backends VIP: FIELD of the backend
                                                    at ADDRESS
"""
import argparse
import json
import sys


def shell_text(value):
    if value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else value


def ha_state(answer, instance):
    if isinstance(answer, list):
        items = answer
    else:
        items = answer.get("instances", answer.get("vrrp", [answer]))
    for i in items:
        if isinstance(i, dict) and i.get("name") == instance and "state" in i:
            print(str(i["state"]).upper())
            break


def backend_field(answer, address, field):
    return next((b[field] for b in answer["backends"] if b["address"] == address), None)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("ha-state").add_argument("instance")
    sub.add_parser("info").add_argument("field")
    backend = sub.add_parser("backend")
    backend.add_argument("address")
    backend.add_argument("field")
    args = parser.parse_args()
    answer = json.load(sys.stdin)
    if args.what == "ha-state":
        ha_state(answer, args.instance)
    elif args.what == "info":
        print(shell_text(answer[args.field]))
    else:
        print(shell_text(backend_field(answer, args.address, args.field)))


if __name__ == "__main__":
    main()
