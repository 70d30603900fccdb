#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""One value out of a DPDK telemetry reply of sluice-dataplane, read from stdin.

usage: telemetry_answer.py vips                 < /sluice/vips reply: the VIP names, one a line
       telemetry_answer.py backend-state KEY    < /sluice/backends,VIP reply: the state of
                                                  backend KEY (its address, . and : as _),
                                                  "absent" if there is none
       telemetry_answer.py port-drops           < /ethdev/stats,N reply: frames the port
                                                  lost (imissed + rx_nombuf + oerrors)
A reply without the expected command (the dataplane has not registered it yet) fails.
"""
import argparse
import json
import sys


def vips(reply):
    for name in reply["/sluice/vips"]:
        print(name)


def backend_state(reply, key):
    backends = reply["/sluice/backends"] or {}
    print(backends.get(key, {}).get("state", "absent"))


def port_drops(reply):
    s = reply["/ethdev/stats"]
    print(s.get("imissed", 0) + s.get("rx_nombuf", 0) + s.get("oerrors", 0))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("vips")
    sub.add_parser("backend-state").add_argument("key")
    sub.add_parser("port-drops")
    args = parser.parse_args()
    reply = json.load(sys.stdin)
    if args.what == "vips":
        vips(reply)
    elif args.what == "backend-state":
        backend_state(reply, args.key)
    else:
        port_drops(reply)


if __name__ == "__main__":
    main()
