#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: the control traffic gets through a flood (docs/exception-path.md).
#
# The VRRP pair of e2e_vrrp.sh (TOPO_LB2=1: lb1 priority 150, lb2 100, advert interval
# 1 s), but each node's kernel sees the link only through its dataplane's TAP exception
# path, as on a NIC that DPDK owns: the kernel answers no ARP on the veth and its strict
# reverse-path filter drops every IP packet that comes in there (the af_packet socket of
# the dataplane reads them all), and the kernel's address is the dataplane's own
# (10.211.0.10 / .13), on the TAP. The VRRP adverts, sluiced's HTTP health checks of
# web1 and web2 and their replies all cross the dataplanes' exception paths, whose
# host_rate_limit is 1000 frames/s here. Two floods from the client namespace:
#
#   1. paced (tests/lib/udp_flood.py, FLOOD_S = 20 s): JUNK_PPS (6000) frames/s of junk
#      UDP to a multicast group, which every node's dataplane passes to its host, and
#      VIP_PPS (3000) of UDP to the VIP's "flood" service (udp/9), which lb1 forwards to
#      the backends: a flood the dataplanes receive whole on this box, six times their
#      host_rate_limit. Asserted: the junk over the limit dropped as
#      to_host_rate_limited on both nodes; every advert of lb1 that reached lb2's veth
#      reached lb2's kernel (captured on lb2's TAP: the control traffic's loss, 0); no
#      VRRP transition, both states as before; no health-check transition; every frame
#      received in exactly one outcome; the VIP still answers.
#   2. the fastest this box makes (two dpdk-testpmd txonly on af_packet, MAX_S = 10 s of
#      sending; 0 skips it): reported, not asserted. On a shared 2-core machine the
#      generators outrun the dataplanes' receive path and the af_packet RX rings
#      overflow (kernel_drops) before any classification, as a NIC's RX ring would;
#      control frames lost there are beyond the exception path's lanes.
#
# Not covered here: BGP and BFD through the exception path (tests/e2e/e2e_flood_bgp.sh),
# and the same run without the control lane (sluice has no switch to turn it off).
#
#   BUILD_DIR=build-x tests/e2e/e2e_flood_control.sh
#   FLOOD_S=10 MAX_S=0 JUNK_PPS=20000 BUILD_DIR=build-x tests/e2e/e2e_flood_control.sh
set -euo pipefail
# shellcheck source=scripts/lib/netns.sh
source "$(dirname "$0")/../../scripts/lib/netns.sh"
# shellcheck source=scripts/lib/config.sh
source "$(dirname "$0")/../../scripts/lib/config.sh"
# shellcheck source=scripts/lib/lb_node.sh
source "$(dirname "$0")/../../scripts/lib/lb_node.sh"
# shellcheck source=scripts/lib/telemetry.sh
source "$(dirname "$0")/../../scripts/lib/telemetry.sh"
# shellcheck source=scripts/lib/dataplane.sh
source "$(dirname "$0")/../../scripts/lib/dataplane.sh"
# shellcheck source=scripts/lib/sluiced.sh
source "$(dirname "$0")/../../scripts/lib/sluiced.sh"
# shellcheck source=scripts/lib/lb2.sh
source "$(dirname "$0")/../../scripts/lib/lb2.sh"
# shellcheck source=scripts/lib/ha.sh
source "$(dirname "$0")/../../scripts/lib/ha.sh"
# shellcheck source=scripts/lib/e2e.sh
source "$(dirname "$0")/../../scripts/lib/e2e.sh"

