#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Per-second rates of a DPDK telemetry command's counters, sampled twice.

  telemetry_rate.py SOCKET COMMAND SECONDS

SOCKET is /var/run/dpdk/<file-prefix>/dpdk_telemetry.v2 (SOCK_SEQPACKET). The process
reads the JSON banner, sends COMMAND (e.g. /sluice/stats or /ethdev/stats,0), waits
SECONDS, sends it again, and prints one JSON object: every numeric field of the reply
as a rate per second of the difference (nested dicts flattened with '.'), plus
"seconds" measured between the two replies. Standard library only.
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


def main():
    path, command, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sock.settimeout(5)
    sock.connect(path)
    sock.recv(1 << 16)  # banner: version, pid, max_output_len
    first = flatten(query(sock, command))
    t0 = time.monotonic()
    time.sleep(seconds)
    second = flatten(query(sock, command))
    elapsed = time.monotonic() - t0
    rates = {k: (second[k] - first[k]) / elapsed for k in second if k in first}
    rates["seconds"] = elapsed
    print(json.dumps(rates))


if __name__ == "__main__":
    main()
