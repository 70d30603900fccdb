#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The demo's account of sluice's counters from three telemetry replies: the non-zero
counters and drops, each VIP's packets and new flows, and the same for www's backends.

usage: telemetry_summary.py STATS_REPLY VIPS_REPLY BACKENDS_REPLY
       (the replies to /sluice/stats, /sluice/vips and /sluice/backends,www)
"""
import json
import sys


def value(reply):
    """The value of a telemetry reply, whatever its command."""
    return next(iter(json.loads(reply).values()))


def print_nonzero(counters):
    for k, v in counters.items():
        if v:
            print(f"      {k:<22} {v}")


def main(argv):
    if len(argv) != 4:
        sys.exit("usage: telemetry_summary.py STATS_REPLY VIPS_REPLY BACKENDS_REPLY")
    stats, vips, backends = (value(a) for a in argv[1:4])
    drops = stats.pop("drops", {})
    print("    counters (non-zero):")
    print_nonzero(stats)
    print("    drops (non-zero):" + ("" if any(drops.values()) else " none"))
    print_nonzero(drops)
    print("    per VIP:")
    for name, v in vips.items():
        print(f"      {name:<6} {v['address']}:{v['port']}/{v['protocol']} {v['mode']:<7}"
              f" packets {v['packets']:<5} new flows {v['new_flows']}")
    print("    backends of www:")
    for addr, b in backends.items():
        print(f"      {addr.replace('_', '.'):<14} {b['state']:<6} mac {b['next_hop_mac']}"
              f"  packets {b['packets']:<5} new flows {b['new_flows']}")


if __name__ == "__main__":
    main(sys.argv)
