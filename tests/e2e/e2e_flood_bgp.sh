#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: BGP and BFD get through a flood (docs/exception-path.md).
#
# One sluice node (lb) and the router of the BGP tests (scripts/lib/bgp.sh: FRR with
# bgpd and bfdd, BFD 100 ms x 3). The node's kernel sees the link only through its
# dataplane's TAP exception path, as on a NIC that DPDK owns: it answers no ARP on the
# veth and its strict reverse-path filter drops every IP packet that comes in there. Its
# address, LB_KERNEL4, is not the port's: it is on the TAP and in the port's
# host_addresses. BIRD there holds the BGP session (with BFD) with the router and
# announces the VIP for sluiced. host_rate_limit is 1000 frames/s.
#
# A paced flood from the client namespace (tests/lib/udp_flood.py, FLOOD_S = 20 s):
# JUNK_PPS (6000) frames/s of junk UDP to the kernel's own address and VIP_PPS (3000) of
# UDP to the VIP's "flood" service. Asserted: the junk over the limit dropped as
# to_host_rate_limited; every BFD packet of the router that reached the node's veth
# reached its kernel (captured on the TAP), and every one of the node's kernel reached the
# router's side of the bridge (the control traffic's loss both ways, 0); no BGP session
# drop (FRR's connections established and dropped, BIRD's session since) and no BFD
# session down event; the router's route to the VIP unchanged; every frame received in
# exactly one outcome. The flood rate is logged. lb1's af_packet RX ring is 16384 frames
# (DPDK's default, 512, overflows within 60 ms of a scheduling stall of this shared box):
# a frame lost there is lost before any classification, and fails the run as such.
#
#   BUILD_DIR=build-x tests/e2e/e2e_flood_bgp.sh
#   FLOOD_S=10 JUNK_PPS=20000 BUILD_DIR=build-x tests/e2e/e2e_flood_bgp.sh
set -euo pipefail
# shellcheck source=scripts/lib/netns.sh
source "$(dirname "$0")/../../scripts/lib/netns.sh"
# shellcheck source=scripts/lib/config.sh
source "$(dirname "$0")/../../scripts/lib/config.sh"
# shellcheck source=scripts/lib/telemetry.sh
source "$(dirname "$0")/../../scripts/lib/telemetry.sh"
# shellcheck source=scripts/lib/dataplane.sh
source "$(dirname "$0")/../../scripts/lib/dataplane.sh"
# shellcheck source=scripts/lib/sluiced.sh
source "$(dirname "$0")/../../scripts/lib/sluiced.sh"
# shellcheck source=scripts/lib/lb2.sh
source "$(dirname "$0")/../../scripts/lib/lb2.sh"
# shellcheck source=scripts/lib/bgp.sh
source "$(dirname "$0")/../../scripts/lib/bgp.sh"
# shellcheck source=scripts/lib/e2e.sh
source "$(dirname "$0")/../../scripts/lib/e2e.sh"

FLOOD_S="${FLOOD_S:-20}"
JUNK_PPS="${JUNK_PPS:-6000}"
VIP_PPS="${VIP_PPS:-3000}"
HOST_RATE_LIMIT=1000
TAP=sl-lan0
FLOOD_PORT=9
BFD_PORT=3784
export SLUICED_CONTROLPLANE=1 SLUICE_NO_VIP6=1
export SLUICED_WWW_CHECK="$SLUICED_FAST_HTTP_CHECK"
# A routed VIP, in no subnet of the site: only the BGP route brings it to the node.
VIP4=10.213.0.100
T_START=$SECONDS

require_root
sluice_require_bin
sluiced_require_bin
bgp_require
e2e_traps
trap 'e2e_cleanup; bgp_down' EXIT

# node_config: the node's BGP config, its port with a TAP whose kernel has LB_KERNEL4,
# and the flood VIP.
node_config() {
  bgp_node_config lb |
    sed 's/^device = "net_af_packet0,iface=\([^",]*\)"$/device = "net_af_packet0,iface=\1,framecnt=16384,blocksz=4096,framesz=2048"/' |
    sed "/^device = /a exception_path = \"tap\"\ntap_name = \"$TAP\"\nhost_addresses = [\"$LB_KERNEL4\"]" |
    sed "/^idle_sleep_us = /a host_rate_limit = $HOST_RATE_LIMIT"
  cat <<EOF

[[vip]]
name = "flood"
address = "$VIP4"
protocol = "udp"
port = $FLOOD_PORT
mode = "dsr-l2"
  [[vip.backend]]
  address = "$WEB1_4"
  [[vip.backend]]
  address = "$WEB2_4"
EOF
}

