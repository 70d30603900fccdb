#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: VRRPv3 over IPv6 (RFC 5798 section 5.1.2) between two sluice nodes.
#
# The www.foobar.com topology with a second load balancer (TOPO_LB2=1). Both lb kernels
# get IPv6 on their veth (link-local only); sluiced's [[vrrp]] instance vi_www6 (vrid
# 61, advert 0.1 s) carries the IPv6 VIP www6 and sends its adverts from the node's
# link-local address. lb1 has priority 150, lb2 100.
#
#   1. the adverts on the bridge: IPv6 next header 112 to ff02::12, hop limit 255,
#      source the master's link-local address, VRRP version 3, vrid 61, priority 150.
#   2. lb1 MASTER, lb2 BACKUP; curl to [VIP6] works and the client has VIP6 at lb1's MAC;
#      the backup's dataplane does not answer ND for VIP6.
#   3. lb1 killed (sluiced and dataplane SIGKILL): lb2 becomes MASTER within the RFC
#      master-down interval (+ slack), its unsolicited NA moves the client to lb2's
#      MAC, and curl to [VIP6] works again.
#   4. lb1 back: it preempts, lb2 returns to BACKUP, the client follows to lb1.
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
# shellcheck source=scripts/lib/ha.sh
source "$(dirname "$0")/../../scripts/lib/ha.sh"
# shellcheck source=scripts/lib/e2e.sh
source "$(dirname "$0")/../../scripts/lib/e2e.sh"

VRID=61
INTERVAL=0.1
PRIO1=150
PRIO2=100
SLACK_S="${SLACK_S:-1.0}" # polling sluicectl on a busy 2-core box
export TOPO_LB2=1 SLUICED_CONTROLPLANE=1
# curl may need one SYN retransmission while the client's neighbor entry moves over
export WWW_CONNECT_TIMEOUT=3 WWW_MAX_TIME=4

require_root
sluice_require_bin
sluiced_require_bin
e2e_traps

MAC1="${TOPO_MAC[lb]}"
MAC2="${TOPO_MAC[lb2]}"
declare -A NAME=([lb]=lb1 [lb2]=lb2)
declare -A LINK_LOCAL=()

# kernel_ipv6_on NODE: IPv6 on NODE's veth with only its link-local address (no DAD, no
# RA), printed.
kernel_ipv6_on() {
  local node="$1" ll=""
  in_ns "$node" sysctl -qw "net.ipv6.conf.$LB_IFACE.accept_dad=0" "net.ipv6.conf.$LB_IFACE.accept_ra=0" \
    "net.ipv6.conf.$LB_IFACE.autoconf=0" "net.ipv6.conf.$LB_IFACE.disable_ipv6=0"
  for _ in $(seq 50); do
    ll="$(in_ns "$node" ip -6 -o addr show dev "$LB_IFACE" scope link | awk '{print $4}' | cut -d/ -f1)"
    [[ -n "$ll" ]] && break
    sleep 0.1
  done
  [[ -n "$ll" ]] || die "$node: no IPv6 link-local address on $LB_IFACE"
  echo "$ll"
}

node_config() {
  local node="$1" prio="$2"
  (
    lb_use "$node"
    sluice_config web1 web2
    cat <<EOF

[[vrrp]]
name = "vi_www6"
interface = "$LB_IFACE"
vrid = $VRID
priority = $prio
advert_interval = $INTERVAL
preempt = true
address = "${LINK_LOCAL[$node]}"
vips = ["www6"]
track_dataplane = true
EOF
  )
}

node_start() {
  local node="$1"
  node_config "$@" >"$TOPO_DIR/${NAME[$node]}.toml"
  lb_use "$node"
  rm -f "$(sluice_telemetry_socket)"
  sluice_start "$TOPO_DIR/${NAME[$node]}.toml" || die "${NAME[$node]}: dataplane did not start"
  sluiced_start || die "${NAME[$node]}: sluiced did not start"
  lb_use lb
}

node_kill() {
  lb_use "$1"
  kill -KILL "$SLUICED_PID" "$SLUICE_PID" 2>/dev/null || true
  lb_use lb
  lb_reap "$1"
}
ha_state() { vrrp_state "$1" vi_www6; }
state_is() { [[ "$(ha_state "$1")" == "$2" ]]; }
states_are() { [[ "$(ha_state lb)" == "$1" && "$(ha_state lb2)" == "$2" ]]; }
both_states() { echo "lb1 $(ha_state lb), lb2 $(ha_state lb2)"; }

