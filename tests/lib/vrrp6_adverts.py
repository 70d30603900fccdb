#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The IPv6 VRRP adverts of a capture, one line each:
SRC DST HOP_LIMIT VERSION VRID PRIORITY.

usage: vrrp6_adverts.py PCAP
"""
import sys

from scapy.all import IPv6, rdpcap


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: vrrp6_adverts.py PCAP")
    for p in rdpcap(argv[1]):
        ip = p[IPv6]
        v = bytes(ip.payload)
        print(ip.src, ip.dst, ip.hlim, v[0] >> 4, v[1], v[2])


if __name__ == "__main__":
    main(sys.argv)