# frr_neighbor KEY: a number of the router's BGP neighbour LB_KERNEL4 (FRR's json).
frr_neighbor() {
  vty "show bgp neighbors $LB_KERNEL4 json" | "$PY" -c '
import json, sys
n = json.load(sys.stdin)
print(next(iter(n.values())).get(sys.argv[1], 0))' "$1"
}
# bfd_counter KEY: a counter of the router's BFD session with LB_KERNEL4 (FRR's json).
bfd_counter() {
  vty "show bfd peer $LB_KERNEL4 counters json" | "$PY" -c '
import json, sys
print(json.load(sys.stdin).get(sys.argv[1], 0))' "$1"
}
# bird_since: when lb's BIRD says its session with the router came up.
bird_since() { birdc_run show protocols router1 | awk '$1 == "router1" { print $4, "since", $5 }'; }
established() { [[ "$(frr_neighbor bgpState)" == Established ]]; }

# outcomes_balanced: rx_packets is the sum of the outcome counters.
outcomes_balanced() {
  sluice_stats | "$PY" -c '
import json, sys
sys.path.insert(0, sys.argv[1])
import counter_table
s = json.load(sys.stdin)
s = s.get("/sluice/stats", s)
sys.exit(0 if s["rx_packets"] == counter_table.outcome_sum(s, s["drops"]) else 1)
' "$REPO_ROOT/tests/lib"
}

# --- setup ------------------------------------------------------------------------------
topo_up
router_up
frr_start
in_ns client ethtool -K eth0 tx off >/dev/null 2>&1 || true
lb_use lb
node_config >"$TOPO_DIR/lb1.toml"
grep -q "host_addresses = \[\"$LB_KERNEL4\"\]" "$TOPO_DIR/lb1.toml" || die "could not give the TAP's kernel its address"
grep -q "framecnt=16384" "$TOPO_DIR/lb1.toml" || die "could not enlarge the af_packet RX ring"
# The kernel takes nothing from the veth itself (the dataplane's packet socket reads it):
# no ARP answers there, and strict reverse-path filtering drops every IP packet, whose
# source is reached through the TAP.
in_ns lb sysctl -qw "net.ipv4.conf.$LB_IFACE.arp_ignore=8" "net.ipv4.conf.$LB_IFACE.rp_filter=1" \
  net.ipv4.conf.all.rp_filter=1
sluice_start "$TOPO_DIR/lb1.toml" || die "dataplane did not start"
wait_until 10 in_ns lb ip link show "$TAP" || die "no TAP $TAP"
in_ns lb ip addr add "$LB_KERNEL4/$NET4_PREFIX" dev "$TAP"
in_ns lb ip link set "$TAP" up
sluiced_start || die "sluiced did not start"
bird_start
for task in "/proc/$SLUICE_PID/task/"*; do
  renice -n -10 -p "${task##*/}" >/dev/null
done
wait_nexthops "$LB_KERNEL4" 40 "lb1 announcing through its TAP"
wait_for 15 bfd_up "$LB_KERNEL4" || die "BFD with lb1 not up: $(vty 'show bfd peers brief')"
ok "BGP (router: $VIP4 via $(router_nexthops "$VIP4")) and BFD up between the router and lb1's kernel, whose address $LB_KERNEL4 is a host address behind the TAP"
sleep 2

# --- the flood --------------------------------------------------------------------------
up0="$(frr_neighbor connectionsEstablished)" dropped0="$(frr_neighbor connectionsDropped)"
bfd_down0="$(bfd_counter session-down)" since0="$(bird_since)"
log "before the flood: FRR's session with lb1 established $up0 times, dropped $dropped0 (last reset: $(frr_neighbor lastResetDueTo))"
rx0="$(stat_get rx_packets)" limited0="$(stat_get to_host_rate_limited)"
control0="$(stat_get to_host_control)" lost0="$(stat_get port_lan0_kernel_drops)"
# BFD both ways: the router's packets as lb's veth gets them (its bridge port, out) and
# as lb's kernel does (the TAP, in); lb's kernel's as it sends them and as they reach the
# router's bridge port.
topo_bg sw "$TOPO_DIR/bfd-to-lb-wire.txt" tcpdump -i p-lb -n -tt -l --immediate-mode -Q out \
  "udp dst port $BFD_PORT and src host $ROUTER4"
pids=("$TOPO_LAST_PID")
topo_bg lb "$TOPO_DIR/bfd-to-lb-tap.txt" tcpdump -i "$TAP" -n -tt -l --immediate-mode -Q in \
  "udp dst port $BFD_PORT and src host $ROUTER4"
pids+=("$TOPO_LAST_PID")
topo_bg lb "$TOPO_DIR/bfd-from-lb-tap.txt" tcpdump -i "$TAP" -n -tt -l --immediate-mode -Q out \
  "udp dst port $BFD_PORT and src host $LB_KERNEL4"
pids+=("$TOPO_LAST_PID")
topo_bg sw "$TOPO_DIR/bfd-from-lb-wire.txt" tcpdump -i p-router -n -tt -l --immediate-mode -Q out \
  "udp dst port $BFD_PORT and src host $LB_KERNEL4"