FLOOD_S="${FLOOD_S:-20}"  # the paced flood's seconds
MAX_S="${MAX_S:-10}"       # the fastest flood's seconds; 0: none
JUNK_PPS="${JUNK_PPS:-6000}"
VIP_PPS="${VIP_PPS:-3000}"
HOST_RATE_LIMIT=1000
VRID=52
TAP=sl-lan0
JUNK_GROUP=239.1.1.1
JUNK_MAC=01:00:5e:01:01:01
FLOOD_PORT=9
# The health check: GET / every 0.5 s (0.4 s timeout), down after 3 failures in a row.
export SLUICED_WWW_CHECK="type = \"http\"
port = 80
path = \"/\"
host = \"$WWW_HOST\"
status = \"200-399\"
interval = 0.5
timeout = 0.4
rise = 2
fall = 3"
export TOPO_LB2=1 SLUICED_CONTROLPLANE=1 SLUICE_NO_VIP6=1
T_START=$SECONDS

require_root
sluice_require_bin
sluiced_require_bin
command -v dpdk-testpmd >/dev/null || die "dpdk-testpmd is not installed (Debian: dpdk)"
e2e_traps

declare -A NAME=([lb]=lb1 [lb2]=lb2) PRIO=([lb]=150 [lb2]=100) OWN4=([lb]=$LB4 [lb2]=$LB2_4)
declare -A MAC=([lb]="${TOPO_MAC[lb]}" [lb2]="${TOPO_MAC[lb2]}")
NOTIFY_LOG=""

# node_config NODE: the node's config: dataplane with a TAP exception path, the flood VIP,
# a VRRP instance on the TAP.
node_config() {
  local node="$1"
  (
    lb_use "$node"
    sluice_config web1 web2 | sed "/^device = /a exception_path = \"tap\"\ntap_name = \"$TAP\"" |
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

[[vrrp]]
name = "vi_www"
interface = "$TAP"
vrid = $VRID
priority = ${PRIO[$node]}
advert_interval = 1.0
preempt = true
address = "${OWN4[$node]}"
unicast_peers = []
vips = ["www", "flood"]
track_dataplane = true
track_backends = false
notify = "$(sluice_dir)/notify.sh"
EOF
  )
}

# node_start NODE: the dataplane; the kernel on its TAP only; then sluiced.
node_start() {
  local node="$1" dir
  dir="$(
    lb_use "$node"
    sluice_dir
  )"
  cat >"$dir/notify.sh" <<EOF
#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
echo "\$(date +%s.%N) ${NAME[$node]} \$*" >>"$NOTIFY_LOG"
EOF
  chmod 755 "$dir/notify.sh"
  node_config "$node" >"$TOPO_DIR/${NAME[$node]}.toml"
  grep -q 'exception_path = "tap"' "$TOPO_DIR/${NAME[$node]}.toml" || die "could not enable the TAP"
  # The kernel takes nothing from the veth itself (the dataplane's packet socket reads
  # it): no ARP answers there, and strict reverse-path filtering drops every IP packet,
  # whose source is reached through the TAP.
  in_ns "$node" sysctl -qw "net.ipv4.conf.$LB_IFACE.arp_ignore=8" "net.ipv4.conf.$LB_IFACE.rp_filter=1" \
    net.ipv4.conf.all.rp_filter=1
  lb_use "$node"
  sluice_start "$TOPO_DIR/${NAME[$node]}.toml" || die "${NAME[$node]}: dataplane did not start"
  wait_until 10 in_ns "$node" ip link show "$TAP" || die "${NAME[$node]}: no TAP $TAP"
  in_ns "$node" ip addr add "${OWN4[$node]}/$NET4_PREFIX" dev "$TAP"
  in_ns "$node" ip link set "$TAP" up
  # The kernel that shares the dataplane's address knows the backends statically: its
  # health checks need no ARP of their own (the answers would reach it too).
  for web in web1 web2; do
    in_ns "$node" ip neigh replace "${TOPO_IP4[$web]}" lladdr "${TOPO_MAC[$web]}" dev "$TAP" nud permanent
  done
  sluiced_start || die "${NAME[$node]}: sluiced did not start"
  # As on a production node, where the dataplane has cores of its own, it runs ahead of
  # the generators on this shared box (every thread: its lcores are threads).
  local task
  for task in "/proc/$SLUICE_PID/task/"*; do
    renice -n -10 -p "${task##*/}" >/dev/null
  done
  lb_use lb
}

