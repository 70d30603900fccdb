#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The capture checks of tests/e2e/e2e_ipip_gue.sh, on the client's and sluice's bridge
ports over the whole run:
  - every reply from a VIP reaching the client came from a backend's MAC (direct server
    return), and both backends answered;
  - sluice sent tunnel packets only (IPIP, GUE to port 6080 or 7000) besides ARP/ND,
    and some of each kind.
Prints what it saw and up to 20 errors; exits 1 if there is any.

usage: ipip_gue_capture_check.py CLIENT_PCAP LB_PCAP VIP4 VIP6 MAC_LB MAC_WEB1 MAC_WEB2
"""
import logging
import sys
from collections import Counter

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, TCP, UDP, Ether, IPv6, rdpcap  # noqa: E402

IPPROTO_IPIP = 4
IPPROTO_IPV6 = 41
IPPROTO_UDP = 17
IPPROTO_ICMPV6 = 58
GUE_PORTS = (6080, 7000)


def l3(p):
    """The outermost IP header, or None."""
    ip = p[Ether].payload
    return ip if isinstance(ip, (IP, IPv6)) else None


def main(argv):
    if len(argv) != 8:
        sys.exit("usage: ipip_gue_capture_check.py CLIENT_PCAP LB_PCAP VIP4 VIP6 "
                 "MAC_LB MAC_WEB1 MAC_WEB2")
    client_pcap, lb_pcap, vip4, vip6, mac_lb, mac_w1, mac_w2 = argv[1:]
    backends = {mac_w1: "web1", mac_w2: "web2"}
    errors = []

    replies = Counter()
    for p in rdpcap(client_pcap):
        ip = l3(p)
        if ip is None or not p.haslayer(TCP) or ip.src not in (vip4, vip6):
            continue
        who = backends.get(p[Ether].src)
        if who is None:
            errors.append(f"reply from the VIP with source MAC {p[Ether].src}, not a backend's")
        replies[who] += 1
    print(f"client port: TCP segments from the VIPs by sender: {dict(replies)}")
    if not replies.get("web1") or not replies.get("web2"):
        errors.append("not both backends answered the client directly")

    kinds = Counter()
    for p in rdpcap(lb_pcap):
        if p[Ether].src != mac_lb:
            continue
        ip = l3(p)
        if ip is None:
            kinds["arp"] += 1
            continue
        proto = ip.proto if isinstance(ip, IP) else ip.nh
        if proto in (IPPROTO_IPIP, IPPROTO_IPV6):
            kinds["ipip"] += 1
        elif proto == IPPROTO_UDP and ip[UDP].dport in GUE_PORTS:
            kinds[f"gue:{ip[UDP].dport}"] += 1
        elif proto == IPPROTO_ICMPV6:
            kinds["icmpv6 (nd)"] += 1
        else:
            kinds["other"] += 1
            errors.append(f"sluice sent something other than a tunnel packet or ARP/ND: {p.summary()}")
    print(f"lb port: frames sluice sent: {dict(kinds)}")
    for k in ("ipip", "gue:6080", "gue:7000"):
        if not kinds.get(k):
            errors.append(f"sluice sent no {k} packets")
    for e in errors[:20]:
        print("ERROR:", e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main(sys.argv)
