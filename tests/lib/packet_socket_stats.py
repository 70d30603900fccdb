#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The kernel's PACKET_STATISTICS of a process's AF_PACKET sockets (net_af_packet's RX
rings): frames the kernel handed to the rings and frames it dropped because a ring was
full. DPDK 22.11's af_packet PMD never reads these (its imissed stays 0), so ring drops
show in no sluice or ethdev counter; this is how a test sees them.

usage: packet_socket_stats.py PID [--add FILE]
       print {"sockets": n, "packets": n, "drops": n}, the sums over PID's packet sockets;
       with --add, the sums plus FILE's (if it exists), also written back to FILE

Reading PACKET_STATISTICS resets the kernel's counters: each call reports what happened
since the previous one (or since the socket was opened). Run as root: the sockets are
borrowed with pidfd_getfd(2), which needs ptrace rights over PID.
"""
import ctypes
import json
import os
import re
import socket
import struct
import sys

SYS_PIDFD_GETFD = 438
SOL_PACKET = 263
PACKET_STATISTICS = 6


def packet_socket_inodes(pid):
    """Inodes of the packet sockets of PID's network namespace (/proc/PID/net/packet)."""
    with open(f"/proc/{pid}/net/packet") as f:
        rows = [line.split() for line in f][1:]
    return {int(r[-1]) for r in rows if r}


def packet_socket_fds(pid):
    inodes = packet_socket_inodes(pid)
    fds = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        m = re.fullmatch(r"socket:\[(\d+)\]", target)
        if m and int(m.group(1)) in inodes:
            fds.append(int(fd))
    return fds


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--add"):
        sys.exit("usage: packet_socket_stats.py PID [--add FILE]")
    pid = int(argv[1])
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(pid)
    total = {"sockets": 0, "packets": 0, "drops": 0}
    try:
        for fd in packet_socket_fds(pid):
            local = libc.syscall(SYS_PIDFD_GETFD, pidfd, fd, 0)
            if local < 0:
                sys.exit(f"pidfd_getfd({pid}, {fd}): {os.strerror(ctypes.get_errno())}")
            s = socket.socket(fileno=local)
            try:
                raw = s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 12)
            finally:
                s.close()  # our duplicate only
            packets, drops = struct.unpack_from("II", raw)
            total["sockets"] += 1
            total["packets"] += packets
            total["drops"] += drops
    finally:
        os.close(pidfd)
    if len(argv) == 4:
        if os.path.exists(argv[3]):
            with open(argv[3]) as f:
                before = json.load(f)
            total["packets"] += before["packets"]
            total["drops"] += before["drops"]
        with open(argv[3], "w") as f:
            json.dump(total, f)
    print(json.dumps(total))


if __name__ == "__main__":
    main(sys.argv)
