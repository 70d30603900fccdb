#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Where every frame went, for the soak (tests/e2e/e2e_soak.sh): the dataplane's own
identity and the kernel's view of its veth.

usage: soak_accounting.py same SNAP_A SNAP_B
           exit 0 when the two snapshots' packet counters are equal (a quiet moment)
       soak_accounting.py check SNAP_BEFORE SNAP_AFTER DATAPLANE_LOG
                          --wire-neighbor-answers N [--summary FILE]
           print the accounts; exit 1 when one does not add up exactly

A snapshot is {"stats": the /sluice/stats reply, "ethdev": the /ethdev/stats,0 reply,
"link": `ip -s -j link show eth0` in the lb namespace}, taken while nothing moves.
DATAPLANE_LOG: its "final counters:" exit summary is checked the same way (exact: the
workers have stopped). --wire-neighbor-answers: the ARP replies and neighbor
advertisements to the dataplane's addresses tcpdump saw on their way to it, counted
between the two reads of SNAP_AFTER.

The identity (dataplane/pipeline/counters.h, read through counter_table.py): every frame
a worker receives (rx_packets) ends in exactly one counter of role kOutcome, a worker
counter or a drop reason; the kAfterOutcome drops (tx_full, to_host_full,
host_unhandled) count frames whose outcome is already counted. With one worker and
nothing in flight the sums are equal, exactly.
Port level: ethdev ipackets = rx_packets (a frame dropped before the pipeline, over_mtu,
multi_segment, handoff_full, is counted in rx_packets too); opackets = tx_packets.
Kernel level, between the two snapshots: af_packet's socket sees every frame the veth
receives and every frame the lb kernel itself sends (health checks, its ARP), but not the
dataplane's own; so  rx + (tx - opackets) = ipackets + the port's kernel_drops (frames
af_packet's RX ring had no room for, which the dataplane reads from PACKET_STATISTICS).
"""
import argparse
import json
import re
import sys

import counter_table
from check_report import Report

# Outcomes that transmit the received frame (for the count of the main lcore's own).
TRANSMITTED = ("forwarded", "arp_replies", "nd_replies", "echo_replies", "too_big_replies")
OUTCOME_COUNTERS, OUTCOME_DROPS = counter_table.outcomes()


def load(path):
    with open(path) as f:
        return json.load(f)


def stats_of(snap):
    s = dict(snap["stats"]["/sluice/stats"])
    drops = s.pop("drops")
    return s, drops


def link_of(snap):
    return snap["link"][0]["stats64"]


def kernel_drops(s):
    """The kernel_drops of every port (the soak has one, lan0)."""
    return sum(v for k, v in s.items() if re.fullmatch(r"port_.+_kernel_drops", k))


def key_counters(snap):
    s, drops = stats_of(snap)
    e = snap["ethdev"]["/ethdev/stats"]
    link = link_of(snap)
    return [s["rx_packets"], s["tx_packets"], e["ipackets"], e["opackets"],
            link["rx"]["packets"], link["tx"]["packets"], sum(drops.values()), kernel_drops(s)]


def exit_summary(path):
    """The counters of the dataplane's "final counters:" block, drops as {reason: n}."""
    counters, drops, inside = {}, {}, False
    with open(path) as f:
        for line in f:
            if line.startswith("final counters:"):
                inside, counters, drops = True, {}, {}
                continue
            m = re.fullmatch(r"([a-z0-9_]+) (\d+)\n?", line)
            if not inside or not m:
                continue
            name, value = m.group(1), int(m.group(2))
            if name.startswith("drop_"):
                drops[name[len("drop_"):]] = value
            else:
                counters[name] = value
    return (counters, drops) if counters else (None, None)


def identity(name, s, drops, report):
    diff = s["rx_packets"] - counter_table.outcome_sum(s, drops)
    outcomes = {k: s[k] for k in OUTCOME_COUNTERS}
    outcomes.update({f"drop_{k}": drops[k] for k in OUTCOME_DROPS})
    after = {k: v for k, v in drops.items() if k not in OUTCOME_DROPS and v}
    report.note(f"{name}: rx_packets {s['rx_packets']}, outcomes "
                f"{ {k: v for k, v in outcomes.items() if v} }; after an outcome {after}")
    report.check(diff == 0, f"{name}: every received frame in exactly one outcome "
                            f"(rx_packets = the sum of counters.h's kOutcome counters)",
                 [f"rx_packets - outcomes = {diff}"])
    return diff


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="what", required=True)
    same = sub.add_parser("same")
    same.add_argument("a")
    same.add_argument("b")
    check = sub.add_parser("check")
    check.add_argument("before")
    check.add_argument("after")
    check.add_argument("dataplane_log")
    check.add_argument("--wire-neighbor-answers", type=int, required=True)
    check.add_argument("--summary", default="", help="file to append the summary line to")
    a = p.parse_args()

    if a.what == "same":
        sys.exit(0 if key_counters(load(a.a)) == key_counters(load(a.b)) else 1)

    before, after = load(a.before), load(a.after)
    report = Report()
    s, drops = stats_of(after)
    diff = identity("telemetry at the end", s, drops, report)
    final, final_drops = exit_summary(a.dataplane_log)
    if final is None:
        report.check(False, "the dataplane printed its exit summary", [])
    else:
        identity("exit summary", final, final_drops, report)

    # An answer on the wire is in neighbor_answers, or lost in af_packet's ring.
    answers, lost_total = s["neighbor_answers"], kernel_drops(s)
    report.check(answers <= a.wire_neighbor_answers <= answers + lost_total,
                 f"neighbor_answers {answers} = the {a.wire_neighbor_answers} answers to the "
                 f"dataplane's solicitations on the wire (tcpdump), less at most the "
                 f"{lost_total} frames af_packet's ring dropped",
                 [f"wire - neighbor_answers = {a.wire_neighbor_answers - answers}"])

    e = after["ethdev"]["/ethdev/stats"]
    report.check(e["ipackets"] == s["rx_packets"],
                 f"port: ethdev ipackets {e['ipackets']} = rx_packets {s['rx_packets']}",
                 [f"difference {e['ipackets'] - s['rx_packets']}"])
    report.check(e["opackets"] == s["tx_packets"],
                 f"port: ethdev opackets {e['opackets']} = tx_packets {s['tx_packets']}",
                 [f"difference {e['opackets'] - s['tx_packets']}"])
    own = s["tx_packets"] + drops["tx_full"] - sum(s[k] for k in TRANSMITTED)
    port_losses = {k: v for k, v in s.items() if k.startswith("port_") and v}
    report.note(f"frames the main lcore sent through the workers (solicitations, "
                f"announcements): {own}; port losses {port_losses}")
    report.check(own >= 0, "tx_packets covers every transmitted outcome",
                 [f"tx_packets + tx_full is {-own} short of the transmitted outcomes"])

    def delta(f):
        return f(after) - f(before)

    rx = delta(lambda x: link_of(x)["rx"]["packets"])
    tx = delta(lambda x: link_of(x)["tx"]["packets"])
    ipk = delta(lambda x: x["ethdev"]["/ethdev/stats"]["ipackets"])
    opk = delta(lambda x: x["ethdev"]["/ethdev/stats"]["opackets"])
    lost = delta(lambda x: kernel_drops(stats_of(x)[0]))
    seen = rx + (tx - opk)
    report.note(f"kernel veth during the soak: rx {rx}, tx {tx} of which the dataplane's "
                f"{opk}, the lb kernel's {tx - opk}; dataplane ipackets {ipk}, kernel_drops "
                f"{lost} ({100.0 * lost / max(seen, 1):.2f}% of {seen} frames)")
    report.check(seen == ipk + lost,
                 f"kernel: rx + lb kernel's tx ({seen}) = dataplane ipackets + kernel_drops "
                 f"({ipk} + {lost})", [f"difference {seen - ipk - lost}"])
    report.summary("loss", f"rx_packets {s['rx_packets']}, {diff} of them in no outcome "
                           f"(neighbor_answers {answers}, {a.wire_neighbor_answers} on the "
                           f"wire); kernel rx + lb kernel tx {seen} = ipackets {ipk} + "
                           f"kernel_drops {lost}")
    sys.exit(report.finish("accounting", a.summary))


if __name__ == "__main__":
    main()
