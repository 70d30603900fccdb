# SPDX-License-Identifier: BSD-3-Clause
"""A table of packet fixtures run through the real sluice-dataplane on one net_pcap port.

Each row is a description, an input frame, and either the exact frame the dataplane must
send for it (or frames: a first fragment releases the later ones held for it, which send
none when they come) or the drop reason it must count. All inputs go into one rx pcap, the
dataplane runs once, and then:
  * the gratuitous ARPs / unsolicited NAs announcing the active VIPs (garp_count of each)
    are taken out of what it sent;
  * what remains must be the expected frames, in order, and nothing else;
  * every drop counter must equal the number of rows that name it, every other 0;
  * each event counter in `events` must have exactly its value.

    table = fixture_table.Table()
    table.out("dsr-l2 SYN", frame, expected)
    table.drop("SYN for another MAC", frame, "not_our_mac")
    fixture_table.run(report, binary, "mac", CONFIG, table, announced=["10.0.0.100"])

CONFIG is the TOML after [dataplane] with "{rx}" and "{tx}" in the device string.
"""
import os

import harness
from scapy.all import ARP, ICMPv6ND_NA, ICMPv6NDOptDstLLAddr, IPv6, Ether

GARP_COUNT = 3  # the default of [dataplane] garp_count


class Table:
    def __init__(self):
        self.rows = []  # (description, frame, expected frames or None, drop reason or None)

    def out(self, desc, frame, expected):
        """expected: a frame, or a list of frames sent in that order (empty: none now)."""
        frames = expected if isinstance(expected, list) else [expected]
        self.rows.append((desc, bytes(frame), [bytes(f) for f in frames], None))

    def drop(self, desc, frame, reason):
        self.rows.append((desc, bytes(frame), None, reason))


def announcement(our_mac, addr):
    """The gratuitous ARP (IPv4) or unsolicited NA (IPv6) announcing VIP `addr`."""
    if ":" in addr:
        return bytes(Ether(dst="33:33:00:00:00:01", src=our_mac) /
                     IPv6(src=addr, dst="ff02::1", hlim=255) /
                     ICMPv6ND_NA(tgt=addr, R=0, S=0, O=1) / ICMPv6NDOptDstLLAddr(lladdr=our_mac))
    frame = bytes(Ether(dst="ff:ff:ff:ff:ff:ff", src=our_mac) /
                  ARP(op=1, hwsrc=our_mac, psrc=addr, hwdst="00:00:00:00:00:00", pdst=addr))
    return frame.ljust(60, b"\0")


def run(report, binary, name, config, table, our_mac, announced=(), events=None, settings=None,
        while_running=None):
    """Runs `table` through the binary on `config` ([dataplane] `settings` as
    harness.Dataplane takes them); while_running(dp), if given, once every frame went
    through. Returns the final stats (None when the dataplane never reported every frame
    received)."""
    rows = table.rows
    with harness.workdir(name) as tmp:
        rx, tx = os.path.join(tmp, "rx.pcap"), os.path.join(tmp, "tx.pcap")
        harness.write_pcap(rx, [frame for _, frame, _, _ in rows])
        with harness.Dataplane(binary, tmp, name, config.format(rx=rx, tx=tx), report,
                               **(settings or {})) as dp:
            stats = dp.wait_for(lambda s: s and s.get("rx_packets") == len(rows), 30)
            # The announcements go out garp_interval apart: wait for every frame expected.
            want_tx = sum(len(exp or []) for _, _, exp, _ in rows) + GARP_COUNT * len(announced)
            if stats is not None:
                stats = dp.wait_for(lambda s: s.get("tx_packets", 0) >= want_tx, 5) or dp.query()
                if while_running:
                    while_running(dp)
        if stats is None:
            report.fail("the dataplane never reported all fixture frames received")
            return None
        sent = harness.read_pcap(tx)

    for addr in announced:
        frame = announcement(our_mac, addr)
        got = sent.count(frame)
        report.check(got == GARP_COUNT, f"announcement of {addr}: {GARP_COUNT} frames",
                     f"got {got}", quiet=True)
        sent = [p for p in sent if p != frame]

    expected = [(desc, frame) for desc, _, exp, _ in rows for frame in exp or []]
    for i, (desc, exp) in enumerate(expected):
        got = sent[i] if i < len(sent) else None
        report.check(got == exp, desc,
                     f"\n  expected {exp.hex()}\n  got      {got.hex() if got else 'nothing'}")
    report.check(len(sent) <= len(expected), "no unexpected extra frame transmitted",
                 lambda: f"{len(sent) - len(expected)} extra: "
                 + " ".join(p.hex() for p in sent[len(expected):]))

    want_drops = {}
    for desc, _, _, reason in rows:
        if reason:
            want_drops[reason] = want_drops.get(reason, 0) + 1
    for reason in sorted(set(stats["drops"]) | set(want_drops)):
        count = stats["drops"].get(reason)
        want = want_drops.get(reason, 0)
        report.check(count == want, f"drop counter {reason} == {want}", f"got {count}",
                     quiet=want == 0)
    for counter, want in (events or {}).items():
        report.check(stats.get(counter) == want, f"counter {counter} == {want}",
                     f"got {stats.get(counter)}")
    for desc, _, exp, reason in rows:
        print(f"  {'drop ' + reason if reason else 'forward' if exp else 'hold':28} {desc}")
    return stats
