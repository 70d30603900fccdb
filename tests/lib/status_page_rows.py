#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The backend rows of sluiced's status page as a browser rendered it (chromium
--dump-dom on stdin): one line per row, in page order,

    VIP BACKEND HEALTH ADMIN EFFECTIVE PACKETS NEW_FLOWS ACTIONS

where ACTIONS is the buttons' states joined by commas (e.g. ready,drain*,maint with a
star on a disabled one), or '-' without an actions cell. Then one line per drop reason
shown, 'drop REASON PACKETS', and per HA instance 'ha INSTANCE STATE'.
"""
import sys
from html.parser import HTMLParser


class Rows(HTMLParser):
    def __init__(self):
        super().__init__()
        self.vip = None
        self.row = None          # dict of the backend row being read
        self.field = None        # data-field of the cell being read
        self.button = None       # [text, disabled] of the button being read
        self.drop = None         # [reason, text]
        self.ha = None           # [instance, state]
        self.ha_field = False
        self.out = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "data-vip" in a:
            self.vip = a["data-vip"]
        elif tag == "tr" and "data-backend" in a and self.vip:
            self.row = {"_address": a["data-backend"], "actions": []}
        elif tag == "tr" and "data-reason" in a:
            self.drop = [a["data-reason"], ""]
        elif tag == "tr" and "data-instance" in a:
            self.ha = [a["data-instance"], ""]
        elif tag == "td" and self.row is not None and "data-field" in a:
            self.field = a["data-field"]
            self.row.setdefault(self.field, "")
        elif tag == "td" and self.ha is not None and a.get("data-field") == "state":
            self.ha_field = True
        elif tag == "button" and self.row is not None:
            self.button = ["", "disabled" in a]

    def handle_endtag(self, tag):
        if tag == "button" and self.button is not None:
            self.row["actions"].append(self.button[0] + ("*" if self.button[1] else ""))
            self.button = None
        elif tag == "td":
            self.field = None
            self.ha_field = False
        elif tag == "tr" and self.row is not None:
            r = self.row
            self.out.append(" ".join([self.vip, r["_address"], r.get("health", "?"),
                                      r.get("admin", "?"), r.get("effective", "?"),
                                      r.get("packets", "?"), r.get("new_flows", "?"),
                                      ",".join(r["actions"]) or "-"]))
            self.row = None
        elif tag == "tr" and self.drop is not None:
            self.out.append("drop %s %s" % (self.drop[0], self.drop[1].strip()))
            self.drop = None
        elif tag == "tr" and self.ha is not None:
            self.out.append("ha %s %s" % (self.ha[0], self.ha[1].strip()))
            self.ha = None
        elif tag == "table":
            self.vip = None

    def handle_data(self, data):
        if self.button is not None:
            self.button[0] += data
        elif self.row is not None and self.field is not None:
            self.row[self.field] += data
        elif self.drop is not None:
            self.drop[1] += data if data.strip().isdigit() else ""
        elif self.ha is not None and self.ha_field:
            self.ha[1] += data


def main():
    p = Rows()
    p.feed(sys.stdin.read())
    for line in p.out:
        print(line)


if __name__ == "__main__":
    main()
