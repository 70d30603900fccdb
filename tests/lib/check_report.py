# SPDX-License-Identifier: BSD-3-Clause
"""The checks of a test script that judges a run after the fact (soak_check.py,
soak_accounting.py): each check printed as "ok: ..." or "FAIL: ..." with its details,
notes in between, and a few summary lines appended to a file for the calling script to
print at the end.
"""


class Report:
    MAX_DETAILS = 20

    def __init__(self):
        self.failed = []
        self.summaries = []

    def note(self, text):
        print(f"    {text}")

    def check(self, ok, text, details):
        if ok:
            print(f"  ok: {text}")
            return
        self.failed.append(text)
        print(f"  FAIL: {text}")
        for d in details[:self.MAX_DETAILS]:
            print(f"      {d}")
        if len(details) > self.MAX_DETAILS:
            print(f"      ... and {len(details) - self.MAX_DETAILS} more")

    def summary(self, key, text):
        self.summaries.append(f"{key}: {text}")

    def finish(self, what, summary_path):
        """Appends the summary lines to summary_path (if given); returns the exit status."""
        if summary_path:
            with open(summary_path, "a") as f:
                for line in self.summaries:
                    f.write(line + "\n")
        if self.failed:
            print(f"  {len(self.failed)} {what} check(s) failed")
            return 1
        return 0
