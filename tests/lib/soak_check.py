#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Judges a soak run (tests/e2e/e2e_soak.sh) from the sampler's lines (soak_sampler.py),
the chaos loop's events and wrk's output. Prints the findings and a summary; exits 1 when
a check failed.

usage: soak_check.py SAMPLES EVENTS WRK_OUT --load-start T --load-end T --grace S
                     --warmup S --connections N [--rss-slack-kib N]
                     [--sluiced-rss-slack-kib N] [--sluiced-settle S] [--flap-tail S]
                     [--stall S] --flapped ADDRESS [--summary FILE]

EVENTS: one line per chaos step, "UNIX_TIME KIND DETAIL..."; a flap is the time between
a "flap-begin" and the next "flap-end" line, plus --flap-tail seconds.

Checks:
 1. VIPs: at every sample, every VIP sluiced lists with serving > 0 is in the dataplane's
    /sluice/vips. While sluiced does not answer (restarts), its last answer stands.
    Backends: every backend of such a VIP is in the dataplane in the state sluiced's
    `effective` asks for (serving -> ready with sluiced's admin_weight, draining -> drain,
    out -> maint). A mismatch counts only once the last change is more than --grace
    seconds old: the later of the last chaos event and the first sample that showed
    sluiced's current view (the snapshot push is asynchronous). Nor does one where the
    dataplane is ahead: a sample reads sluiced first and the dataplane last, and sluiced
    may change and push in between (then the dataplane has just left a state it agreed
    on, or already has what sluiced's next answer says).
 2. RSS: the dataplane's last sample under load at most --rss-slack-kib above its first
    sample --warmup seconds after the load started; each sluiced process (pid) at most
    --sluiced-rss-slack-kib above its first sample --sluiced-settle seconds after it was
    first seen (a restart starts a new baseline).
 3. Errors, between --load-start and --load-end, each change dated by the first sample
    that shows it. Disturbances: flaps, and health failures sluiced logged for a backend
    other than --flapped (on a saturated box the backend that took the flapped one's
    connections can miss its check's timeout), from 1 s before the sample that shows one
    to 4 s + --flap-tail after. Outside them the client's kernel counts no failed
    connection attempt (AttemptFails) and no reset of an established connection
    (EstabResets). The dataplane's forwarded counter grows between any two of its reads
    0.15 s to --stall seconds apart in which its worker thread ran at least half the time
    (schedstat; it forwards while sluiced reloads, restarts or is gone); it drops nothing
    but not_for_us and host_unhandled, and vip_no_backend only inside a health failure's
    window (both backends out: what sluiced asked for). wrk saw no non-2xx; wrk's connect
    + read + write errors are at most the client's failures inside disturbances plus
    CONNECTIONS per flap (an nginx stop ends each connection it holds, some with a FIN the
    kernel does not count as a reset); wrk's timeouts (answers slower than 2 s) at most
    CONNECTIONS per flap, health failure and stall of the box (a sample interval longer
    than --stall, or the worker not scheduled). The client's retransmission timeouts are
    reported, not judged: on a saturated box a delay alone causes them; loss is check 2's.
"""
import argparse
import json
import re
import sys

from check_report import Report

EFFECTIVE_TO_STATE = {"serving": "ready", "draining": "drain", "out": "maint"}


def load_samples(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def load_events(path):
    events = []
    with open(path) as f:
        for line in f:
            parts = line.split(None, 2) + [""]
            if parts[1]:
                events.append((float(parts[0]), parts[1], parts[2].strip()))
    return sorted(events)


def flap_windows(events, tail):
    windows, begin = [], None
    for t, kind, _ in events:
        if kind == "flap-begin":
            begin = t
        elif kind == "flap-end" and begin is not None:
            windows.append((begin, t + tail))
            begin = None
    if begin is not None:
        windows.append((begin, float("inf")))
    return windows


def in_windows(t, windows):
    return any(a <= t <= b for a, b in windows)


def parse_wrk(path):
    text = open(path).read()
    out = {"requests": None, "connect": 0, "read": 0, "write": 0, "timeout": 0, "non2xx": 0}
    m = re.search(r"(\d+) requests in", text)
    if m:
        out["requests"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        out.update(connect=int(m.group(1)), read=int(m.group(2)), write=int(m.group(3)),
                   timeout=int(m.group(4)))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        out["non2xx"] = int(m.group(1))
    return out


def mismatches(claim, dp):
    """What the dataplane lacks of sluiced's claim: {(vip, address or None): (kind, text)},
    kind "vip" or "backend"."""
    out = {}
    for name, serving in sorted(claim["vips"].items()):
        if serving <= 0:
            continue
        if name not in dp["vips"]:
            out[(name, None)] = ("vip", f"VIP {name} (serving {serving}) missing from the "
                                        f"dataplane")
            continue
        have = dp["backends"].get(name, {})
        for address, (effective, weight) in sorted(claim["backends"].get(name, {}).items()):
            want = EFFECTIVE_TO_STATE.get(effective, "?")
            got = have.get(address)
            if want == "maint" and got is None:
                continue
            if got is None:
                out[(name, address)] = ("backend", f"{name} {address}: sluiced {effective}, "
                                                   f"dataplane has none")
            elif got[0] != want or (want == "ready" and got[1] != weight):
                out[(name, address)] = ("backend", f"{name} {address}: sluiced {effective} "
                                                   f"weight {weight}, dataplane {got[0]} weight "
                                                   f"{got[1]}")
    return out


def claim_key(view):
    return json.dumps([view["vips"], view["backends"]], sort_keys=True)


def dataplane_has(dp, subject):
    """What the dataplane view has of (vip, address or None): the VIP's presence, or the
    backend's [state, weight] (None when it has no such backend)."""
    name, address = subject
    if address is None:
        return name in dp["vips"]
    return dp["backends"].get(name, {}).get(address)


def check_invariant(samples, events, grace, load_start, report):
    """Check 1. A failure is reported as episodes: one mismatch, from the first sample that
    showed it to the last, with how many of its samples were beyond the grace."""
    last_claim, last_claim_key, claim_seen_at = None, None, 0.0
    event_times = [t for t, _, _ in events]
    counts = {"samples": 0, "sluiced_absent": 0, "dataplane_absent": 0, "in_grace": 0}
    open_episodes, episodes = {}, []  # mismatch text -> [first t, last t, samples beyond]
    prev_dp, prev_found = None, {}  # the last sample with the dataplane's view
    for i, s in enumerate(samples):
        t = s["t"]
        counts["samples"] += 1
        if s["sluiced"] is not None:
            key = claim_key(s["sluiced"])
            if key != last_claim_key:
                last_claim_key, claim_seen_at = key, t
            last_claim = s["sluiced"]
        else:
            counts["sluiced_absent"] += 1
        if s["dataplane"] is None:
            counts["dataplane_absent"] += 1  # no answer is no evidence either way
            continue
        if last_claim is None:
            continue
        dp = s["dataplane"]
        found = mismatches(last_claim, dp)
        moved_ahead = {text for subject, (_, text) in found.items()
                       if prev_dp is not None and subject not in prev_found
                       and dataplane_has(dp, subject) != dataplane_has(prev_dp, subject)}
        prev_dp, prev_found = dp, found
        now = {text: kind for kind, text in found.values()}
        for m in [m for m in open_episodes if m not in now]:
            episodes.append((m,) + tuple(open_episodes.pop(m)))
        if not now:
            continue
        # A chaos step logged while this sample was being taken may be half in its views.
        last_event = max((e for e in event_times if e <= s.get("t_end", t)), default=0.0)
        beyond = t - max(last_event, claim_seen_at) > grace
        # The dataplane is read after sluiced, and only sluiced changes it. When it has just
        # left a state it agreed on, or has what sluiced's next, new answer says, sluiced
        # changed (and pushed) after answering this sample: not a lag.
        ahead = set(moved_ahead)
        nxt = samples[i + 1]["sluiced"] if i + 1 < len(samples) else None
        if nxt is not None and claim_key(nxt) != last_claim_key:
            later = mismatches(nxt, s["dataplane"])
            ahead |= {text for subject, (_, text) in found.items() if subject not in later}
        counts["in_grace"] += not beyond or bool(ahead)
        for m, kind in now.items():
            e = open_episodes.setdefault(m, [t, t, 0, kind])
            e[1] = t
            e[2] += beyond and m not in ahead
    episodes += [(m,) + tuple(e) for m, e in open_episodes.items()]
    bad = {"vip": [], "backend": []}
    for m, first, last, beyond, kind in sorted(episodes, key=lambda e: e[1]):
        if beyond:
            bad[kind].append(f"t+{first - load_start:.1f} s to t+{last - load_start:.1f} s "
                             f"({beyond} samples beyond the grace): {m}")
    report.note(f"samples: {counts['samples']} (sluiced not answering in "
                f"{counts['sluiced_absent']}, dataplane telemetry not answering in "
                f"{counts['dataplane_absent']}); samples with a mismatch within the {grace} s "
                f"grace: {counts['in_grace']}")
    report.summary("samples", f"{counts['samples']} (sluiced silent in "
                   f"{counts['sluiced_absent']}); mismatches beyond the {grace} s grace: "
                   f"{len(bad['vip'])} of a missing VIP, {len(bad['backend'])} of a backend")
    report.check(not bad["vip"], "no VIP missing from the dataplane while sluiced said serving",
                 bad["vip"])
    report.check(not bad["backend"],
                 "every backend of a serving VIP in the dataplane as sluiced said", bad["backend"])


def check_rss(samples, load_start, load_end, warmup, settle, slack_kib, sluiced_slack_kib,
              report):
    under_load = [s for s in samples if load_start <= s["t"] <= load_end]
    dp = [(s["t"], s["rss_kib"]["dataplane"]) for s in under_load if s["rss_kib"]["dataplane"]]
    base = next((r for t, r in dp if t >= load_start + warmup), None)
    if base is None:
        report.check(False, "dataplane RSS sampled after the warm-up", [])
    else:
        end, peak = dp[-1][1], max(r for _, r in dp)
        report.summary("RSS dataplane", f"{base} KiB after {warmup:g} s of load -> {end} KiB "
                       f"at the end (peak {peak}, bound +{slack_kib})")
        report.check(end <= base + slack_kib,
                     f"dataplane RSS flat: {base} KiB after {warmup:g} s of load, {end} KiB at "
                     f"the end (peak {peak}; bound +{slack_kib} KiB)",
                     [f"dataplane RSS grew from {base} to {end} KiB (+{end - base}, bound "
                      f"+{slack_kib})"])
    by_pid = {}
    for s in samples:
        if s["sluiced"] and s["rss_kib"]["sluiced"]:
            by_pid.setdefault(s["sluiced"]["pid"], []).append((s["t"], s["rss_kib"]["sluiced"]))
    bad, lines, longest = [], [], 0.0
    for pid, series in by_pid.items():
        first = series[0][0]
        base = next((r for t, r in series if t >= first + settle), None)
        if base is None:
            continue  # lived less than the settling time
        end = series[-1][1]
        lived = series[-1][0] - first
        longest = max(longest, lived)
        lines.append(f"pid {pid}: {base} -> {end} KiB over {lived:.0f} s")
        if end > base + sluiced_slack_kib:
            bad.append(f"sluiced pid {pid}: RSS {base} -> {end} KiB in {lived:.0f} s "
                       f"(+{end - base}, bound +{sluiced_slack_kib})")
    report.summary("RSS sluiced", "; ".join(lines) + f" (bound +{sluiced_slack_kib})")
    report.check(not bad and lines,
                 f"sluiced RSS flat (bound +{sluiced_slack_kib} KiB) in each of {len(lines)} "
                 f"processes (longest lived {longest:.0f} s): " + "; ".join(lines), bad)


# Drops that are not traffic lost: the lb kernel's own health-check traffic, which
# af_packet shows the dataplane too (not_for_us), and frames for the host with no
# exception path configured (host_unhandled).
EXPECTED_DROPS = {"not_for_us", "host_unhandled", "not_our_mac"}  # the bridge floods other MACs to us
# Two reads of the dataplane closer than this may see the same counters under any load.
MIN_GAP_S = 0.15
# A worker thread that ran less than this share of an interval was starved of a CPU.
STARVED = 0.5


def ran_ms(a, b):
    """(ms on a CPU, ms waiting for one) of the dataplane's workers between two reads."""
    if not a.get("worker_ns") or not b.get("worker_ns"):
        return None
    return tuple(round((y - x) / 1e6) for x, y in zip(a["worker_ns"], b["worker_ns"]))


def health_failures(samples, flapped, span):
    """Windows around each health DOWN sluiced logged for a backend other than the flapped
    one: (t of the first sample that shows it, address), and [t - 1, t + span] each."""
    downs, prev = [], {}
    for s in samples:
        cur = s.get("downs") or {}
        for address, n in cur.items():
            if address != flapped and n > prev.get(address, 0):
                downs.append((s["t"], address))
        prev = cur
    return downs, [(t - 1.0, t + span) for t, _ in downs]


def check_errors(samples, events, wrk, connections, load_start, load_end, tail, stall_s,
                 flapped, report):
    """Check 3 (the script's 4). A disturbance is a flap or a health failure of another
    backend (a DOWN the chaos loop did not cause: on a saturated box a backend that took
    the flapped one's connections can miss its check's timeout); failures and drops inside
    one are explained, everywhere else they fail."""
    flaps = sum(1 for _, kind, _ in events if kind == "flap-begin")
    downs, down_windows = health_failures(samples, flapped, span=4.0 + tail)
    windows = flap_windows(events, tail) + down_windows
    under_load = [s for s in samples if load_start <= s["t"] <= load_end]
    inside = {"AttemptFails": 0, "EstabResets": 0, "TCPTimeouts": 0, "RetransSegs": 0}
    outside = dict(inside)
    failures_when, halts, drops_when, explained, stalls, starved = [], [], [], {}, [], []
    for prev, cur in zip(under_load, under_load[1:]):
        when = f"t+{cur['t'] - load_start:.1f} s"
        gap = cur["t"] - prev["t"]
        disturbed = in_windows(cur["t"], windows)
        if gap > stall_s:
            stalls.append(gap)
        if prev["tcp"] and cur["tcp"]:
            bucket = inside if disturbed else outside
            for k in bucket:
                d = cur["tcp"].get(k, 0) - prev["tcp"].get(k, 0)
                bucket[k] += d
                if not disturbed and d and k in ("AttemptFails", "EstabResets"):
                    failures_when.append(f"{when}: {k} +{d}")
        a, b = prev["dataplane"], cur["dataplane"]
        if a is None or b is None:
            continue
        # The dataplane is read at the end of a sample: its interval is end to end.
        dp_gap = cur.get("t_end", cur["t"]) - prev.get("t_end", prev["t"])
        if (b["forwarded"] <= a["forwarded"] and MIN_GAP_S <= dp_gap <= stall_s
                and cur["t"] > load_start + 1):
            ran = ran_ms(a, b)
            what = (f"{when}: forwarded stayed {b['forwarded']} for {dp_gap:.2f} s; its worker "
                    f"ran {ran[0] if ran else '?'} ms, waited {ran[1] if ran else '?'} ms for "
                    f"a CPU")
            if ran and ran[0] < STARVED * dp_gap * 1000:
                starved.append(what)  # not scheduled: the box's doing
            else:
                halts.append(what)
        for reason, n in b["drops"].items():
            d = n - a["drops"].get(reason, 0)
            if reason in EXPECTED_DROPS or d <= 0:
                continue
            # A VIP without a backend is what sluiced asked for while the flapped backend
            # and the one that failed its check were both out.
            if reason == "vip_no_backend" and in_windows(cur["t"], down_windows):
                explained[reason] = explained.get(reason, 0) + d
            else:
                drops_when.append(f"{when}{' (disturbed)' if disturbed else ''}: {reason} +{d}")
    report.note(f"health failures sluiced saw besides the flapped {flapped}: {len(downs)}"
                + "".join(f"; t+{t - load_start:.1f} s {addr}" for t, addr in downs))
    report.note(f"client TCP in {flaps} flaps and {len(downs)} health failures: {inside}; "
                f"outside: {outside} (timeouts and retransmissions are delays too: reported, "
                f"not judged)")
    report.note(f"sample intervals over {stall_s:g} s (the sampler itself held up: a saturated "
                f"box): {len(stalls)}, the longest {max(stalls, default=0):.1f} s")
    report.note(f"intervals without forwarding while the worker thread was not scheduled "
                f"(it ran under {STARVED:.0%} of them; the box's doing): {len(starved)}"
                + "".join(f"\n      {w}" for w in starved))
    report.check(not failures_when,
                 "outside flaps and health failures no failed connection attempt and no reset "
                 "connection (client kernel)", failures_when)
    report.check(not halts,
                 f"the dataplane forwarded in every sample interval under load ({MIN_GAP_S:g} "
                 f"to {stall_s:g} s) in which its worker was scheduled", halts)
    report.check(not drops_when,
                 "the dataplane dropped nothing but not_for_us, host_unhandled and not_our_mac, and "
                 f"vip_no_backend only while sluiced had both backends out ({explained})",
                 drops_when)
    report.check(wrk["requests"] is not None and wrk["requests"] > 0,
                 f"wrk completed {wrk['requests']} requests", [])
    report.check(wrk["non2xx"] == 0, "no non-2xx answers",
                 [f"wrk: {wrk['non2xx']} non-2xx answers"])
    report.summary("wrk", f"{wrk['requests']} requests, non-2xx {wrk['non2xx']}, socket errors: "
                   f"connect {wrk['connect']}, read {wrk['read']}, write {wrk['write']}, "
                   f"timeout {wrk['timeout']}; client kernel in {flaps} flaps and {len(downs)} "
                   f"health failures: {inside['AttemptFails']} failed connects, "
                   f"{inside['EstabResets']} resets; outside: {outside['AttemptFails']}, "
                   f"{outside['EstabResets']}")
    failed = wrk["connect"] + wrk["read"] + wrk["write"]
    budget = inside["AttemptFails"] + inside["EstabResets"] + connections * flaps
    report.check(failed <= budget,
                 f"wrk connection errors {failed} (connect {wrk['connect']}, read {wrk['read']}, "
                 f"write {wrk['write']}) within what the flaps explain: {budget} (the client's "
                 f"failures in them + {connections} x {flaps} flaps)",
                 [f"{failed} wrk connection errors, more than the flaps explain ({budget})"])
    episodes = flaps + len(downs) + len(stalls) + len(starved)
    budget = connections * episodes
    report.check(wrk["timeout"] <= budget,
                 f"wrk timeouts {wrk['timeout']} within {budget} ({connections} x ({flaps} flaps "
                 f"+ {len(downs)} health failures + {len(stalls) + len(starved)} stalls of the "
                 f"box))",
                 [f"{wrk['timeout']} wrk timeouts, more than flaps and stalls explain"])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("samples")
    p.add_argument("events")
    p.add_argument("wrk_out")
    p.add_argument("--load-start", type=float, required=True)
    p.add_argument("--load-end", type=float, required=True)
    p.add_argument("--grace", type=float, required=True)
    p.add_argument("--warmup", type=float, required=True)
    p.add_argument("--connections", type=int, required=True)
    p.add_argument("--rss-slack-kib", type=int, default=8192)
    p.add_argument("--sluiced-rss-slack-kib", type=int, default=1024)
    p.add_argument("--sluiced-settle", type=float, default=3.0)
    p.add_argument("--flap-tail", type=float, default=2.0)
    p.add_argument("--stall", type=float, default=1.0)
    p.add_argument("--flapped", required=True, help="the address of the backend flapped")
    p.add_argument("--summary", default="", help="file to append the summary lines to")
    a = p.parse_args()

    samples, events = load_samples(a.samples), load_events(a.events)
    wrk = parse_wrk(a.wrk_out)
    report = Report()
    check_invariant(samples, events, a.grace, a.load_start, report)
    check_rss(samples, a.load_start, a.load_end, a.warmup, a.sluiced_settle, a.rss_slack_kib,
              a.sluiced_rss_slack_kib, report)
    check_errors(samples, events, wrk, a.connections, a.load_start, a.load_end, a.flap_tail,
                 a.stall, a.flapped, report)
    kinds = {}
    for _, kind, _ in events:
        kinds[kind] = kinds.get(kind, 0) + 1
    report.note(f"chaos events: {kinds}")
    report.summary("chaos", ", ".join(f"{k} {n}" for k, n in kinds.items()))
    sys.exit(report.finish("soak", a.summary))


if __name__ == "__main__":
    main()
