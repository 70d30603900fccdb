# SPDX-License-Identifier: BSD-3-Clause
"""The dataplane's counter tables (dataplane/pipeline/counters.h) as the tests see them:
each worker counter and drop reason with its role, read from the X-macro rows so that a
check of "every received frame ends in exactly one outcome" takes its outcomes from the
one place that declares them.
"""
import os
import re

COUNTERS_H = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                          "dataplane", "pipeline", "counters.h")
ROW = re.compile(r"X\(\s*(\w+)\s*,\s*(k\w+)\s*,")


def _table(text, macro):
    start = text.index(f"#define {macro}(X)")
    end = text.index("\n\n", start)
    rows = ROW.findall(text[start:end])
    if not rows:
        raise ValueError(f"{COUNTERS_H}: no rows in {macro}")
    return dict(rows)


def roles(path=COUNTERS_H):
    """{"counters": {name: role}, "drops": {reason: role}}; roles as written (kOutcome, ...)."""
    with open(path) as f:
        text = f.read()
    return {"counters": _table(text, "SLUICE_WORKER_COUNTERS"),
            "drops": _table(text, "SLUICE_DROP_REASONS")}


def outcomes(path=COUNTERS_H):
    """(worker counters, drop reasons) whose role is kOutcome: each received frame (in
    rx_packets) ends in exactly one of them."""
    r = roles(path)
    return ([n for n, role in r["counters"].items() if role == "kOutcome"],
            [n for n, role in r["drops"].items() if role == "kOutcome"])


def outcome_sum(counters, drops, path=COUNTERS_H):
    """The sum of the kOutcome counters in `counters` ({name: n}, as /sluice/stats or the
    exit summary) and `drops` ({reason: n}): rx_packets, once no frame is in flight."""
    names, reasons = outcomes(path)
    return sum(counters[n] for n in names) + sum(drops[r] for r in reasons)
