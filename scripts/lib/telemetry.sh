# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# Reading the current lb node's dataplane over DPDK telemetry: one command's JSON reply
# (sluice_telemetry), its counters flattened (sluice_stats, json_flat, stat_get), whether
# every backend is resolved, one backend's state; the JSON is read by tests/lib/*.py.
# Reads TOPO_FILE_PREFIX (the node's DPDK file prefix), PY and REPO_ROOT.

[[ -n "${_SLUICE_TELEMETRY_SH:-}" ]] && return 0
_SLUICE_TELEMETRY_SH=1
# shellcheck source=scripts/lib/netns.sh
source "$(dirname "${BASH_SOURCE[0]}")/netns.sh"

sluice_telemetry_socket() { echo "/var/run/dpdk/$TOPO_FILE_PREFIX/dpdk_telemetry.v2"; }

# sluice_telemetry CMD: run one DPDK telemetry command, print the JSON reply.
sluice_telemetry() {
  "$PY" "$REPO_ROOT/tests/lib/telemetry.py" "$(sluice_telemetry_socket)" "$1"
}

sluice_stats() { sluice_telemetry /sluice/stats; }

# sluice_all_resolved: true when every backend of every VIP has a resolved next-hop MAC.
sluice_all_resolved() {
  local vip vips
  # Until the dataplane has registered its commands, /sluice/vips is null: not resolved.
  vips="$(sluice_telemetry /sluice/vips | "$PY" "$REPO_ROOT/tests/lib/telemetry_answer.py" vips)" || return 1
  for vip in $vips; do
    sluice_telemetry "/sluice/backends,$vip" | grep -q unresolved && return 1
  done
  return 0
}

# json_flat: JSON on stdin -> one "a.b.c=value" line per leaf (lists by index), so
# shell tests can grep counters without knowing the nesting.
json_flat() { "$PY" "$REPO_ROOT/tests/lib/json_flat.py"; }

# stat_get NAME: the value of the first flattened stats leaf whose last path
# component is NAME (e.g. stat_get tx_packets); empty if there is none.
stat_get() {
  sluice_stats | json_flat | awk -F= -v n="$1" '{k=$1; sub(/.*\./, "", k)} k==n {print $2; exit}'
}

# dataplane_backend_state VIP ADDR: the state (ready, drain, maint) the dataplane itself
# has for backend ADDR of VIP, from its telemetry; "absent" when it has no such backend.
dataplane_backend_state() {
  local key="${2//[.:]/_}" s
  s="$(sluice_telemetry "/sluice/backends,$1" |
    "$PY" "$REPO_ROOT/tests/lib/telemetry_answer.py" backend-state "$key" 2>/dev/null)"
  echo "${s:-absent}"
}
