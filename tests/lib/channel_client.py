# SPDX-License-Identifier: BSD-3-Clause
"""The control channel between sluiced and sluice-dataplane (common/channel/message.h,
stats.h, trace.h and conns.h), spoken from Python by the fixture tests: framing, reading
one message, the kStats payload, the text fields of the trace and conns answers."""
import ipaddress
import socket
import struct

VERSION = 4  # common/channel/message.h kVersion
DESIRED, APPLIED, REJECTED, GET_STATS, STATS, ANNOUNCE = 1, 2, 3, 4, 5, 6
TRACE, TRACE_RESULT, CONNS, CONNS_RESULT = 7, 8, 9, 10


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
    (generation, [(counter, value)],
     {vip: ((packets, bytes, new_flows, syns_not_admitted), {address: (packets, bytes, new_flows)})},
     [{lcore, busy_ppm, busy_cycles, loop_cycles, active_flows, flow_capacity,
       flow_insert_failures, flow_evictions}] in worker order);
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
        vip, vip_traffic, backends = name(), traffic() + (number(8),), {}
        for _ in range(number(4)):
            address = ipaddress.IPv6Address(take(16))
            backends[str(address.ipv4_mapped or address)] = traffic()
        vips[vip] = (vip_traffic, backends)
    workers = []
    for _ in range(number(4)):
        worker = {"lcore": number(4), "busy_ppm": number(4)}
        for field in ("busy_cycles", "loop_cycles", "active_flows", "flow_capacity",
                      "flow_insert_failures", "flow_evictions"):
            worker[field] = number(8)
        workers.append(worker)
    if pos != len(body):
        raise ValueError(f"{len(body) - pos} bytes after the last worker")
    return generation, counters, vips, workers


def fields(body):
    """channel/fields.h: (name, value) per line, in order."""
    out = []
    for line in body.splitlines():
        if line:
            name, _, value = line.partition(" ")
            out.append((name, value))
    return out


def trace_result(body):
    """A kTraceResult as a dict of its fields' values (counter: a list; output: bytes)."""
    result = {"counter": []}
    for name, value in fields(body):
        if name == "counter":
            result["counter"].append(value)
        elif name == "output":
            result["output"] = bytes.fromhex(value)
        else:
            result[name] = value
    return result


def conns_result(body):
    """A kConnsResult as a dict: vip, flows, backends {address: flows}, conns [words]."""
    result = {"backends": {}, "conns": []}
    for name, value in fields(body):
        if name == "backend":
            address, flows = value.split()
            result["backends"][address] = int(flows)
        elif name == "conn":
            result["conns"].append(value.split())
        elif name == "flows":
            result["flows"] = int(value)
        else:
            result[name] = value
    return result


def ask(s, kind, payload, answer_kind):
    """Sends one question and reads its answer's body, which must be of `answer_kind`."""
    s.sendall(frame(kind, payload.encode()))
    got, body = read_message(s)
    assert got == answer_kind, (got, body)
    return body


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    return s
