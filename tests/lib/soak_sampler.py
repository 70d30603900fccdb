#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The soak's sampler (tests/e2e/e2e_soak.sh): every INTERVAL seconds, one JSON line with
what sluiced says (`sluicectl --json show info;show vips;show backends`), what the
dataplane has (DPDK telemetry /sluice/vips and /sluice/backends,VIP) and has done
(/sluice/stats: forwarded, drops), the RSS of both processes (/proc/PID/status VmRSS),
the TCP counters of the client's namespace (/proc/CLIENT_PID/net/snmp and netstat) and
the health-check failures sluiced has logged. It only records; soak_check.py judges.

usage: soak_sampler.py --sluicectl BIN --socket PATH --telemetry PATH --dataplane-pid PID
                       --client-pid PID --out FILE [--interval S] [--stop-file FILE]
                       [--max-seconds S] [--sluiced-log FILE]
Stops when --stop-file exists or after --max-seconds (the bound of the loop), whichever
comes first.

A line: {"t": unix time when the counters were read (first), "t_end": when the sample
was done, "sluiced": null (no answer) or {"pid", "generation", "connected",
"vips": {name: serving}, "backends": {vip: {address: [effective, admin_weight]}}},
"dataplane": null or {"vips": [names], "backends": {vip: {address: [state, weight]}},
"forwarded": n, "drops": {reason: n, the non-zero ones}, "worker_ns": [CPU time, time
waiting for a CPU] of its worker threads},
"rss_kib": {"dataplane": n, "sluiced": n or null}, "tcp": {counter: value},
"downs": {address: health DOWN lines in --sluiced-log so far}}.
Telemetry writes addresses with '.' and ':' as '_'; they are turned back into dots and
colons here (the same text sluiced shows for IPv4; IPv6 as sluiced writes it too, since
both print the canonical form).
"""
import argparse
import json
import os
import re
import socket
import subprocess
import time

# Client-side TCP counters (Tcp: in /proc/net/snmp, TcpExt: in /proc/net/netstat): the
# failures wrk can see, dated by the sample that first shows them.
TCP_COUNTERS = ("AttemptFails", "EstabResets", "RetransSegs", "InErrs", "OutRsts")
TCPEXT_COUNTERS = ("TCPTimeouts", "TCPAbortOnData", "TCPAbortOnClose", "TCPAbortOnTimeout",
                   "TCPSynRetrans")


class Telemetry:
    """One DPDK telemetry connection kept open across samples; reopened after an error."""

    def __init__(self, path):
        self.path = path
        self.sock = None
        self.max_len = 16384

    def query(self, command):
        for attempt in (0, 1):
            try:
                if self.sock is None:
                    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
                    s.settimeout(2.0)
                    s.connect(self.path)
                    banner = json.loads(s.recv(4096).decode())
                    self.max_len = int(banner.get("max_output_len", 16384))
                    self.sock = s
                self.sock.send(command.encode())
                reply = json.loads(self.sock.recv(self.max_len + 1024).decode())
                return reply.get(command.split(",")[0])
            except (OSError, ValueError):
                self.close()
                if attempt:
                    raise
        return None

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def address_of(telemetry_key):
    # IPv4 keys are a.b.c.d with '_' for '.'; IPv6 keys have '_' for ':'.
    if telemetry_key.count("_") == 3 and ":" not in telemetry_key and all(
            p.isdigit() for p in telemetry_key.split("_")):
        return telemetry_key.replace("_", ".")
    return telemetry_key.replace("_", ":")


def sluiced_view(sluicectl, sock):
    try:
        out = subprocess.run(
            [sluicectl, "-s", sock, "-t", "2", "--json", "show info;show vips;show backends"],
            capture_output=True, text=True, timeout=5)
    except subprocess.TimeoutExpired:
        return None
    if out.returncode != 0:
        return None
    answers = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    if len(answers) != 3:
        return None
    info, vips, backends = answers
    view = {"pid": info["pid"], "generation": info["config_generation"],
            "connected": info["dataplane_connected"],
            "vips": {v["name"]: v["serving"] for v in vips["vips"]}, "backends": {}}
    for b in backends["backends"]:
        view["backends"].setdefault(b["vip"], {})[b["address"]] = [b["effective"],
                                                                   b["admin_weight"]]
    return view


def dataplane_view(telemetry, vip_names):
    try:
        vips = telemetry.query("/sluice/vips")
        stats = telemetry.query("/sluice/stats")
        if vips is None or stats is None:
            return None
        view = {"vips": sorted(vips), "backends": {}, "forwarded": stats["forwarded"],
                "drops": {k: v for k, v in stats["drops"].items() if v}}
        for name in sorted(set(vips) | set(vip_names)):
            backends = telemetry.query(f"/sluice/backends,{name}") or {}
            view["backends"][name] = {address_of(k): [b["state"], b["weight"]]
                                      for k, b in backends.items()}
        return view
    except (OSError, ValueError, KeyError, TypeError):
        return None


def worker_schedstat(pid):
    """CPU time and run-queue wait (ns, /proc/PID/task/TID/schedstat) of the dataplane's
    worker lcore threads (DPDK names them rte-worker-N), summed."""
    cpu = wait = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                if "worker" not in f.read():
                    continue
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                fields = f.read().split()
            cpu += int(fields[0])
            wait += int(fields[1])
    except (OSError, ValueError, IndexError):
        return None
    return [cpu, wait]


def rss_kib(pid):
    if not pid:
        return None
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def proc_net_counters(pid, name, section, wanted):
    """Counters of one section ("Tcp:", "TcpExt:") of /proc/PID/net/NAME (PID's netns)."""
    try:
        with open(f"/proc/{pid}/net/{name}") as f:
            lines = [line.split() for line in f if line.startswith(section)]
    except OSError:
        return {}
    if len(lines) < 2:
        return {}
    values = dict(zip(lines[0][1:], lines[1][1:]))
    return {k: int(values[k]) for k in wanted if k in values}


class DownEvents:
    """How many "health: ... ADDRESS:PORT is DOWN" lines sluiced has logged, per ADDRESS,
    read from where the last call stopped (the log is appended to across restarts)."""
    LINE = re.compile(r"health: \S+ (\S+):\d+ is DOWN")

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.counts = {}

    def read(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except OSError:
            return
        complete = data.rfind(b"\n") + 1  # a line still being written waits
        self.offset += complete
        for m in self.LINE.finditer(data[:complete].decode(errors="replace")):
            self.counts[m.group(1)] = self.counts.get(m.group(1), 0) + 1


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sluicectl", required=True)
    p.add_argument("--socket", required=True)
    p.add_argument("--telemetry", required=True)
    p.add_argument("--dataplane-pid", type=int, required=True)
    p.add_argument("--client-pid", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--interval", type=float, default=0.3)
    p.add_argument("--stop-file", default="")
    p.add_argument("--max-seconds", type=float, default=900)
    p.add_argument("--sluiced-log", default="")
    a = p.parse_args()

    telemetry = Telemetry(a.telemetry)
    downs = DownEvents(a.sluiced_log)
    end = time.monotonic() + a.max_seconds
    next_tick = time.monotonic()
    last_vips = []
    with open(a.out, "w") as out:
        while time.monotonic() < end and not (a.stop_file and os.path.exists(a.stop_file)):
            # The counters first, at t: the views below take tens of ms on a busy box.
            t = time.time()
            tcp = proc_net_counters(a.client_pid, "snmp", "Tcp:", TCP_COUNTERS)
            tcp.update(proc_net_counters(a.client_pid, "netstat", "TcpExt:", TCPEXT_COUNTERS))
            rss = {"dataplane": rss_kib(a.dataplane_pid)}
            s = sluiced_view(a.sluicectl, a.socket)
            if s:
                last_vips = list(s["vips"])
            rss["sluiced"] = rss_kib(s["pid"]) if s else None
            d = dataplane_view(telemetry, last_vips)
            if d:
                d["worker_ns"] = worker_schedstat(a.dataplane_pid)
            if a.sluiced_log:
                downs.read()
            sample = {"t": round(t, 3), "t_end": round(time.time(), 3), "sluiced": s,
                      "dataplane": d, "rss_kib": rss, "tcp": tcp, "downs": dict(downs.counts)}
            out.write(json.dumps(sample, separators=(",", ":")) + "\n")
            out.flush()
            next_tick += a.interval
            delay = next_tick - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                next_tick = time.monotonic()  # late: no catching up in a burst
    telemetry.close()


if __name__ == "__main__":
    main()
