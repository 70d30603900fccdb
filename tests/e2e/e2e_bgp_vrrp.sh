#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: VRRP and BGP side by side on the same nodes (docs/bgp.md). The routed site
# of e2e_bgp_ecmp.sh (scripts/lib/bgp.sh) with two lb nodes that each run a [[vrrp]]
# instance and [bgp] at once:
#   www  10.213.0.100 tcp/80, routed: announced by BGP from both nodes (ECMP);
#   lan  10.211.0.100 tcp/80, on the LAN: carried by the VRRP instance vi_lan (vrid 51,
#        lb1 priority 150, lb2 100), served to the client on the bridge by the MASTER.
# Both dsr-l2 to web1 and web2.
#
#   1. lb1 is MASTER of vi_lan, lb2 BACKUP (`show ha`); both announce www (`show bgp`),
#      the router has two nexthops for it; lan, active on the MASTER only, is announced
#      by lb1 only (the router has lan/32 via lb1: a VIP VRRP keeps inactive is never
#      announced); the client is served through lan, far through www by both nodes.
#   2. lb1 lost (link down, processes killed): lb2 becomes MASTER of vi_lan (the client
#      is served through lan again) and the router keeps lb2 only for www (BFD) and has
#      lan/32 via lb2.
#
#   BUILD_DIR=build-x TOPO_ID=r$$ tests/e2e/e2e_bgp_vrrp.sh
set -euo pipefail
# shellcheck source=scripts/lib/netns.sh
source "$(dirname "$0")/../../scripts/lib/netns.sh"
# shellcheck source=scripts/lib/config.sh
source "$(dirname "$0")/../../scripts/lib/config.sh"
# shellcheck source=scripts/lib/dataplane.sh
source "$(dirname "$0")/../../scripts/lib/dataplane.sh"
# shellcheck source=scripts/lib/sluiced.sh
source "$(dirname "$0")/../../scripts/lib/sluiced.sh"
# shellcheck source=scripts/lib/lb2.sh
source "$(dirname "$0")/../../scripts/lib/lb2.sh"
# shellcheck source=scripts/lib/ha.sh
source "$(dirname "$0")/../../scripts/lib/ha.sh"
# shellcheck source=scripts/lib/bgp.sh
source "$(dirname "$0")/../../scripts/lib/bgp.sh"
# shellcheck source=scripts/lib/e2e.sh
source "$(dirname "$0")/../../scripts/lib/e2e.sh"

export TOPO_LB2=1 SLUICED_CONTROLPLANE=1 SLUICE_NO_VIP6=1
export SLUICED_WWW_CHECK="$SLUICED_FAST_HTTP_CHECK"
VIP4=10.213.0.100 # www, routed
LAN4=10.211.0.100 # lan, on the bridge's subnet
declare -A PRIO=([lb]=150 [lb2]=100)
T_START=$SECONDS

require_root
sluice_require_bin
sluiced_require_bin
bgp_require
e2e_traps
trap 'e2e_cleanup; bgp_down' EXIT

# node_start NODE: NODE's config (www, lan, [bgp], [[vrrp]] for lan), its dataplane,
# sluiced and bird.
node_start() {
  local conf="$TOPO_DIR/${LB_NAME[$1]}.toml" kernel4
  kernel4="$(
    lb_use "$1"
    echo "$LB_KERNEL4"
  )"
  {
    bgp_node_config "$1"
    cat <<EOF

[[vip]]
name = "lan"
address = "$LAN4"
protocol = "tcp"
port = 80
mode = "dsr-l2"
  [[vip.backend]]
  address = "$WEB1_4"
  [[vip.backend]]
  address = "$WEB2_4"

[[vrrp]]
name = "vi_lan"
interface = "$LB_IFACE"
vrid = 51
priority = ${PRIO[$1]}
advert_interval = 0.1
preempt = true
address = "$kernel4"
unicast_peers = []
vips = ["lan"]
track_dataplane = true
track_backends = false
EOF
  } >"$conf"
  bgp_node_start "$1" "$conf"
}

