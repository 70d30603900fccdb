#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Who is MASTER, sampled often, on both nodes of a VRRP pair (sluiced and keepalived),
then checked: exactly one master at every sample, except for windows the test allows.

  vrrp_watch.py sample --socket SLUICED_SOCK --ka-dir DIR --pair SLUICE_INST=KA_INST ...
                       --out FILE [--period 0.05] [--max-seconds 600]
      Every PERIOD seconds, one line to FILE (flushed):
        TIME SLUICE_INST=STATE KA_INST=STATE ...
      sluiced's state from `show ha json` on its runtime socket (one connection, kept;
      DOWN when it does not answer); keepalived's from DIR/KA_INST.state, which its notify
      script rewrites on every transition (DOWN when the file is absent). Stops on SIGTERM
      or after MAX_SECONDS.

  vrrp_watch.py check --samples FILE --pair SLUICE_INST=KA_INST --from T0 --to T1
                      --max-both SECONDS --max-none SECONDS [--master sluice|keepalived]
      Over the samples with T0 <= TIME <= T1: each run of samples where both are MASTER
      and each run where neither is must last at most MAX_BOTH / MAX_NONE seconds (a run
      lasts from its first sample to the first sample after it). With --master, that side
      must be the only master at the last sample. Prints one summary line; exit 1 on a violation,
      saying where.

Standard library only.
"""
import argparse
import json
import os
import signal
import socket
import sys
import time


def ha_states(conn_box, path):
    """{instance: STATE} from sluiced, or None when it does not answer."""
    for _ in range(2):
        try:
            if conn_box[0] is None:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(0.5)
                s.connect(path)
                conn_box[0] = (s, s.makefile("rb"))
            s, f = conn_box[0]
            s.sendall(b"show ha json\n")
            lines = []
            while True:
                line = f.readline()
                if not line:
                    raise OSError("closed")
                if line in (b"\n", b"\r\n"):
                    break
                lines.append(line)
            answer = json.loads(b"".join(lines))
            return {i["name"]: i["state"] for i in answer.get("instances", [])}
        except (OSError, ValueError):
            if conn_box[0] is not None:
                conn_box[0][0].close()
                conn_box[0] = None
    return None


def ka_state(directory, instance):
    try:
        with open(os.path.join(directory, instance + ".state"), encoding="ascii") as f:
            return f.read().strip() or "UNKNOWN"
    except OSError:
        return "DOWN"


def sample(args):
    pairs = [p.split("=", 1) for p in args.pair]
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    conn_box = [None]
    deadline = time.monotonic() + args.max_seconds
    with open(args.out, "a", encoding="ascii") as out:
        while not stop and time.monotonic() < deadline:
            t0 = time.monotonic()
            states = ha_states(conn_box, args.socket)
            fields = []
            for sl, ka in pairs:
                fields.append(f"{sl}={states.get(sl, 'NONE') if states is not None else 'DOWN'}")
                fields.append(f"{ka}={ka_state(args.ka_dir, ka)}")
            out.write(f"{time.time():.3f} {' '.join(fields)}\n")
            out.flush()
            time.sleep(max(0.0, args.period - (time.monotonic() - t0)))


def runs(samples, predicate):
    """[(start, end, count)] of the runs of samples (time, sl, ka) matching predicate;
    end is the time of the first sample after the run (or the run's last one)."""
    found, start, count = [], None, 0
    for t, sl, ka in samples:
        if predicate(sl, ka):
            if start is None:
                start, count = t, 0
            count += 1
        elif start is not None:
            found.append((start, t, count))
            start = None
    if start is not None:
        found.append((start, samples[-1][0], count))
    return found


def check(args):
    sl_name, ka_name = args.pair.split("=", 1)
    samples = []
    with open(args.samples, encoding="ascii") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2:
                continue
            t = float(parts[0])
            if not args.t0 <= t <= args.t1:
                continue
            states = dict(p.split("=", 1) for p in parts[1:])
            samples.append((t, states.get(sl_name, "?"), states.get(ka_name, "?")))
    if not samples:
        print(f"{args.pair}: no samples between {args.t0} and {args.t1}")
        return 1
    both = runs(samples, lambda sl, ka: sl == "MASTER" and ka == "MASTER")
    none = runs(samples, lambda sl, ka: sl != "MASTER" and ka != "MASTER")
    worst_both = max((e - s for s, e, _ in both), default=0.0)
    worst_none = max((e - s for s, e, _ in none), default=0.0)
    span = samples[-1][0] - samples[0][0]
    print(f"{args.pair}: {len(samples)} samples over {span:.2f} s; two masters: "
          f"{len(both)} run(s), longest {worst_both:.3f} s (allowed {args.max_both}); "
          f"no master: {len(none)} run(s), longest {worst_none:.3f} s (allowed {args.max_none}); "
          f"last: sluice {samples[-1][1]}, keepalived {samples[-1][2]}")
    bad = False
    for s, e, n in both:
        if e - s > args.max_both:
            print(f"  FAIL: two masters from {s:.3f} for {e - s:.3f} s ({n} samples)")
            bad = True
    for s, e, n in none:
        if e - s > args.max_none:
            print(f"  FAIL: no master from {s:.3f} for {e - s:.3f} s ({n} samples)")
            bad = True
    if args.master:
        sl, ka = samples[-1][1:]
        if (sl == "MASTER") != (args.master == "sluice") or (ka == "MASTER") == (sl == "MASTER"):
            print(f"  FAIL: at the end the master should be {args.master}")
            bad = True
    return 1 if bad else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--socket", required=True)
    s.add_argument("--ka-dir", required=True)
    s.add_argument("--pair", action="append", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--period", type=float, default=0.05)
    s.add_argument("--max-seconds", type=float, default=600)
    c = sub.add_parser("check")
    c.add_argument("--samples", required=True)
    c.add_argument("--pair", required=True)
    c.add_argument("--from", dest="t0", type=float, required=True)
    c.add_argument("--to", dest="t1", type=float, required=True)
    c.add_argument("--max-both", type=float, required=True)
    c.add_argument("--max-none", type=float, required=True)
    c.add_argument("--master", choices=("sluice", "keepalived"))
    args = parser.parse_args()
    if args.what == "sample":
        sample(args)
        return 0
    return check(args)


if __name__ == "__main__":
    sys.exit(main())
