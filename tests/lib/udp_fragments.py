#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A UDP service whose requests the client's kernel fragments, for e2e_fragments.sh.

  udp_fragments.py serve NAME PORT ADDRESS...
      answers every datagram received on ADDRESS:PORT (each address, IPv4 or IPv6) with
      "NAME LENGTH SHA256-PREFIX" of what the kernel reassembled, from that address.
  udp_fragments.py send ADDRESS PORT COUNT SIZE MTU
      sends COUNT datagrams of SIZE bytes, each from a socket of its own (a new flow), and
      a small whole datagram of the same flow (before the big one for even datagrams,
      after it for odd ones); prints one JSON line: answered, intact, the backends that
      answered each flow, flows whose two datagrams two backends answered, and the
      fragments per big datagram the kernel makes at MTU.
"""
import hashlib
import json
import os
import select
import socket
import sys


def family_of(address):
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def serve(name, port, addresses):
    socks = []
    for address in addresses:
        s = socket.socket(family_of(address), socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((address, port))
        socks.append(s)
    print(f"{name}: serving {addresses} port {port}", flush=True)
    while True:
        ready, _, _ = select.select(socks, [], [])
        for s in ready:
            data, peer = s.recvfrom(65535)
            digest = hashlib.sha256(data).hexdigest()[:16]
            s.sendto(f"{name} {len(data)} {digest}".encode(), peer)


def ask(s, address, port, payload):
    """Sends one datagram; the answer split in words, or None after 2 s."""
    s.sendto(payload, (address, port))
    ready, _, _ = select.select([s], [], [], 2.0)
    if not ready:
        return None
    return s.recv(4096).decode().split()


def send(address, port, count, size, mtu):
    v6 = ":" in address
    per_fragment = (mtu - (48 if v6 else 20)) // 8 * 8
    fragments = -(-(size + 8) // per_fragment)
    answered = intact = 0
    split = []
    backends = {}
    for i in range(count):
        with socket.socket(family_of(address), socket.SOCK_DGRAM) as s:
            big = os.urandom(size)
            small = b"probe %d" % i
            order = [big, small] if i % 2 else [small, big]
            who = []
            for payload in order:
                reply = ask(s, address, port, payload)
                if reply is None:
                    continue
                answered += 1
                name, length, digest = reply
                if int(length) == len(payload) and digest == hashlib.sha256(payload).hexdigest()[:16]:
                    intact += 1
                who.append(name)
                backends[name] = backends.get(name, 0) + 1
            if len(set(who)) > 1:
                split.append(i)
    print(json.dumps({"sent": 2 * count, "answered": answered, "intact": intact,
                      "split": split, "backends": backends,
                      "fragments_per_datagram": fragments}))


def main(argv):
    if len(argv) >= 4 and argv[1] == "serve":
        serve(argv[2], int(argv[3]), argv[4:])
    elif len(argv) == 7 and argv[1] == "send":
        send(argv[2], int(argv[3]), int(argv[4]), int(argv[5]), int(argv[6]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
