#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A paced UDP flood from a raw socket (e2e_flood_control.sh): for SECONDS, RATE frames a
second of each STREAM, every frame from another source port; prints the frames sent of
each stream and the seconds it took.

usage: udp_flood.py IFACE SRC_MAC SRC_IP SECONDS STREAM...
       STREAM = DST_MAC,DST_IP,DST_PORT,RATE
"""
import socket
import struct
import sys
import time


def checksum(data):
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    return ~(total + (total >> 16)) & 0xFFFF


def mac(text):
    return bytes.fromhex(text.replace(":", ""))


def frame(src_mac, dst_mac, src_ip, dst_ip, src_port, dst_port):
    payload = b"flood" + bytes(13)
    udp = struct.pack("!HHHH", src_port, dst_port, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                     socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return dst_mac + src_mac + b"\x08\x00" + ip + udp


def main():
    iface, src_mac, src_ip, seconds = sys.argv[1], mac(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    streams = []
    for spec in sys.argv[5:]:
        dst_mac, dst_ip, dst_port, rate = spec.split(",")
        frames = [frame(src_mac, mac(dst_mac), src_ip, dst_ip, 1024 + i, int(dst_port))
                  for i in range(1024)]
        streams.append({"frames": frames, "rate": int(rate), "sent": 0})
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    start = time.monotonic()
    while True:
        elapsed = time.monotonic() - start
        if elapsed >= seconds:
            break
        for st in streams:
            due = int(st["rate"] * elapsed)
            while st["sent"] < due:
                try:
                    s.send(st["frames"][st["sent"] % len(st["frames"])])
                except BlockingIOError:
                    break
                st["sent"] += 1
        time.sleep(0.001)
    print(" ".join(str(st["sent"]) for st in streams), f"{time.monotonic() - start:.2f}")


if __name__ == "__main__":
    main()
