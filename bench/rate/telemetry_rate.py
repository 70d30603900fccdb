#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Per-second rates of DPDK telemetry counters, sampled twice.

  telemetry_rate.py SOCKET COMMAND SECONDS
  telemetry_rate.py SECONDS NAME=SOCKET=COMMAND [NAME=SOCKET=COMMAND ...]

SOCKET is /var/run/dpdk/<file-prefix>/dpdk_telemetry.v2 (SOCK_SEQPACKET). The process
reads each socket's JSON banner, sends COMMAND (e.g. /sluice/stats or /ethdev/stats,0),
waits SECONDS, sends it again, and prints one JSON object: every numeric field of the
reply as a rate per second of the difference (nested dicts flattened with '.'), plus
"seconds" measured between the two replies, and as "last.FIELD" each field's value in
the second reply (gauges such as a table's size). In the second form every process is sampled
over the same window (first queries back to back, then the second ones) and each field
is prefixed with NAME and '.'. Standard library only.
"""
import json
import socket
import sys
import time


def query(sock, command):
    sock.send(command.encode())
    reply = json.loads(sock.recv(1 << 20).decode())
    return next(iter(reply.values()))


def flatten(value, prefix=""):
    out = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(flatten(v, prefix + k + "."))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        out[prefix[:-1]] = value
    return out


def connect(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sock.settimeout(30)  # a loaded machine starves the telemetry thread
    sock.connect(path)
    sock.recv(1 << 16)  # banner: version, pid, max_output_len
    return sock


def sample(targets, seconds):
    """targets: [(name, socket path, command)]; returns the flattened rates."""
    socks = [connect(path) for _, path, _ in targets]
    first, t0 = [], []
    for sock, (_, _, command) in zip(socks, targets):
        first.append(flatten(query(sock, command)))
        t0.append(time.monotonic())
    time.sleep(seconds)
    rates = {}
    for i, (sock, (name, _, command)) in enumerate(zip(socks, targets)):
        second = flatten(query(sock, command))
        elapsed = time.monotonic() - t0[i]
        prefix = name + "." if name else ""
        for k in second:
            if k in first[i]:
                rates[prefix + k] = (second[k] - first[i][k]) / elapsed
            rates[prefix + "last." + k] = second[k]
        rates[prefix + "seconds"] = elapsed
    return rates


def main():
    if len(sys.argv) == 4 and "=" not in sys.argv[2]:
        path, command, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
        print(json.dumps(sample([("", path, command)], seconds)))
        return
    seconds = float(sys.argv[1])
    targets = [tuple(arg.split("=", 2)) for arg in sys.argv[2:]]
    print(json.dumps(sample(targets, seconds)))


if __name__ == "__main__":
    main()
