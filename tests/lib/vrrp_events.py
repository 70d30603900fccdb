#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A capture of VRRP and ARP (pcap, micro- or nanosecond stamps) as one event per line,
in capture order:

  TIME A SRC_IP PRIORITY INTERVAL_CS SRC_MAC   a VRRPv3 advert
  TIME G SRC_MAC IP                            a gratuitous ARP (sender = target IP)
  TIME R SRC_MAC IP                            an ARP reply saying IP is at SRC_MAC

TIME is the capture's wall-clock time. A partly written last packet is ignored (the
capture may still be running). Standard library only.

usage: vrrp_events.py PCAP
"""
import struct
import sys

LITTLE_ENDIAN_MAGIC = (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")
NANOSECOND_MAGIC = (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_ARP = 0x0806
IPPROTO_VRRP = 112
ARP_REPLY = 2


def mac(b):
    return ":".join(f"{x:02x}" for x in b)


def ip4(b):
    return ".".join(str(x) for x in b)


def frames(data):
    """(time, frame) of every complete record of the pcap file contents `data`."""
    if len(data) < 24:
        return
    magic = data[:4]
    endian = "<" if magic in LITTLE_ENDIAN_MAGIC else ">"
    per_second = 1e9 if magic in NANOSECOND_MAGIC else 1e6
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        if off + caplen > len(data):
            break
        yield sec + frac / per_second, data[off:off + caplen]
        off += caplen


def event(t, f):
    """The event line of frame f captured at time t, or None."""
    if len(f) < 14:
        return None
    etype = struct.unpack("!H", f[12:14])[0]
    if etype == ETHERTYPE_IPV4 and len(f) >= 34 and f[23] == IPPROTO_VRRP:
        ihl = (f[14] & 15) * 4
        v = f[14 + ihl:]
        if len(v) >= 8:
            interval_cs = struct.unpack("!H", v[4:6])[0] & 0x0FFF
            return f"{t:.6f} A {ip4(f[26:30])} {v[2]} {interval_cs} {mac(f[6:12])}"
    elif etype == ETHERTYPE_ARP and len(f) >= 42:
        op = struct.unpack("!H", f[20:22])[0]
        sha, spa, tpa = f[22:28], f[28:32], f[38:42]
        if spa == tpa:
            return f"{t:.6f} G {mac(sha)} {ip4(spa)}"
        if op == ARP_REPLY:
            return f"{t:.6f} R {mac(sha)} {ip4(spa)}"
    return None


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: vrrp_events.py PCAP")
    with open(argv[1], "rb") as capture:
        data = capture.read()
    for t, f in frames(data):
        line = event(t, f)
        if line is not None:
            print(line)


if __name__ == "__main__":
    main(sys.argv)