lan_nexthops() { router_nexthops "$LAN4"; }
lan_via() { [[ "$(lan_nexthops)" == "$1" ]]; }
# client_lan: the client's GET through lan prints who served it.
client_lan() {
  in_ns client curl -s --max-time 2 -H "Host: $WWW_HOST" "http://$LAN4/" 2>/dev/null
}
lan_served() { [[ "$(client_lan)" == web[12] ]]; }
is_state() { [[ "$(vrrp_state "$1" vi_lan)" == "$2" ]]; }

# === setup ================================================================================
topo_up
router_up
frr_start
for node in web1 web2; do
  in_ns "$node" ip route add default via "$ROUTER4"
  in_ns "$node" ip addr add "$LAN4/32" dev lo
done
for node in lb2 lb; do
  lb_use "$node"
  lb_kernel_address
done
node_start lb
node_start lb2
ok "router (FRR) and far up; lb1 and lb2 run the dataplane, sluiced ([[vrrp]] vi_lan and [bgp]) and bird"

# === 1. VRRP and BGP at once ================================================================
wait_for 15 is_state lb MASTER || die "lb1 is not MASTER of vi_lan: $(vrrp_state lb vi_lan)"
wait_for 5 is_state lb2 BACKUP || die "lb2 is not BACKUP of vi_lan: $(vrrp_state lb2 vi_lan)"
wait_nexthops "$LB_KERNEL4 $LB2_KERNEL4" 30 "www announced by both nodes"
wait_for 5 lan_via "$LB_KERNEL4" || die "the router has lan ($LAN4/32) via '$(lan_nexthops)', want lb1 (the MASTER) only"
for node in lb lb2; do
  ha="$(node_ctl "$node" show ha)" bgp="$(node_ctl "$node" show bgp)"
  grep -q "vi_lan" <<<"$ha" || die "${LB_NAME[$node]}'s show ha has no vi_lan: $ha"
  grep -qE "^www +$VIP4 +announced " <<<"$bgp" || die "${LB_NAME[$node]}'s show bgp does not announce www: $bgp"
done
grep -qE "^lan +$LAN4 +announced " <<<"$(node_ctl lb show bgp)" || die "lb1 (MASTER) does not announce lan: $(node_ctl lb show bgp)"
grep -qE "^lan +$LAN4 +withdrawn " <<<"$(node_ctl lb2 show bgp)" || die "lb2 (BACKUP) does not say lan is withdrawn: $(node_ctl lb2 show bgp)"
wait_for 5 lan_served || die "the client is not served through lan ($LAN4)"
fails=0
for port in $(seq 41000 41019); do
  who="$(far_get "$port")" || true
  [[ "$who" == web1 || "$who" == web2 ]] || fails=$((fails + 1))
done
((fails == 0)) || die "$fails of 20 requests from far through www failed"
ok "lb1 MASTER / lb2 BACKUP of vi_lan (show ha); www announced by both (show bgp; router via $(router_nexthops "$VIP4")), lan by the MASTER only (router via $(lan_nexthops)); client served through lan, 20 of 20 from far through www"
log "lb2's show ha and show bgp:"
node_ctl lb2 show ha | sed 's/^/    /'
node_ctl lb2 show bgp | sed 's/^/    /'

# === 2. lb1 lost: VRRP moves lan, BFD drops lb1 for www ====================================
t0="$EPOCHREALTIME"
bgp_node_lose lb
gone="$(time_until_nexthops "$LB2_KERNEL4" 5 "$t0")"
[[ "$gone" != "-" ]] || die "the router still routes www via '$(router_nexthops "$VIP4")' 5 s after lb1 was lost"
wait_for 5 is_state lb2 MASTER || die "lb2 did not become MASTER of vi_lan: $(vrrp_state lb2 vi_lan)"
wait_for 5 lan_via "$LB2_KERNEL4" || die "the router has lan via '$(lan_nexthops)' after lb1 was lost, want lb2"
wait_for 5 lan_served || die "the client is not served through lan after lb1 was lost"
who="$(far_get 42000)" || die "far is not served through www after lb1 was lost"
ok "lb1 lost: the router dropped it for www after $gone s (BFD); lb2 MASTER of vi_lan, announces lan (router via $(lan_nexthops)); client served through lan, far through www ($who)"
log "PASS in $((SECONDS - T_START)) s"
