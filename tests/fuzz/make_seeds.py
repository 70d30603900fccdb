#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Seed inputs of the fuzz targets in tests/fuzz, made with scapy.

  make_seeds.py OUTDIR                          writes OUTDIR/packet_path, OUTDIR/control_inputs,
                                                OUTDIR/http_listener
  make_seeds.py --replay DIR/TARGET_replay [--mutations N]
                                                writes them to a temporary directory and runs
                                                the target's replay binary on its own seeds
  make_seeds.py --fuzz DIR/TARGET_fuzz SECONDS  libFuzzer on them for SECONDS (clang builds)

packet_path: one frame of each kind the packet path handles, to the addresses of
packet_path_fuzz.cc's config (TCP/UDP to every VIP over IPv4 and IPv6, VLAN tags, IPv6
extension headers, fragments, IPv4 options, ARP, NS/NA, echo requests, ICMP errors
quoting a flow, VRRP), each with two control bytes (no room around the frame, and
plenty). control_inputs: VRRP adverts over IPv4 and IPv6, HTTP status lines, control
channel messages, a desired-state update. http_listener: requests to sluiced's [metrics]
listener (pages, a pipelined pair, admin actions with and without their header and
policy, a body, refusals).
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

from scapy.all import (ARP, ICMP, IP, TCP, UDP, Dot1Q, Ether, ICMPv6EchoRequest, ICMPv6ND_NA,
                       ICMPv6ND_NS, ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr,
                       ICMPv6PacketTooBig, IPOption_NOP, IPv6, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrFragment, Raw, raw)

OURS = "02:00:00:00:00:10"
CLIENT = "02:00:00:00:00:99"


def frames():
    e = Ether(dst=OURS, src=CLIENT)
    v4 = IP(src="192.0.2.1", dst="10.0.0.100")
    v6 = IPv6(src="2001:db8:5::1", dst="2001:db8::100")
    return {
        "tcp4_syn": e / v4 / TCP(sport=1234, dport=80, flags="S"),
        "tcp4_ack_data": e / v4 / TCP(sport=1234, dport=80, flags="A") / Raw(b"GET / HTTP/1.1\r\n\r\n"),
        "tcp4_rst": e / v4 / TCP(sport=1234, dport=80, flags="R"),
        "tcp4_full_mtu": e / v4 / TCP(sport=1234, dport=80, flags="A") / Raw(b"z" * 1460),
        "udp4": e / v4 / UDP(sport=1234, dport=53) / Raw(b"x" * 30),
        "udp4_no_checksum": e / v4 / UDP(sport=1234, dport=53, chksum=0) / Raw(b"x" * 3),
        "tcp6_syn": e / v6 / TCP(sport=1234, dport=443, flags="S"),
        "udp6": e / v6 / UDP(sport=1234, dport=53) / Raw(b"y" * 20),
        "tcp6_dest_opts": e / v6 / IPv6ExtHdrDestOpt() / TCP(sport=1234, dport=443, flags="A"),
        "udp6_fragment": e / v6 / IPv6ExtHdrFragment(m=1) / UDP(sport=1, dport=53),
        "udp4_fragment": e / IP(src="192.0.2.1", dst="10.0.0.100", flags="MF") / UDP(sport=1, dport=53),
        "tcp4_options": e / IP(src="192.0.2.1", dst="10.0.0.100", options=[IPOption_NOP()] * 4)
                        / TCP(sport=1234, dport=80),
        "vlan_tcp4": e / Dot1Q(vlan=5) / v4 / TCP(sport=1234, dport=80, flags="S"),
        "qinq_udp6": e / Dot1Q(vlan=5) / Dot1Q(vlan=6) / v6 / UDP(sport=1, dport=53),
        "arp_request": Ether(dst="ff:ff:ff:ff:ff:ff", src=CLIENT)
                       / ARP(op=1, hwsrc=CLIENT, psrc="10.0.0.5", pdst="10.0.0.100"),
        "arp_reply": e / ARP(op=2, hwsrc=CLIENT, psrc="10.0.0.21", pdst="10.0.0.10"),
        "ns": Ether(dst="33:33:ff:00:01:00", src=CLIENT)
              / IPv6(src="2001:db8::5", dst="ff02::1:ff00:100", hlim=255)
              / ICMPv6ND_NS(tgt="2001:db8::100") / ICMPv6NDOptSrcLLAddr(lladdr=CLIENT),
        "na": e / IPv6(src="2001:db8::21", dst="2001:db8::10", hlim=255)
              / ICMPv6ND_NA(tgt="2001:db8::21", R=0, S=1, O=1) / ICMPv6NDOptDstLLAddr(lladdr=CLIENT),
        "echo4": e / v4 / ICMP(type=8) / Raw(b"ping"),
        "echo6": e / v6 / ICMPv6EchoRequest(data=b"ping6"),
        "frag_needed": e / IP(src="198.51.100.1", dst="10.0.0.100") / ICMP(type=3, code=4, nexthopmtu=1400)
                       / IP(src="10.0.0.100", dst="192.0.2.1") / TCP(sport=80, dport=1234, flags="A"),
        "too_big6": e / IPv6(src="2001:db8:7::1", dst="2001:db8::100") / ICMPv6PacketTooBig(mtu=1280)
                    / IPv6(src="2001:db8::100", dst="2001:db8:5::1") / TCP(sport=443, dport=1234),
        "vrrp": Ether(dst="01:00:5e:00:00:12", src=CLIENT) / IP(src="10.0.0.1", dst="224.0.0.18", proto=112, ttl=255)
                / Raw(bytes([0x31, 51, 150, 1, 0, 100, 0, 0, 10, 0, 0, 100])),
    }


