#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The capture checks of tests/e2e/e2e_dsr_l2.sh, on the client's and sluice's bridge
ports:
  - every client->VIP segment went to sluice's MAC; every reply from the VIP came from a
    backend's MAC, never sluice's;
  - sluice sent exactly the client's segments to the VIP (each once, to a backend MAC,
    unchanged from the IP header on) plus ARP/ND, and nothing else.
Prints what it saw and up to 20 errors; exits 1 if there is any. Writes the counts the
telemetry check needs as shell assignments to CLIENT_PCAP.counts: client_to_vip,
to_web1, to_web2, lb_other (ARP/ND frames sluice sent), lb_rx (frames sluice received).

usage: dsr_l2_capture_check.py CLIENT_PCAP LB_PCAP VIP FAMILY MAC_CLIENT MAC_LB MAC_WEB1 MAC_WEB2
"""
import logging
import sys
from collections import Counter

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import ARP, IP, TCP, Ether, ICMPv6ND_NA, ICMPv6ND_NS, IPv6, raw, rdpcap  # noqa: E402


def main(argv):
    if len(argv) != 9:
        sys.exit("usage: dsr_l2_capture_check.py CLIENT_PCAP LB_PCAP VIP FAMILY "
                 "MAC_CLIENT MAC_LB MAC_WEB1 MAC_WEB2")
    client_pcap, lb_pcap, vip, fam, mac_client, mac_lb, mac_w1, mac_w2 = argv[1:]
    backends = {mac_w1: "web1", mac_w2: "web2"}
    L3 = IP if fam == "4" else IPv6
    errors = []

    def tcp_vip(p):
        return p.haslayer(L3) and p.haslayer(TCP) and (p[L3].dst == vip or p[L3].src == vip)

    def key(p):
        """The frame from the IP header on: what DSR-L2 must leave unchanged."""
        return raw(p[L3])

    # Client's port: client -> VIP must go to sluice's MAC, replies from the VIP must
    # come from a backend's MAC.
    to_vip, from_vip = [], Counter()
    for p in rdpcap(client_pcap):
        if not tcp_vip(p):
            continue
        if p[L3].dst == vip and p[Ether].src == mac_client:
            to_vip.append(p)
            if p[Ether].dst != mac_lb:
                errors.append(f"client->VIP segment sent to {p[Ether].dst}, not sluice {mac_lb}")
        elif p[L3].src == vip:
            who = backends.get(p[Ether].src)
            if who is None:
                errors.append(f"reply from the VIP with source MAC {p[Ether].src} "
                              f"({'sluice' if p[Ether].src == mac_lb else 'unknown'}), not a backend")
            from_vip[who] += 1
    print(f"client port: {len(to_vip)} segments client->VIP (all to sluice's MAC), "
          f"replies from the VIP by backend MAC: {dict(from_vip)}")
    if not to_vip or not from_vip:
        errors.append("capture on the client port saw no VIP traffic")
    if from_vip.get(mac_lb):
        errors.append("sluice itself sent replies from the VIP: not DSR")

    # sluice's port: what sluice transmitted.
    sent_tcp, other, lb_rx = [], Counter(), 0
    for p in rdpcap(lb_pcap):
        if p[Ether].src != mac_lb:
            lb_rx += 1
            continue
        if p.haslayer(TCP):
            sent_tcp.append(p)
            if not (p.haslayer(L3) and p[L3].dst == vip and p[TCP].dport == 80):
                errors.append(f"sluice sent a TCP segment that is not client->VIP:80: {p.summary()}")
            elif p[Ether].dst not in backends:
                errors.append(f"sluice sent a client->VIP segment to {p[Ether].dst}, not a backend MAC")
        elif p.haslayer(ARP) or p.haslayer(ICMPv6ND_NS) or p.haslayer(ICMPv6ND_NA):
            other["arp/nd"] += 1
        else:
            other[p.summary()] += 1
            errors.append(f"sluice sent an unexpected frame: {p.summary()}")
    per_backend = Counter(backends.get(p[Ether].dst) for p in sent_tcp)
    print(f"lb port: sluice sent {len(sent_tcp)} TCP segments ({dict(per_backend)}), other: {dict(other)}")

    # Exactly once each, unchanged from the IP header on.
    want, got = Counter(key(p) for p in to_vip), Counter(key(p) for p in sent_tcp)
    if want != got:
        missing = sum((want - got).values())
        extra = sum((got - want).values())
        errors.append(f"forwarded segments differ from the client's: {missing} not forwarded "
                      f"(or altered), {extra} extra")
    else:
        print(f"all {len(to_vip)} client->VIP segments forwarded exactly once, IP packet unchanged")
    with open(client_pcap + ".counts", "w") as f:
        f.write(f"client_to_vip={len(to_vip)}\n")
        for b in ("web1", "web2"):
            f.write(f"to_{b}={per_backend.get(b, 0)}\n")
        f.write(f"lb_other={sum(other.values())}\n")
        f.write(f"lb_rx={lb_rx}\n")
    for e in errors[:20]:
        print("ERROR:", e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main(sys.argv)