# client_vip6_mac: the MAC the client's neighbor table has for VIP6.
client_vip6_mac() {
  in_ns client ip -6 neigh show "$VIP6" dev eth0 | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}'
}
client_at() { [[ "$(client_vip6_mac)" == "$1" ]]; }
# served_via MAC WHAT: a GET to [VIP6] works and the client reaches VIP6 at MAC.
served_via() {
  local who
  who="$(www_get "$(vip_url 6)")" || die "$2: GET to [$VIP6] failed ($who)"
  wait_until 3 client_at "$1" || die "$2: the client has VIP6 at '$(client_vip6_mac)', want $1"
  ok "$2: GET to [$VIP6] answered by $who; the client has VIP6 at $1"
}

# === setup ====================================================================================
topo_up
LINK_LOCAL[lb]="$(kernel_ipv6_on lb)"
LINK_LOCAL[lb2]="$(kernel_ipv6_on lb2)"
log "link-local addresses: lb1 ${LINK_LOCAL[lb]}, lb2 ${LINK_LOCAL[lb2]}"
node_config lb "$PRIO1" >"$TOPO_DIR/check.toml"
out="$("$SLUICED_BIN" --config "$TOPO_DIR/check.toml" --check 2>&1)" || die "sluiced --check refused the IPv6 [[vrrp]]: $out"

CAP="$TOPO_DIR/vrrp6.pcap"
ip netns exec "$(ns_name sw)" tcpdump -i br0 -U -n -w "$CAP" 'ip6 and ip6[6] == 112' >/dev/null 2>&1 &
CAP_PID=$!
TOPO_PIDS+=("$CAP_PID")
sleep 0.5

node_start lb "$PRIO1"
wait_until 5 state_is lb MASTER || die "lb1 alone did not become MASTER: $(both_states)"
node_start lb2 "$PRIO2"
wait_until 5 states_are MASTER BACKUP || die "want lb1 MASTER, lb2 BACKUP: $(both_states)"
ok "lb1 MASTER, lb2 BACKUP"

# --- 1. the adverts on the wire ---------------------------------------------------------------
sleep 0.5
kill_pid "$CAP_PID" 2
adverts="$("$PY" "$REPO_ROOT/tests/lib/vrrp6_adverts.py" "$CAP")"
[[ -n "$adverts" ]] || die "no IPv6 VRRP packet captured on the bridge"
last="$(tail -n 1 <<<"$adverts")"
[[ "$last" == "${LINK_LOCAL[lb]} ff02::12 255 3 $VRID $PRIO1" ]] ||
  die "the master's advert is '$last', want '${LINK_LOCAL[lb]} ff02::12 255 3 $VRID $PRIO1'"
ok "adverts: src ${LINK_LOCAL[lb]} (link-local) -> ff02::12, hop limit 255, VRRPv3, vrid $VRID, priority $PRIO1 ($(wc -l <<<"$adverts") captured)"

# --- 2. the master serves, the backup stays silent ------------------------------------------------
served_via "$MAC1" "lb1 master"
nd_before="$(lb_use lb2; stat_get nd_replies)"
in_ns client ip -6 neigh flush dev eth0
served_via "$MAC1" "lb1 master, after the client forgot its neighbors"
nd_after="$(lb_use lb2; stat_get nd_replies)"
[[ "$nd_after" == "$nd_before" ]] || die "the backup lb2 answered ND for VIP6 ($nd_before -> $nd_after)"
ok "the backup's dataplane answered no neighbor solicitation (nd_replies stays $nd_after)"

# --- 3. lb1 dies --------------------------------------------------------------------------------
# RFC 5798: Master_Down_Interval = 3 * interval + Skew_Time, skew = (256 - prio) * interval / 256
down_s="$(fcalc "3 * $INTERVAL + (256 - $PRIO2) * $INTERVAL / 256")"
t0="$EPOCHREALTIME"
node_kill lb
wait_until 5 state_is lb2 MASTER || die "lb2 did not take over: $(both_states)"
took="$(fcalc "$EPOCHREALTIME - $t0")"
le "$took" "$(fcalc "$down_s + $SLACK_S")" ||
  die "lb2 became MASTER after $took s; the master-down interval is $down_s s (+ $SLACK_S s slack)"
ok "lb1 killed: lb2 MASTER after $took s (master-down interval $down_s s)"
wait_until 3 client_at "$MAC2" || die "the client still has VIP6 at '$(client_vip6_mac)' after lb2's unsolicited NA"
served_via "$MAC2" "lb2 master"

# --- 4. lb1 returns and preempts -------------------------------------------------------------------
node_start lb "$PRIO1"
wait_until 5 states_are MASTER BACKUP || die "lb1 did not preempt: $(both_states)"
wait_until 3 client_at "$MAC1" || die "the client did not follow lb1's NA: VIP6 at '$(client_vip6_mac)'"
served_via "$MAC1" "lb1 preempted"
log "PASS"
