# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# Reading the current lb node's dataplane over DPDK telemetry: one command's JSON reply
# (sluice_telemetry), its counters flattened (sluice_stats, json_flat, stat_get), whether
# every backend is resolved, one backend's state. Reads TOPO_FILE_PREFIX (the node's
# DPDK file prefix) and PY.

[[ -n "${_SLUICE_TELEMETRY_SH:-}" ]] && return 0
_SLUICE_TELEMETRY_SH=1
# shellcheck source=scripts/lib/netns.sh
source "$(dirname "${BASH_SOURCE[0]}")/netns.sh"

sluice_telemetry_socket() { echo "/var/run/dpdk/$TOPO_FILE_PREFIX/dpdk_telemetry.v2"; }

# sluice_telemetry CMD: run one DPDK telemetry command, print the JSON reply.
sluice_telemetry() {
  "$PY" - "$(sluice_telemetry_socket)" "$1" <<'PYEOF'
import json, socket, sys
path, cmd = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(3)
try:
    s.connect(path)
    banner = json.loads(s.recv(4096).decode())
    s.send(cmd.encode())
    reply = s.recv(int(banner.get("max_output_len", 16384)) + 1024).decode()
except OSError as e:
    sys.exit(f"telemetry {path}: {e}")
json.loads(reply)  # fail loudly on a malformed reply
print(reply)
PYEOF
}

sluice_stats() { sluice_telemetry /sluice/stats; }

# sluice_all_resolved: true when every backend of every VIP has a resolved next-hop MAC.
sluice_all_resolved() {
  local vip vips
  # Until the dataplane has registered its commands, /sluice/vips is null: not resolved.
  vips="$(sluice_telemetry /sluice/vips | "$PY" -c 'import json,sys
for v in json.load(sys.stdin)["/sluice/vips"]: print(v)')" || return 1
  for vip in $vips; do
    sluice_telemetry "/sluice/backends,$vip" | grep -q unresolved && return 1
  done
  return 0
}

# json_flat: JSON on stdin -> one "a.b.c=value" line per leaf (lists by index), so
# shell tests can grep counters without knowing the nesting.
json_flat() {
  "$PY" -c '
import json, sys
def walk(p, v):
    if isinstance(v, dict):
        for k, x in v.items(): walk(f"{p}.{k}" if p else str(k), x)
    elif isinstance(v, list):
        for i, x in enumerate(v): walk(f"{p}.{i}" if p else str(i), x)
    else:
        print(f"{p}={v}")
walk("", json.load(sys.stdin))
'
}

# stat_get NAME: the value of the first flattened stats leaf whose last path
# component is NAME (e.g. stat_get tx_packets); empty if there is none.
stat_get() {
  sluice_stats | json_flat | awk -F= -v n="$1" '{k=$1; sub(/.*\./, "", k)} k==n {print $2; exit}'
}

# dataplane_backend_state VIP ADDR: the state (ready, drain, maint) the dataplane itself
# has for backend ADDR of VIP, from its telemetry; "absent" when it has no such backend.
dataplane_backend_state() {
  local key="${2//[.:]/_}" s
  s="$(sluice_telemetry "/sluice/backends,$1" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)["/sluice/backends"] or {}
print(d.get(sys.argv[1], {}).get("state", "absent"))' "$key" 2>/dev/null)"
  echo "${s:-absent}"
}