pids+=("$TOPO_LAST_PID")
sleep 1
log "paced flood for $FLOOD_S s: $JUNK_PPS frames/s of junk UDP to lb1's kernel ($LB_KERNEL4), $VIP_PPS frames/s of UDP to $VIP4:$FLOOD_PORT"
t0="$EPOCHREALTIME"
read -r sent_junk sent_vip took < <(in_ns client nice -n 10 "$PY" "$REPO_ROOT/tests/lib/udp_flood.py" eth0 \
  "${TOPO_MAC[client]}" "$CLIENT4" "$FLOOD_S" "${TOPO_MAC[lb]},$LB_KERNEL4,$FLOOD_PORT,$JUNK_PPS" \
  "${TOPO_MAC[lb]},$VIP4,$FLOOD_PORT,$VIP_PPS")
t1="$EPOCHREALTIME"
sleep 1.5 # the last BFD packets of the flood reach every capture
for pid in "${pids[@]}"; do
  kill "$pid" 2>/dev/null || true
done
# in_window FILE: the tcpdump lines of FILE stamped inside the flood.
in_window() { awk -v a="$t0" -v b="$t1" '$1 >= a && $1 <= b + 0.1' "$1" | wc -l; }
to_wire="$(in_window "$TOPO_DIR/bfd-to-lb-wire.txt")" to_tap="$(in_window "$TOPO_DIR/bfd-to-lb-tap.txt")"
from_tap="$(in_window "$TOPO_DIR/bfd-from-lb-tap.txt")" from_wire="$(in_window "$TOPO_DIR/bfd-from-lb-wire.txt")"
elapsed="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
rx=$(($(stat_get rx_packets) - rx0))
limited=$(($(stat_get to_host_rate_limited) - limited0))
rx_lost=$(($(stat_get port_lan0_kernel_drops) - lost0))
log "sent $sent_junk junk and $sent_vip VIP frames in $took s; lb1 received $rx frames in $elapsed s ($(awk -v n="$rx" -v s="$elapsed" 'BEGIN { printf "%d", n / s }') frames/s), lost $rx_lost in its RX ring; control lane $(($(stat_get to_host_control) - control0)), rate limited $limited, to_host_full (all along) $(stat_get to_host_full)"
log "BFD during the flood: router -> lb1 $to_wire on the veth, $to_tap in the kernel (loss $((to_wire - to_tap))); lb1 -> router $from_tap sent, $from_wire on the router's port (loss $((from_tap - from_wire)))"

((sent_junk > 0 && sent_vip > 0)) || die "the flood sent nothing"
((limited > 0)) || die "the junk was not rate limited (to_host_rate_limited +$limited)"
ok "the junk over host_rate_limit ($HOST_RATE_LIMIT/s) was dropped as to_host_rate_limited (+$limited)"
((to_wire >= FLOOD_S * 5)) || die "too few BFD packets of the router during the flood ($to_wire in $elapsed s)"
((rx_lost == 0)) || die "lb1's af_packet RX ring lost $rx_lost frames: the receive path, before any classification, did not keep up (a loaded box?)"
((to_tap >= to_wire)) || die "BFD lost on the way in: $((to_wire - to_tap)) of the router's $to_wire did not reach lb1's kernel"
((from_wire >= from_tap && from_tap >= FLOOD_S * 5)) ||
  die "BFD lost on the way out: lb1's kernel sent $from_tap, the router's port got $from_wire"
ok "every BFD packet got through the flood both ways (router -> lb1 $to_tap of $to_wire, lb1 -> router $from_wire of $from_tap)"
established || die "the BGP session is not established after the flood: $(vty "show bgp summary")"
[[ "$(frr_neighbor connectionsEstablished)" == "$up0" && "$(frr_neighbor connectionsDropped)" == "$dropped0" ]] ||
  die "the BGP session dropped during the flood: established $up0 -> $(frr_neighbor connectionsEstablished), dropped $dropped0 -> $(frr_neighbor connectionsDropped)"
[[ "$(bird_since)" == "$since0" ]] || die "BIRD's session restarted: up since $since0, now $(bird_since)"
ok "no BGP session drop (FRR: $up0 established, $dropped0 dropped, as before; BIRD: router1 $since0)"
[[ "$(bfd_counter session-down)" == "$bfd_down0" ]] ||
  die "BFD went down during the flood: down events $bfd_down0 -> $(bfd_counter session-down)"
bfd_up "$LB_KERNEL4" || die "BFD is not up after the flood: $(vty 'show bfd peers brief')"
ok "no BFD session down event ($bfd_down0 before and after)"
nexthops_are "$LB_KERNEL4" || die "the router's route to $VIP4 changed: $(router_nexthops "$VIP4")"
ok "the router still routes $VIP4 via lb1 ($LB_KERNEL4)"
wait_until 5 outcomes_balanced || die "rx_packets is not the sum of the outcome counters: $(sluice_stats)"
ok "every frame received in exactly one outcome (rx_packets == the outcomes' sum)"
log "PASS in $((SECONDS - T_START)) s"
