# SPDX-License-Identifier: BSD-3-Clause
"""Reads a running sluice-dataplane's DPDK telemetry (the /sluice/* commands)."""
import json
import socket
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