def control_inputs():
    advert = bytes([0x31, 51, 150, 1, 0x00, 100, 0, 0])
    update = b'[[vip]]\nname = "www"\naddress = "10.0.0.100"\nprotocol = "tcp"\nport = 80\n' \
             b'mode = "dsr-l2"\n  [[vip.backend]]\n  address = "10.0.0.21"\n  weight = 3\n'
    # common/channel/message.h: magic, version 3, type, payload length.
    header = lambda kind, payload: b"SLC1" + struct.pack("!HHI", 3, kind, len(payload)) + payload
    # common/channel/stats.h: generation, counters, then a VIP with one IPv4 backend.
    stats = (struct.pack("!QI", 7, 1) + bytes([10]) + b"rx_packets" + struct.pack("!Q", 42)
             + struct.pack("!I", 1) + bytes([3]) + b"www" + struct.pack("!QQQQI", 42, 4200, 3, 0, 1)
             + bytes(10) + b"\xff\xff" + bytes([10, 0, 0, 21]) + struct.pack("!QQQ", 42, 4200, 3))
    return {
        "vrrp4": bytes([0x00]) + advert + bytes([10, 0, 0, 100]),
        "vrrp6": bytes([0x04]) + advert + bytes(16),
        "http_ok": bytes([0x01]) + b"HTTP/1.1 200 OK\r\n",
        "http_bare": bytes([0x01]) + b"HTTP/1.0 503",
        "channel": bytes([0x0a]) + header(1, update) + header(4, b""),
        "channel_stats": bytes([0x02]) + header(5, stats),
        # common/channel/trace.h and conns.h: a question and an answer of each.
        "channel_trace": bytes([0x02]) + header(7, b"port lan0\ntuple tcp 192.0.2.1 40000 10.0.0.100 80 S\n")
        + header(8, b"port lan0\nlength 54\npacket ipv4\nflow tcp 192.0.2.1 40000 10.0.0.100 80\n"
                 b"tcp_flags S\nhash 7\nvip www\nmode dsr-l2\nworker 0 1 only-worker\n"
                 b"flow_table hit\nentry 10.0.0.21 established 5\nmaglev 3 65537 10.0.0.21\n"
                 b"backend 10.0.0.21\nverdict forward\ncounter forwarded\noutput 0200\n"
                 b"output_macs 02:00:00:00:00:10 02:00:00:00:00:21\n"
                 b"outer udp 172.16.0.1 40001 10.0.0.21 6080\n"),
        "channel_conns": bytes([0x02]) + header(9, b"vip www\nlimit 10\n")
        + header(10, b"vip www\nflows 1\nbackend 10.0.0.21 1\n"
                  b"conn tcp 192.0.2.1 40000 80 10.0.0.21 0 established 5\n"),
        "update": bytes([0x03]) + update,
    }


