# SPDX-License-Identifier: BSD-3-Clause
"""The control channel between sluiced and sluice-dataplane (common/channel/message.h and
stats.h), spoken from Python by the fixture tests: framing, reading one message, the
kStats payload."""
import ipaddress
import socket
import struct

VERSION = 2  # common/channel/message.h kVersion
DESIRED, APPLIED, REJECTED, GET_STATS, STATS, ANNOUNCE = 1, 2, 3, 4, 5, 6


def frame(kind, payload=b"", version=VERSION):
    return b"SLC1" + struct.pack(">HHI", version, kind, len(payload)) + payload


def read_message(s):
    header = b""
    while len(header) < 12:
        chunk = s.recv(12 - len(header))
        if not chunk:
            return None
        header += chunk
    magic, version, kind, length = struct.unpack(">4sHHI", header)
    assert magic == b"SLC1" and version == VERSION, header
    body = b""
    while len(body) < length:
        body += s.recv(length - len(body))
    return kind, body if kind == STATS else body.decode()


def decode_stats(body):
    """common/channel/stats.h's encoding, which must fill the payload exactly, as
    (generation, [(counter, value)], {vip: ((packets, bytes, new_flows), {address: (...)})});
    ValueError when it does not."""
    pos = 0

    def take(n):
        nonlocal pos
        if pos + n > len(body):
            raise ValueError(f"{n} bytes wanted at byte {pos} of {len(body)}")
        pos += n
        return body[pos - n:pos]

    def number(size):
        return int.from_bytes(take(size), "big")

    def name():
        text = take(number(1)).decode("ascii")
        if not text or not all("!" <= c <= "~" for c in text):
            raise ValueError(f"bad name {text!r} before byte {pos}")
        return text

    def traffic():
        return number(8), number(8), number(8)

    generation = number(8)
    counters = [(name(), number(8)) for _ in range(number(4))]
    vips = {}
    for _ in range(number(4)):
        vip, vip_traffic, backends = name(), traffic(), {}
        for _ in range(number(4)):
            address = ipaddress.IPv6Address(take(16))
            backends[str(address.ipv4_mapped or address)] = traffic()
        vips[vip] = (vip_traffic, backends)
    if pos != len(body):
        raise ValueError(f"{len(body) - pos} bytes after the last VIP")
    return generation, counters, vips


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    return s
