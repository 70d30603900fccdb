#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""One result line of bench/packet_rate.sh: a scenario's baseline (testpmd) against sluice,
from the median runs' JSON (median.py). Standard library only.

usage: report.py pcap BASELINE SLUICE SCENARIO PCAP_PACKETS   replayed capture: Mpps, ratio,
                                                              ns per packet, new flows, busy
       report.py memif BASELINE SLUICE SCENARIO               memif generator: tx, rx and
                                                              forwarded of both
       report.py ext BASELINE SLUICE SCENARIO                 external generator on DEVICE
"""
import json
import sys

SYNFLOOD_ACKS = 32768  # established-flow ACKs per pass over synflood*.pcap


def report_pcap(base, res, name, per_pass):
    b, s = base["opackets"], res["tx_packets"]
    new = res["flow_new"] / res["rx_packets"] if res["rx_packets"] else 0
    drops = sum(v for k, v in res.items() if k.startswith("drops."))
    busy = res["busy_cycles"] / res["last.tsc_hz"]
    print("%-18s %12.2f %12.2f %8.3f %10.1f %9.3f %5.0f%%%s" % (name, b / 1e6, s / 1e6,
          s / b if b else 0, 1e9 / s if s else 0, new, 100 * busy,
          "  (drops %.0f/s)" % drops if drops else ""))
    if name.startswith("synflood"):
        passes = res["rx_packets"] / per_pass
        print("%-18s per pass over the capture (32768 ACKs + %d SYNs): established flows found"
              " in the table %.0f (table size %d); new-flow packets %.0f, of which refused"
              " (stateless) %.0f; flows moved to another backend %.0f/s"
              % ("", per_pass - SYNFLOOD_ACKS, res["flow_hits"] / passes, res["last.active_flows"],
                 res["flow_new"] / passes, res["flow_insert_failures"] / passes,
                 res["flow_rescheduled"]))


def report_memif(base, res, name):
    b, s = base["dut.ipackets"], res["sluice.forwarded"]
    print("%-18s testpmd: gen tx %6.2f rx %6.2f fwd %6.2f | sluice: gen tx %6.2f rx %6.2f fwd %6.2f"
          " | ratio %5.3f  sluice %5.1f ns/pkt, busy %3.0f%%, flow hits %.3f"
          % (name, base["gen.opackets"] / 1e6, base["dut.ipackets"] / 1e6, b / 1e6,
             res["gen.opackets"] / 1e6, res["dut.ipackets"] / 1e6, s / 1e6, s / b if b else 0,
             1e9 / s if s else 0, 100 * res["sluice.busy_cycles"] / res["sluice.last.tsc_hz"],
             res["sluice.flow_hits"] / s if s else 0))


def report_ext(base, res, name):
    b, s = base["port.opackets"], res["port.opackets"]

    def offered(r):
        return (r["port.ipackets"] + r.get("port.imissed", 0)) / 1e6

    print("%-18s %12.2f %12.2f %8.3f %10.1f %9s %5.0f%%  (offered: testpmd %.2f, sluice %.2f Mpps)"
          % (name, b / 1e6, s / 1e6, s / b if b else 0, 1e9 / s if s else 0, "-",
             100 * res["sluice.busy_cycles"] / res["sluice.last.tsc_hz"], offered(base), offered(res)))


def main(argv):
    kind, args = (argv[1], argv[2:]) if len(argv) > 1 else ("", [])
    if kind == "pcap" and len(args) == 4:
        report_pcap(json.loads(args[0]), json.loads(args[1]), args[2], int(args[3]))
    elif kind in ("memif", "ext") and len(args) == 3:
        report = report_memif if kind == "memif" else report_ext
        report(json.loads(args[0]), json.loads(args[1]), args[2])
    else:
        sys.exit(__doc__[__doc__.index("usage:"):].rstrip())


if __name__ == "__main__":
    main(sys.argv)
