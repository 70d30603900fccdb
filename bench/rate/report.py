#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The table of bench/packet_rate.sh: per scenario, the three dpdk-testpmd baselines (io,
5tswap, macswap) and sluice, from the median runs' JSON (median.py), with sluice's ratios
to io and to 5tswap. Standard library only.

usage: report.py header
       report.py pcap|memif|ext IO 5TSWAP MACSWAP SLUICE SCENARIO PCAP_PACKETS
                                   one scenario (PCAP_PACKETS: packets per pass, pcap only)
       report.py gen|gen-null TXONLY PKTGEN
                                   the two generators' TX rates into the same memif sink
                                   (gen) or on net_null (gen-null)
"""
import json
import sys

SYNFLOOD_ACKS = 32768  # established-flow ACKs per pass over synflood*.pcap
HEADER = "%-20s %8s %8s %8s %8s %6s %8s %9s %9s %5s" % (
    "scenario", "io", "5tswap", "macswap", "sluice", "x_io", "x_5tswap", "sluice_ns", "new_flows",
    "busy")

# The field each DUT's rate is read from, and sluice's counters' prefix, per kind.
BASELINE_RATE = {"pcap": "opackets", "memif": "dut.opackets", "ext": "port.opackets"}
SLUICE_RATE = {"pcap": "tx_packets", "memif": "dut.opackets", "ext": "port.opackets"}
SLUICE_PREFIX = {"pcap": "", "memif": "sluice.", "ext": "sluice."}


def line(kind, io, tswap, macswap, res, name):
    rate = BASELINE_RATE[kind]
    b_io, b_5t, b_mac, s = io[rate], tswap[rate], macswap[rate], res[SLUICE_RATE[kind]]
    p = SLUICE_PREFIX[kind]
    rx = res.get(p + "rx_packets", 0)
    new = "%9.3f" % (res[p + "flow_new"] / rx) if rx and p + "flow_new" in res else "%9s" % "-"
    busy = res[p + "busy_cycles"] / res[p + "last.tsc_hz"]
    drops = sum(v for k, v in res.items() if k.startswith(p + "drops."))
    print("%-20s %8.2f %8.2f %8.2f %8.2f %6.3f %8.3f %9.1f %s %4.0f%%%s" % (
        name, b_io / 1e6, b_5t / 1e6, b_mac / 1e6, s / 1e6, s / b_io if b_io else 0,
        s / b_5t if b_5t else 0, 1e9 / s if s else 0, new, 100 * busy,
        "  (drops %.0f/s)" % drops if drops else ""))


def report_pcap(io, tswap, macswap, res, name, per_pass):
    line("pcap", io, tswap, macswap, res, name)
    if name.startswith("synflood"):
        passes = res["rx_packets"] / per_pass
        print("%-20s per pass over the capture (32768 ACKs + %d SYNs): established flows found"
              " in the table %.0f (table size %d); new-flow packets %.0f, of which refused"
              " (stateless) %.0f; flows moved to another backend %.0f/s"
              % ("", per_pass - SYNFLOOD_ACKS, res["flow_hits"] / passes, res["last.active_flows"],
                 res["flow_new"] / passes, res["flow_insert_failures"] / passes,
                 res["flow_rescheduled"]))


def report_memif(io, tswap, macswap, res, name):
    line("memif", io, tswap, macswap, res, name)
    print("%-20s sluice-pktgen sent %.2f / %.2f / %.2f / %.2f Mpps (io / 5tswap / macswap /"
          " sluice runs), received back %.2f in sluice's run" % (
              "", io["gen.opackets"] / 1e6, tswap["gen.opackets"] / 1e6,
              macswap["gen.opackets"] / 1e6, res["gen.opackets"] / 1e6, res["gen.ipackets"] / 1e6))


def report_ext(io, tswap, macswap, res, name):
    line("ext", io, tswap, macswap, res, name)

    def offered(r):
        return (r["port.ipackets"] + r.get("port.imissed", 0)) / 1e6

    print("%-20s offered: testpmd io %.2f, sluice %.2f Mpps" % ("", offered(io), offered(res)))


def report_gen(name, txonly, pktgen):
    prefix = "gen." if name == "gen" else ""
    t, p = txonly[prefix + "opackets"], pktgen[prefix + "opackets"]
    sink = ("; the rxonly sink received %.2f / %.2f" % (
        txonly["dut.ipackets"] / 1e6, pktgen["dut.ipackets"] / 1e6)) if prefix else ""
    print("%-20s testpmd txonly %.2f Mpps (256 flows), sluice-pktgen %.2f Mpps (65,536 flows):"
          " %.3fx%s" % (name, t / 1e6, p / 1e6, p / t if t else 0, sink))


def main(argv):
    kind, args = (argv[1], argv[2:]) if len(argv) > 1 else ("", [])
    if kind == "header" and not args:
        print(HEADER + "   (Mpps; x_: sluice's ratio)")
    elif kind in ("pcap", "memif", "ext") and len(args) == 6:
        runs = [json.loads(a) for a in args[:4]]
        if kind == "pcap":
            report_pcap(*runs, args[4], int(args[5]))
        else:
            (report_memif if kind == "memif" else report_ext)(*runs, args[4])
    elif kind in ("gen", "gen-null") and len(args) == 2:
        report_gen(kind, json.loads(args[0]), json.loads(args[1]))
    else:
        sys.exit(__doc__[__doc__.index("usage:"):].rstrip())


if __name__ == "__main__":
    main(sys.argv)
