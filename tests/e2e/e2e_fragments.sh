#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: a UDP service whose requests are fragmented, through sluice in every
# forwarding mode, with two workers.
#
# The client's link has an MTU of 1400, so its kernel cuts every 4000-byte request into
# three fragments; sluice's link keeps 1500, room for the tunnels' outer headers. web1
# and web2 run tests/lib/udp_fragments.py on the VIP (on lo, as for DSR), which answers
# each datagram with its length and a hash of what their kernel reassembled, straight to
# the client. In each phase, COUNT requests per family, each from a flow of its own with a
# small whole datagram of the same flow before or after it: every datagram answered
# intact, both datagrams of a flow by the same backend, both backends used;
# fragments_forwarded moved by exactly the fragments the client's kernel made, and none
# was held past its time or over a limit. The tunnels need sluice-decap on the backends.
#   1. net_af_packet with two queues (flow handoff both ways between the workers): IPv6
#      in dsr-l2, ipip (6in6) and gue. IPv4 cannot go this way: DPDK 22.11's af_packet
#      PMD joins its sockets with PACKET_FANOUT_FLAG_DEFRAG, so the kernel reassembles
#      IPv4 fragments before sluice reads them and a 4000-byte datagram is over the port's
#      mtu (checked: drops.over_mtu, nothing answered).
#   2. net_af_xdp, one queue for the two workers (the receiving one hands every frame to
#      the other): IPv4 and IPv6 in dsr-l2, ipip (4in4, 6in6) and gue.
#
#   BUILD_DIR=build-x tests/e2e/e2e_fragments.sh
#   COUNT=24             flows per family and phase
set -euo pipefail
# shellcheck source=scripts/lib/netns.sh
source "$(dirname "$0")/../../scripts/lib/netns.sh"
# shellcheck source=scripts/lib/config.sh
source "$(dirname "$0")/../../scripts/lib/config.sh"
# shellcheck source=scripts/lib/telemetry.sh
source "$(dirname "$0")/../../scripts/lib/telemetry.sh"
# shellcheck source=scripts/lib/dataplane.sh
source "$(dirname "$0")/../../scripts/lib/dataplane.sh"
# shellcheck source=scripts/lib/e2e.sh
source "$(dirname "$0")/../../scripts/lib/e2e.sh"

COUNT="${COUNT:-24}"
SIZE=4000
CLIENT_MTU=1400
UDP_PORT=5353
DECAP_BIN="${DECAP_BIN:-$BUILD_DIR/bpf/sluice-decap}"
BACKENDS=(web1 web2)
# shellcheck disable=SC2034 # read by sluice_config (config.sh)
SLUICE_WORKERS=2

require_root
sluice_require_bin
[[ -x "$DECAP_BIN" ]] || die "sluice-decap not found at $DECAP_BIN (build it: meson setup $BUILD_DIR && ninja -C $BUILD_DIR)"

DECAP_ATTACHED=()
fragments_cleanup() {
  local rc=$? node
  set +e
  for node in "${DECAP_ATTACHED[@]}"; do
    in_ns "$node" "$DECAP_BIN" detach eth0 >/dev/null 2>&1
  done
  (exit "$rc")
  e2e_cleanup
}
e2e_traps
trap fragments_cleanup EXIT

# udp_config MODE DEVICE: the run's dataplane config on DEVICE ("" keeps the default
# af_packet port) with a UDP VIP on each family, port UDP_PORT, in MODE, backends web1
# and web2 of the VIP's family.
udp_config() {
  local mode="$1" device="$2" vip name addr fam node
  if [[ -n $device ]]; then
    sluice_config | sed -e '/^\[\[vip\]\]/,$d' -e "s|^device = .*|device = \"$device\"|"
  else
    sluice_config | sed '/^\[\[vip\]\]/,$d'
  fi
  for vip in "dns|$VIP4|4" "dns6|$VIP6|6"; do
    IFS='|' read -r name addr fam <<<"$vip"
    printf '[[vip]]\nname = "%s"\naddress = "%s"\nprotocol = "udp"\nport = %s\nmode = "%s"\n' \
      "$name" "$addr" "$UDP_PORT" "$mode"
    if [[ $mode != dsr-l2 && $fam == 4 ]]; then echo 'encap_source = "172.16.0.0/16"'; fi
    if [[ $mode != dsr-l2 && $fam == 6 ]]; then echo 'encap_source6 = "fd00:5c::/64"'; fi
    for node in "${BACKENDS[@]}"; do
      if [[ $fam == 4 ]]; then addr="${TOPO_IP4[$node]}"; else addr="${TOPO_IP6[$node]}"; fi
      printf '  [[vip.backend]]\n  address = "%s"\n' "$addr"
    done
    echo
  done
}

drop_get() { sluice_stats | json_flat | awk -F= -v n="/sluice/stats.drops.$1" '$1 == n {print $2}'; }

# send FAMILY COUNT: the client's requests to the VIP of FAMILY; prints its JSON summary.
send() {
  local addr="$VIP4"
  [[ $1 == 6 ]] && addr="$VIP6"
  in_ns client "$PY" "$REPO_ROOT/tests/lib/udp_fragments.py" send "$addr" "$UDP_PORT" "$2" \
    "$SIZE" "$CLIENT_MTU"
}

