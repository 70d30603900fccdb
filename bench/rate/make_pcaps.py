#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Writes the capture files bench/packet_rate.sh replays.

  est4.pcap / est6.pcap  65536 TCP ACKs of distinct clients to the VIP, in random order:
                         one packet per established flow per pass over the file.
  syn4.pcap / syn6.pcap  262144 SYNs of distinct clients: new flows.
  synflood4.pcap,        32768 TCP ACKs of distinct clients (established flows), then
  synflood6.pcap         262144 SYNs of other clients: replayed in a loop, the ACKs keep
                         their flows alive while the SYNs flood the table they fill.
  est1m4.pcap,           1048576 TCP ACKs of distinct clients: a million active flows.
  est1m6.pcap

Frames are Ethernet to the sluice port's MAC (02:00:00:00:00:10), IPv4 to 10.0.0.100:80
or IPv6 to [fd00::100]:80, TCP without options (60 and 74 bytes). scapy builds one
template per file; the client address, port and both checksums are then patched per
packet, which is what makes a quarter of a million packets take seconds, not minutes.

Usage: make_pcaps.py OUTDIR   (files already there are kept)
"""
import os
import random
import struct
import sys

from scapy.all import IP, TCP, Ether, IPv6, raw

PORT_MAC = "02:00:00:00:00:10"
CLIENT_MAC = "02:00:00:00:00:01"
SIZES = {"est": 1 << 16, "syn": 1 << 18}


def csum_add(total, data):
    if len(data) % 2:
        data += b"\0"
    total += sum(struct.unpack("!%dH" % (len(data) // 2), data))
    return total


def fold(total):
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def template(v6, flags):
    eth = Ether(dst=PORT_MAC, src=CLIENT_MAC)
    tcp = TCP(sport=1, dport=80, flags=flags, seq=1000, ack=2000 if "A" in flags else 0,
              window=65535)
    if v6:
        pkt = eth / IPv6(src="2001:db8:100::", dst="fd00::100", hlim=64) / tcp
    else:
        pkt = eth / IP(src="11.0.0.0", dst="10.0.0.100", ttl=64, flags="DF", id=0) / tcp
    frame = bytearray(raw(pkt))
    while len(frame) < 60:
        frame.append(0)
    return frame


def write(path, v6, parts):
    """parts: [(tcp flags, packet count)], written one after the other."""
    rng = random.Random(7 if v6 else 4)
    # distinct (address, port) pairs over the whole file
    clients = rng.sample(range(65536 * 64512), sum(count for _, count in parts))
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        start = 0
        for flags, count in parts:
            write_frames(f, v6, flags, clients[start:start + count])
            start += count
    os.replace(path + ".tmp", path)


def write_frames(f, v6, flags, clients):
    frame = template(v6, flags)
    l3 = 14
    l4 = l3 + (40 if v6 else 20)
    src_off = l3 + (8 if v6 else 12)
    src_len = 16 if v6 else 4
    dst = frame[l3 + 24:l3 + 40] if v6 else frame[l3 + 16:l3 + 20]
    tcp_len = 20
    for c in clients:
        src = bytearray(frame[src_off:src_off + src_len])
        src[-2:] = struct.pack("!H", c // 64512)  # 16 bits of address ...
        port = 1024 + c % 64512                     # ... and a port 1024-65535
        frame[src_off:src_off + src_len] = src
        frame[l4:l4 + 2] = struct.pack("!H", port)
        if not v6:
            frame[l3 + 10:l3 + 12] = b"\0\0"
            frame[l3 + 10:l3 + 12] = struct.pack("!H", 0xFFFF ^ fold(csum_add(0, bytes(frame[l3:l4]))))
        frame[l4 + 16:l4 + 18] = b"\0\0"
        pseudo = bytes(src) + bytes(dst) + struct.pack("!HH", 6, tcp_len) if not v6 else \
            bytes(src) + bytes(dst) + struct.pack("!IxxxB", tcp_len, 6)
        total = csum_add(csum_add(0, pseudo), bytes(frame[l4:l4 + tcp_len]))
        frame[l4 + 16:l4 + 18] = struct.pack("!H", 0xFFFF ^ fold(total))
        f.write(struct.pack("<IIII", 0, 0, len(frame), len(frame)))
        f.write(frame)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    files = {"%s%d" % (kind, 6 if v6 else 4): (v6, [(flags, SIZES[kind])])
             for kind, flags in (("est", "A"), ("syn", "S")) for v6 in (False, True)}
    for v6 in (False, True):
        family = 6 if v6 else 4
        files["synflood%d" % family] = (v6, [("A", SIZES["est"] // 2), ("S", SIZES["syn"])])
        files["est1m%d" % family] = (v6, [("A", 1 << 20)])
    for name, (v6, parts) in files.items():
        path = os.path.join(out, name + ".pcap")
        if not os.path.exists(path):
            write(path, v6, parts)
            print("wrote", path)


if __name__ == "__main__":
    main()