def http_listener():
    get = lambda path: b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1:9101\r\n\r\n"
    form = b"vip=www&backend=10.0.0.12&state=drain"
    post = (b"POST /admin/backend HTTP/1.1\r\nHost: 127.0.0.1:9101\r\nX-Sluice-Admin: 1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nOrigin: http://127.0.0.1:9101\r\n"
            b"Content-Length: %d\r\n\r\n" % len(form) + form)
    return {
        "metrics": bytes([0x00]) + get(b"/metrics"),
        "pipelined": bytes([0x00]) + get(b"/status.json") + get(b"/") + get(b"/nope"),
        "head_10": bytes([0x00]) + b"HEAD /status.js HTTP/1.0\r\n\r\n",
        "admin_allowed": bytes([0x03]) + post,
        "admin_other_source": bytes([0x01]) + post,
        "admin_disabled": bytes([0x02]) + post,
        "weight": bytes([0x03]) + post.replace(b"state=drain", b"weight=7").replace(
            b"Length: %d" % len(form), b"Length: %d" % (len(form) - 2)),
        "chunked": bytes([0x00]) + b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n",
        "folded": bytes([0x00]) + b"GET / HTTP/1.1\r\nHost: h\r\n x\r\n\r\n",
    }


def write(outdir):
    paths = {"packet_path": os.path.join(outdir, "packet_path"),
             "control_inputs": os.path.join(outdir, "control_inputs"),
             "http_listener": os.path.join(outdir, "http_listener")}
    for path in paths.values():
        os.makedirs(path, exist_ok=True)
    for name, frame in frames().items():
        for control in (0x00, 0x0f):
            with open(os.path.join(paths["packet_path"], "%s_%02x" % (name, control)), "wb") as f:
                f.write(bytes([control]) + raw(frame))
    for name, data in control_inputs().items():
        with open(os.path.join(paths["control_inputs"], name), "wb") as f:
            f.write(data)
    for name, data in http_listener().items():
        with open(os.path.join(paths["http_listener"], name), "wb") as f:
            f.write(data)
    return paths


def main():
    args = sys.argv[1:]
    if len(args) == 1 and not args[0].startswith("-"):
        write(args[0])
        return 0
    if len(args) >= 2 and args[0] == "--replay":
        replay, rest = args[1], args[2:]
        target = os.path.basename(replay).removesuffix("_replay")  # <target>_replay
        with tempfile.TemporaryDirectory(prefix="sluice-fuzz-seeds.") as tmp:
            paths = write(tmp)
            # Sanitizer reports abort, so that the replay prints the input that failed.
            env = dict(os.environ, ASAN_OPTIONS="abort_on_error=1",
                       UBSAN_OPTIONS="abort_on_error=1:print_stacktrace=1")
            return subprocess.run([replay] + rest + [paths[target]], env=env).returncode
    if len(args) == 3 and args[0] == "--fuzz":
        return fuzz(args[1], int(args[2]))
    print(__doc__, file=sys.stderr)
    return 2


def fuzz(binary, seconds):
    """libFuzzer on the seeds for `seconds`; the corpus and any failing input are kept in a
    temporary directory that is printed when the run fails."""
    target = os.path.basename(binary).removesuffix("_fuzz")  # <target>_fuzz
    tmp = tempfile.mkdtemp(prefix=f"sluice-fuzz-{target}.")
    paths = write(os.path.join(tmp, "seeds"))
    corpus = os.path.join(tmp, "corpus")
    os.mkdir(corpus)
    run = subprocess.run([binary, f"-max_total_time={seconds}", "-max_len=9002",
                          "-print_final_stats=1", f"-artifact_prefix={tmp}/crash-",
                          corpus, paths[target]],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if run.returncode != 0:
        print(run.stdout[-6000:])
        print(f"{target}: libFuzzer exit {run.returncode}; inputs and corpus in {tmp}")
        return 1
    runs = re.search(r"stat::number_of_executed_units:\s*(\d+)", run.stdout)
    print(f"{target}: {runs.group(1) if runs else '?'} inputs in {seconds} s, no finding")
    shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