# run_phase NAME FAMILIES...: COUNT flows per family through the running dataplane.
run_phase() {
  local name="$1" fam out fwd0 fwd1 frags=0 per
  shift
  fwd0="$(stat_get fragments_forwarded)"
  for fam in "$@"; do
    out="$(send "$fam" "$COUNT")" || die "$name: the client failed: $out"
    "$PY" - "$out" "$COUNT" <<'EOF' || die "$name: IPv$fam: $out"
import json, sys
r, count = json.loads(sys.argv[1]), int(sys.argv[2])
ok = (r["answered"] == r["sent"] == 2 * count and r["intact"] == r["sent"]
      and not r["split"] and len(r["backends"]) == 2)
sys.exit(0 if ok else 1)
EOF
    per="$("$PY" -c 'import json, sys; print(json.loads(sys.argv[1])["fragments_per_datagram"])' "$out")"
    frags=$((frags + COUNT * per))
    ok "$name: IPv$fam: $((2 * COUNT)) datagrams ($COUNT of $SIZE bytes in $per fragments) answered intact, each flow by one backend: $out"
  done
  fwd1="$(stat_get fragments_forwarded)"
  ((fwd1 - fwd0 == frags)) || die "$name: fragments_forwarded +$((fwd1 - fwd0)), the client's kernel made $frags"
  [[ "$(drop_get fragment_timeout)" == 0 && "$(drop_get fragment_over_limit)" == 0 ]] ||
    die "$name: fragments dropped: timeout $(drop_get fragment_timeout), over limit $(drop_get fragment_over_limit)"
  ok "$name: fragments_forwarded +$frags, as many as the client's kernel made; none timed out or over a limit"
}

# every_mode LABEL DEVICE FAMILIES...: dsr-l2, ipip and gue on a dataplane started on
# DEVICE (see udp_config).
every_mode() {
  local label="$1" device="$2" node out mode handed
  shift 2
  udp_config dsr-l2 "$device" >"$TOPO_DIR/dsr.toml"
  sluice_start "$TOPO_DIR/dsr.toml"
  wait_until 10 sluice_all_resolved || die "backends not resolved: $(sluice_telemetry /sluice/neighbors)"
  grep -q "each flow is handed to its worker" "$SLUICE_LOG" ||
    die "$label: two workers without flow handoff: $(grep port "$SLUICE_LOG")"
  run_phase "$label dsr-l2" "$@"
  for node in "${BACKENDS[@]}"; do
    out="$(in_ns "$node" "$DECAP_BIN" attach eth0 2>&1)" || die "sluice-decap attach on $node failed: $out"
    [[ " ${DECAP_ATTACHED[*]} " == *" $node "* ]] || DECAP_ATTACHED+=("$node")
  done
  for mode in ipip gue; do
    udp_config "$mode" "$device" >"$TOPO_DIR/$mode.toml"
    sluice_reload "$TOPO_DIR/$mode.toml"
    run_phase "$label $mode" "$@"
  done
  handed="$(stat_get handed_off)"
  ((handed > 0)) || die "$label: no frame was handed between the workers"
  ok "$label: the workers handed $handed frames over"
}

topo_up
topo_check_direct || die "topology broken before sluice even starts"
in_ns client ip link set eth0 mtu "$CLIENT_MTU"
for node in "${BACKENDS[@]}"; do
  topo_bg "$node" "$TOPO_DIR/$node/udp.log" "$PY" "$REPO_ROOT/tests/lib/udp_fragments.py" \
    serve "$node" "$UDP_PORT" "$VIP4" "$VIP6"
  wait_until 5 in_ns "$node" sh -c "ss -Hlun 'sport = :$UDP_PORT' | grep -q ." ||
    die "the UDP service on $node did not start: $(cat "$TOPO_DIR/$node/udp.log")"
done
ok "client MTU $CLIENT_MTU; a UDP service on the VIP on web1 and web2"

# --- 1. af_packet ----------------------------------------------------------------------------
every_mode af_packet "" 6
over0="$(drop_get over_mtu)"
out="$(send 4 2)"
over1="$(drop_get over_mtu)"
if [[ "$out" != *'"answered": 2,'* ]] || ((over1 - over0 != 2)); then
  die "af_packet, IPv4: expected the kernel to reassemble both big datagrams (over_mtu +$((over1 - over0))): $out"
fi
ok "af_packet, IPv4: the kernel reassembled the fragments (PACKET_FANOUT_FLAG_DEFRAG), both 4000-byte datagrams over the mtu: $out"
sluice_stop || die "sluice-dataplane exited with status $? on SIGTERM"

# --- 2. af_xdp --------------------------------------------------------------------------------
every_mode af_xdp "net_af_xdp0,iface=$LB_IFACE" 4 6
sluice_stop || die "sluice-dataplane exited with status $? on SIGTERM"
ok "sluice-dataplane stopped cleanly"
log "PASS"