ha_state() { vrrp_state "$1" vi_www; }
states() { echo "lb1 $(ha_state lb), lb2 $(ha_state lb2)"; }
states_are() { [[ "$(ha_state lb)" == "$1" && "$(ha_state lb2)" == "$2" ]]; }
transitions() { grep -c . "$NOTIFY_LOG" 2>/dev/null || true; }

# node_stat NODE COUNTER: a dataplane counter (or drop reason) of NODE.
node_stat() { (
  lb_use "$1"
  stat_get "$2"
); }
# health_changes NODE: the health transitions NODE's sluiced logged so far.
health_changes() { (
  lb_use "$1"
  grep -cE '^sluiced: health: .* is (UP|DOWN):' "$SLUICED_LOG" || true
); }
# backends_up NODE: both backends of www UP in NODE's sluiced (show health).
backends_up() { (
  lb_use "$1"
  (($(sluicectl_run show health 2>/dev/null | grep -cw UP) >= 2))
); }

# outcomes_balanced NODE: NODE's rx_packets is the sum of the outcome counters
# (dataplane/pipeline/counters.h, read by tests/lib/counter_table.py).
outcomes_balanced() { (
  lb_use "$1"
  sluice_stats | "$PY" -c '
import json, sys
sys.path.insert(0, sys.argv[1])
import counter_table
s = json.load(sys.stdin)
s = s.get("/sluice/stats", s)
sys.exit(0 if s["rx_packets"] == counter_table.outcome_sum(s, s["drops"]) else 1)
' "$REPO_ROOT/tests/lib"
); }

# generator NAME DST_MAC DST_IP LCORE: dpdk-testpmd txonly in the client namespace (at
# nice 10, behind the dataplanes) for FLOOD_S seconds, UDP to DST_IP:FLOOD_PORT from many sources; its log in TOPO_DIR.
generator() {
  local name="$1" mac="$2" ip="$3" lcore="$4"
  topo_bg client "$TOPO_DIR/gen-$name.log" nice -n 10 timeout -s INT "$MAX_S" dpdk-testpmd \
    --lcores "0@$lcore,1@$lcore" --no-huge -m 128 --file-prefix "${TOPO_ID}g$name" --no-pci \
    --vdev "net_af_packet0,iface=eth0" -- --forward-mode=txonly --nb-cores=1 --total-num-mbufs=8192 \
    --eth-peer="0,$mac" --tx-ip="$CLIENT4,$ip" --tx-udp="$FLOOD_PORT,$FLOOD_PORT" \
    --txonly-multi-flow --stats-period 1 --txq=1 --rxq=1
  GEN_PIDS+=("$TOPO_LAST_PID")
}
# generator_sent NAME: the frames the generator's port sent (its last statistics).
generator_sent() {
  awk '/TX-packets:/ { for (i = 1; i < NF; i++) if ($i == "TX-packets:") n = $(i + 1) } END { print n + 0 }' \
    "$TOPO_DIR/gen-$1.log"
}

topo_up
in_ns client ethtool -K eth0 tx off >/dev/null 2>&1 || true
NOTIFY_LOG="$TOPO_DIR/notify.log"
: >"$NOTIFY_LOG"
node_start lb
node_start lb2
wait_until 15 states_are MASTER BACKUP || die "VRRP did not settle: $(states)"
ok "VRRP over the TAP exception paths: $(states)"
wait_until 15 backends_up lb || die "lb1: the backends are not UP: $(lb_use lb && sluicectl_run show health)"
wait_until 15 backends_up lb2 || die "lb2: the backends are not UP: $(lb_use lb2 && sluicectl_run show health)"
ok "sluiced's health checks of web1 and web2 pass through the exception paths on both nodes"
who="$(www_get "$(vip_url 4)")" || die "GET through the VIP failed ($who)"
ok "the VIP answers through lb1 ($who)"
sleep 2 # a few adverts at the settled state

