#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Reads a running sluice-dataplane's DPDK telemetry (the /sluice/* commands).

usage: telemetry.py SOCKET COMMAND   print the JSON reply to one command
"""
import json
import socket
import sys
import time


def socket_path(file_prefix):
    return f"/var/run/dpdk/{file_prefix}/dpdk_telemetry.v2"


def query(file_prefix, command, timeout=2.0):
    """Sends one telemetry command and returns the decoded value of its answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
        s.settimeout(timeout)
        s.connect(socket_path(file_prefix))
        s.recv(16384)  # banner
        s.send(command.encode())
        reply = json.loads(s.recv(1 << 20).decode())
    key = command.split(",")[0]
    return reply.get(key, reply)


def reply_text(path, command, timeout=3.0):
    """Sends one telemetry command to the socket at `path`; returns the reply as sent.

    Raises OSError when the socket does not answer, ValueError on a malformed reply."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
        s.settimeout(timeout)
        s.connect(path)
        banner = json.loads(s.recv(4096).decode())
        s.send(command.encode())
        reply = s.recv(int(banner.get("max_output_len", 16384)) + 1024).decode()
    json.loads(reply)
    return reply


def wait_for(file_prefix, predicate, deadline_s, command="/sluice/stats"):
    """Polls `command` until predicate(answer) holds; returns the last answer or None."""
    end = time.monotonic() + deadline_s
    last = None
    while time.monotonic() < end:
        try:
            last = query(file_prefix, command)
            if predicate(last):
                return last
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    return None


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: telemetry.py SOCKET COMMAND")
    path, command = argv[1], argv[2]
    try:
        print(reply_text(path, command))
    except OSError as e:
        sys.exit(f"telemetry {path}: {e}")


if __name__ == "__main__":
    main(sys.argv)
