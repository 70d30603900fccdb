#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# sluice-decap as an operator uses it, on a veth pair in a namespace this test creates
# and removes: attach (auto, generic, replace), stats from another process, detach, and
# the errors (missing interface, nothing attached, a foreign XDP program, bad options,
# not root). Exit 77 (skipped) when not root.
#
#   tests/bpf/decap_cli_test.sh BUILD/bpf/sluice-decap
set -uo pipefail

DECAP="${1:?usage: $0 path/to/sluice-decap}"
STEERING_OBJ="$(dirname "$DECAP")/steering.bpf.o"
NS="sldc$$"
failures=0

if [[ $(id -u) -ne 0 ]]; then
  echo "SKIP: needs root (network namespace, XDP attach)"
  exit 77
fi

cleanup() { ip netns del "$NS" 2>/dev/null; }
trap cleanup EXIT

ok() { printf 'ok: %s\n' "$*"; }
bad() {
  printf 'FAIL: %s\n' "$*" >&2
  failures=$((failures + 1))
}
in_ns() { ip netns exec "$NS" "$@"; }

# expect STATUS PATTERN CMD...: CMD exits with STATUS and its output matches PATTERN.
expect() {
  local want="$1" pattern="$2" out rc
  shift 2
  out="$("$@" 2>&1)"
  rc=$?
  if [[ $rc -ne $want ]]; then
    bad "'$*' exited $rc, want $want; output: $out"
  elif ! grep -Eq -- "$pattern" <<<"$out"; then
    bad "'$*' output does not match /$pattern/: $out"
  else
    ok "$* -> $rc, /$pattern/"
  fi
}

ip netns add "$NS" || { echo "SKIP: cannot create a network namespace"; exit 77; }
in_ns ip link set lo up
in_ns ip link add va type veth peer name vb
in_ns ip addr add 192.0.2.1/24 dev va
in_ns ip -6 addr add 2001:db8::1/64 dev va nodad
in_ns ip link set va up
in_ns ip link set vb up

expect 2 "usage" "$DECAP"
expect 2 "unknown command" "$DECAP" frobnicate a
expect 2 "needs an interface" "$DECAP" attach
expect 2 "want a port 1-65535" "$DECAP" attach va --gue-port 0
expect 2 "not an IPv4 or IPv6 address" "$DECAP" attach va --local 300.1.1.1
expect 2 "want auto, native or generic" "$DECAP" attach va --mode fast
expect 2 "takes no option" "$DECAP" stats va --gue-port 1
expect 1 "must run as root" setpriv --reuid=nobody --regid=nogroup --clear-groups "$DECAP" stats va
expect 1 "interface 'nosuch0' not found" in_ns "$DECAP" attach nosuch0
expect 1 "no XDP program is attached to va" in_ns "$DECAP" stats va
expect 1 "no XDP program is attached to va" in_ns "$DECAP" detach va

# Default locals: the interface's addresses (the link-local IPv6 one left out).
expect 0 "^attached sluice_decap on va .*(native|generic) mode" in_ns "$DECAP" attach va
expect 0 "local addresses: (192\.0\.2\.1 2001:db8::1|2001:db8::1 192\.0\.2\.1)$" in_ns "$DECAP" stats va
expect 0 "gue port: 6080" in_ns "$DECAP" stats va
expect 0 "decapsulated_ipip +0 +0" in_ns "$DECAP" stats va
# Attach again: replaced in place with the new settings.
expect 0 "^replaced sluice_decap on va" in_ns "$DECAP" attach va --gue-port 7000 --local 198.51.100.9
expect 0 "gue port: 7000" in_ns "$DECAP" stats va
expect 0 "local addresses: 198\.51\.100\.9$" in_ns "$DECAP" stats va
expect 0 "detached sluice_decap from va" in_ns "$DECAP" detach va
if in_ns ip link show dev va >/dev/null && ! in_ns ip link show dev va | grep -q 'prog/xdp'; then
  ok "no XDP program left on va"
else
  bad "an XDP program is still attached to va after detach (or va is gone)"
fi

# Generic mode, then traffic-free counters are all zero except what the kernel sent.
expect 0 "generic mode" in_ns "$DECAP" attach va --mode generic
expect 1 "detach it first to attach in native mode" in_ns "$DECAP" attach va --mode native
expect 0 "detached" in_ns "$DECAP" detach va

# Another program on the interface is never replaced or removed.
if [[ -f "$STEERING_OBJ" ]] && in_ns ip link set dev va xdpgeneric obj "$STEERING_OBJ" sec xdp 2>/dev/null; then
  expect 1 "already runs XDP program 'sluice_steer'" in_ns "$DECAP" attach va
  expect 1 "runs XDP program 'sluice_steer'.*not sluice_decap" in_ns "$DECAP" detach va
  in_ns ip link set dev va xdpgeneric off
else
  echo "note: could not attach $STEERING_OBJ with ip link; foreign-program cases skipped"
fi

# The loader leaves nothing behind when the namespace goes: its attachment dies with va.
expect 0 "attached" in_ns "$DECAP" attach vb --local 192.0.2.2
in_ns ip link del va

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