# --- a flood ----------------------------------------------------------------------------
# flood_begin: counters and captures before a flood. flood_end KIND: after it, what it
# did (rates, losses, the adverts of lb1 that reached lb2's veth and lb2's kernel) into
# the globals below, logged.
declare -A HEALTH0=() RX0=() HOST0=() LIMITED0=() CONTROL0=() RXLOST0=() RXLOST=() LIMITED=()
T0="" T1="" ELAPSED="" ON_WIRE=0 ON_TAP=0 TRANSITIONS0=0 CAPTURE_PIDS=()
flood_begin() {
  local node
  TRANSITIONS0="$(transitions)"
  for node in lb lb2; do
    HEALTH0[$node]="$(health_changes "$node")"
    RXLOST0[$node]="$(node_stat "$node" port_lan0_kernel_drops)"
    RX0[$node]="$(node_stat "$node" rx_packets)"
    HOST0[$node]="$(node_stat "$node" to_host)"
    CONTROL0[$node]="$(node_stat "$node" to_host_control)"
    LIMITED0[$node]="$(node_stat "$node" to_host_rate_limited)"
  done
  # lb1's adverts as lb2's veth gets them (on the bridge port) and as lb2's kernel does.
  topo_bg sw "$TOPO_DIR/adverts-bridge-$1.txt" tcpdump -i p-lb2 -n -tt -l --immediate-mode \
    -Q out "ip proto 112 and src host $LB4"
  CAPTURE_PIDS=("$TOPO_LAST_PID")
  topo_bg lb2 "$TOPO_DIR/adverts-tap-$1.txt" tcpdump -i "$TAP" -n -tt -l --immediate-mode \
    -Q in "ip proto 112 and src host $LB4"
  CAPTURE_PIDS+=("$TOPO_LAST_PID")
  sleep 1
  T0="$EPOCHREALTIME"
}
flood_end() {
  local node rx host control pid
  T1="$EPOCHREALTIME"
  sleep 1.5 # the last adverts of the flood reach both captures
  for pid in "${CAPTURE_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  ELAPSED="$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.1f", b - a }')"
  for node in lb lb2; do
    rx=$(($(node_stat "$node" rx_packets) - RX0[$node]))
    host=$(($(node_stat "$node" to_host) - HOST0[$node]))
    control=$(($(node_stat "$node" to_host_control) - CONTROL0[$node]))
    LIMITED[$node]=$(($(node_stat "$node" to_host_rate_limited) - LIMITED0[$node]))
    RXLOST[$node]=$(($(node_stat "$node" port_lan0_kernel_drops) - RXLOST0[$node]))
    log "$1: ${NAME[$node]} received $rx frames ($((rx * 10 / ${ELAPSED/./})) frames/s) and lost ${RXLOST[$node]} in its RX ring; for the host $host (control lane $control), rate limited ${LIMITED[$node]}, to_host_full (all along) $(node_stat "$node" to_host_full)"
  done
  ON_WIRE="$(in_window "$TOPO_DIR/adverts-bridge-$1.txt")"
  ON_TAP="$(in_window "$TOPO_DIR/adverts-tap-$1.txt")"
  log "$1: lb1's VRRP adverts during the flood: $ON_WIRE reached lb2's veth, $ON_TAP reached lb2's kernel (loss $((ON_WIRE - ON_TAP))); VRRP transitions $(($(transitions) - TRANSITIONS0)), health transitions lb1 $(($(health_changes lb) - HEALTH0[lb])), lb2 $(($(health_changes lb2) - HEALTH0[lb2]))"
}
# in_window FILE: the tcpdump lines of FILE stamped inside the flood (T0..T1).
in_window() { awk -v a="$T0" -v b="$T1" '$1 >= a && $1 <= b + 0.1' "$1" | wc -l; }

