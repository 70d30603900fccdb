# SPDX-License-Identifier: BSD-3-Clause
"""Where sluice sends a new flow, written again in Python from the documented algorithms
(CRC32-C, murmur3's finalizers, Maglev with weights: README "Decisions"), so that packet
fixtures can name the backend a flow must reach without asking the C++ code.

    table = maglev_table(["10.0.0.21", "10.0.0.22"], 13)
    backend = table[reduce(source_hash("192.0.2.1"), 13)]

Standard library only.
"""
import socket
import struct


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(seed, data):
    crc = seed
    for b in data:
        crc = _CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


def mix32(h):
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    h ^= h >> 16
    return h


def mix64(h):
    mask = (1 << 64) - 1
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & mask
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & mask
    h ^= h >> 33
    return h


def addr16(text):
    """An address as sluice keeps it: 16 bytes, IPv4 mapped into ::ffff:0:0/96."""
    if ":" in text:
        return socket.inet_pton(socket.AF_INET6, text)
    return b"\0" * 10 + b"\xff\xff" + socket.inet_aton(text)


def flow_hash(src, dst, sport, dport, proto):
    """The 5-tuple hash: flow table, flow owner, GUE source port, flow label, Maglev."""
    key = addr16(src) + addr16(dst) + struct.pack("<HHB3x", sport, dport, proto)
    return mix32(crc32c(0x5109CE11, key))


def reduce(h, n):
    return (h * n) >> 32


def maglev_table(identities, size, weights=None):
    """The Maglev table of backends named by their address text: slot -> identity."""
    weights = weights or [1] * len(identities)
    members = sorted((ident, w) for ident, w in zip(identities, weights) if w > 0)
    table = [None] * size
    if not members:
        return table
    parts = []
    for ident, w in members:
        raw = ident.encode()
        offset = mix64(0x6D61676C << 32 | crc32c(0x6D61676C, raw)) % size
        skip = mix64(0x736B6970 << 32 | crc32c(0x736B6970, raw)) % (size - 1) + 1
        parts.append({"id": ident, "w": w, "credit": 0, "pos": offset, "skip": skip})
    max_w = max(w for _, w in members)
    taken, filled = [False] * size, 0
    while True:
        for p in parts:
            p["credit"] += p["w"]
            if p["credit"] < max_w:
                continue
            p["credit"] -= max_w
            slot = p["pos"]
            while taken[slot]:
                slot = (slot + p["skip"]) % size
            taken[slot] = True
            table[slot] = p["id"]
            p["pos"] = (slot + p["skip"]) % size
            filled += 1
            if filled == size:
                return table


def source_hash(src, dst=None):
    """A VIP's `hash = "source"` (dst None) or "source-destination": what Maglev places
    its new flows by instead of flow_hash."""
    data = addr16(src) + (addr16(dst) if dst else b"")
    return mix32(crc32c(0x736F7572, data))