# --- 1. a paced flood the dataplanes receive whole: asserted ----------------------------
flood_begin paced
log "paced flood for $FLOOD_S s (tests/lib/udp_flood.py): $JUNK_PPS frames/s of junk UDP to $JUNK_GROUP (every node's host), $VIP_PPS frames/s of UDP to $VIP4:$FLOOD_PORT (lb1)"
read -r sent_junk sent_vip took < <(in_ns client nice -n 10 "$PY" "$REPO_ROOT/tests/lib/udp_flood.py" eth0 \
  "${TOPO_MAC[client]}" "$CLIENT4" "$FLOOD_S" "$JUNK_MAC,$JUNK_GROUP,$FLOOD_PORT,$JUNK_PPS" \
  "${MAC[lb]},$VIP4,$FLOOD_PORT,$VIP_PPS")
flood_end paced
log "paced: sent $sent_junk junk and $sent_vip VIP frames in $took s"
((sent_junk > 0 && sent_vip > 0)) || die "the paced flood sent nothing"
for node in lb lb2; do
  ((LIMITED[$node] > 0)) || die "${NAME[$node]}: the junk was not rate limited (to_host_rate_limited +${LIMITED[$node]})"
done
ok "the junk over host_rate_limit ($HOST_RATE_LIMIT/s) was dropped as to_host_rate_limited on both nodes"
((ON_WIRE >= FLOOD_S - 2)) || die "lb1 sent too few adverts during the flood ($ON_WIRE in $ELAPSED s)"
((ON_TAP >= ON_WIRE)) ||
  die "control traffic lost: $((ON_WIRE - ON_TAP)) of lb1's $ON_WIRE adverts did not reach lb2's kernel (${RXLOST[lb2]} frames lost in lb2's RX ring, before the dataplane saw them)"
ok "every VRRP advert of lb1 reached lb2's kernel through the flood (loss 0 of $ON_WIRE)"
(($(transitions) == TRANSITIONS0)) ||
  die "VRRP transitions during the flood: $(tail -n +"$((TRANSITIONS0 + 1))" "$NOTIFY_LOG")"
states_are MASTER BACKUP || die "VRRP states after the flood: $(states)"
ok "no VRRP transition during the flood: $(states)"
for node in lb lb2; do
  changes=$(($(health_changes "$node") - HEALTH0[$node]))
  ((changes == 0)) || die "${NAME[$node]}: $changes health transitions during the flood: $(lb_use "$node" && tail -n 5 "$SLUICED_LOG")"
  backends_up "$node" || die "${NAME[$node]}: backends not UP after the flood"
done
ok "no health-check transition on either node; web1 and web2 UP"
for node in lb lb2; do
  wait_until 5 outcomes_balanced "$node" ||
    die "${NAME[$node]}: rx_packets is not the sum of the outcome counters: $(lb_use "$node" && sluice_stats)"
done
ok "both dataplanes: every frame received in exactly one outcome (rx_packets == the outcomes' sum)"
who="$(www_get "$(vip_url 4)")" || die "GET through the VIP failed after the flood ($who)"
ok "the VIP answers after the flood ($who)"

# --- 2. the fastest flood this box makes: reported ---------------------------------------
if ((MAX_S > 0)); then
  flood_begin max
  GEN_PIDS=()
  generator junk "$JUNK_MAC" "$JUNK_GROUP" 0
  generator vip "${MAC[lb]}" "$VIP4" 0
  log "fastest flood for $MAX_S s (two dpdk-testpmd txonly): junk UDP to $JUNK_GROUP, UDP to $VIP4:$FLOOD_PORT"
  for pid in "${GEN_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  flood_end max
  log "max: generators sent $(generator_sent junk) junk and $(generator_sent vip) VIP frames in $ELAPSED s; a flood the dataplane cannot receive overflows its RX ring, where no classification reaches"
  ok "fastest flood reported (not asserted: see above)"
fi
log "PASS in $((SECONDS - T_START)) s"
