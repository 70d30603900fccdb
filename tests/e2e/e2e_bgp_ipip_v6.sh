#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: an encapsulating mode and an IPv6 VIP through BGP (docs/bgp.md). The routed
# site of e2e_bgp_ecmp.sh (scripts/lib/bgp.sh) with IPv6 on it (BGP_IPV6=1): the router
# runs FRR with the IPv4 and IPv6 unicast families over the same sessions, ECMP and L4
# hashing for both; lb1 and lb2 run the dataplane, sluiced with [bgp] and BIRD 2 with the
# IPv6 channel of configs/bird-sluice.conf on (nexthop: the node's kernel IPv6 address).
#   www   10.213.0.100 tcp/80 in ipip mode: web1 and web2 decapsulate (sluice-decap, as in
#         e2e_ipip_gue.sh) and answer far straight from the VIP on their lo;
#   www6  fd00:213::100 tcp/80 in dsr-l2, announced as a /128.
# Both VIPs are outside every subnet: only the BGP routes bring them to the nodes.
#
#   1. the router has two nexthops for 10.213.0.100/32 and two for fd00:213::100/128.
#   2. 40 requests from far to each VIP (curl, then curl -6), each on its own source
#      port, all served; both nodes forward each VIP (their own counters), the backends
#      decapsulated exactly the IPIP packets the nodes sent and nginx logged far's own
#      address.
#   3. www6 pinned off on lb2: the router keeps lb1 only for the /128, the IPv4 VIP
#      keeps both; on again: both.
#
#   BUILD_DIR=build-x TOPO_ID=v$$ tests/e2e/e2e_bgp_ipip_v6.sh
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
# shellcheck source=scripts/lib/bgp.sh
source "$(dirname "$0")/../../scripts/lib/bgp.sh"
# shellcheck source=scripts/lib/e2e.sh
source "$(dirname "$0")/../../scripts/lib/e2e.sh"

export TOPO_LB2=1 SLUICED_CONTROLPLANE=1 BGP_IPV6=1
export SLUICED_WWW_CHECK="$SLUICED_FAST_HTTP_CHECK"
# Routed VIPs: on the web servers' lo, in no subnet of the site.
VIP4=10.213.0.100
VIP6=fd00:213::100
DECAP_BIN="${DECAP_BIN:-$BUILD_DIR/bpf/sluice-decap}"
T_START=$SECONDS

require_root
sluice_require_bin
sluiced_require_bin
bgp_require
[[ -x "$DECAP_BIN" ]] || die "sluice-decap not found at $DECAP_BIN (build it: ninja -C $BUILD_DIR bpf/sluice-decap)"
e2e_traps
trap 'e2e_cleanup; bgp_down' EXIT
declare -A LL6=() # each node's link-local address

# node_start NODE: NODE's config with [bgp] and www in ipip mode, its dataplane, sluiced
# and bird.
node_start() {
  local conf="$TOPO_DIR/${LB_NAME[$1]}.toml"
  # the first VIP of the config is www (config.sh)
  bgp_node_config "$1" |
    sed '0,/^mode = "dsr-l2"$/s//mode = "ipip"\nencap_source = "172.16.0.0\/16"/' >"$conf"
  grep -q '^mode = "ipip"$' "$conf" || die "no ipip VIP in $conf"
  bgp_node_start "$1" "$conf"
}

# serve_40 GET ROUTE_VIA FIRST_PORT WHAT: 40 requests with GET from source ports
# FIRST_PORT...; dies unless all are served; prints how many flows the router sent via
# each node ("lb1 N, lb2 M").
serve_40() {
  local get="$1" via="$2" port who v fails=0
  declare -A count=()
  for port in $(seq "$3" "$(($3 + 39))"); do
    who="$("$get" "$port")" || true
    [[ "$who" == web1 || "$who" == web2 ]] || fails=$((fails + 1))
    v="$("$via" "$port")"
    count[$v]=$((${count[$v]:-0} + 1))
  done
  ((fails == 0)) || die "$4: $fails of 40 requests failed"
  echo "lb1 ${count[${LL6[lb]}]:-${count[$LB_KERNEL4]:-0}}, lb2 ${count[${LL6[lb2]}]:-${count[$LB2_KERNEL4]:-0}}"
}

# decapsulated: IPIP packets web1 and web2 decapsulated together.
decapsulated() {
  local node n=0
  for node in web1 web2; do
    n=$((n + $(in_ns "$node" "$DECAP_BIN" stats eth0 | awk '$1 == "decapsulated_ipip" { print $2 }')))
  done
  echo "$n"
}

# === setup ================================================================================
topo_up
router_up
router_up_ipv6
frr_start
for node in web1 web2; do
  in_ns "$node" ip route add default via "$ROUTER4"
  in_ns "$node" ip -6 route add default via "$ROUTER6"
  out="$(in_ns "$node" "$DECAP_BIN" attach eth0 2>&1)" || die "sluice-decap attach on $node failed: $out"
done
for node in lb2 lb; do
  lb_use "$node"
  lb_kernel_address
  bgp_node_address6
done
node_start lb
node_start lb2
ok "router (FRR, IPv4 and IPv6) and far up; web1 and web2 decapsulate IPIP; lb1 and lb2 run the dataplane, sluiced and bird"

# === 1. both VIPs announced by both nodes ==================================================
# The routes carry each node's global address (bird's `next hop address`) and, the
# session being on the routers' segment, its link-local one, which the router's kernel
# routes by; a BIRD that opened its session before its link-local address was ready sends
# the global one alone. Either names the node.
for node in lb lb2; do
  LL6[$node]="$(in_ns "$node" ip -6 -o addr show dev eth0 scope link | grep -oE 'fe80::[0-9a-f:]+')"
done
# The nodes the router's kernel sends the IPv6 VIP to, sorted, on one line.
router_nodes6() {
  local hop
  for hop in $(router_nexthops6 "$VIP6"); do
    case "$hop" in
      "${LL6[lb]}" | "$LB_KERNEL6") echo lb ;;
      "${LL6[lb2]}" | "$LB2_KERNEL6") echo lb2 ;;
      *) echo "$hop" ;;
    esac
  done | sort | tr '\n' ' ' | sed 's/ $//'
}
nodes6_are() { [[ "$(router_nodes6)" == "$1" ]]; }
wait_nodes6() {
  wait_for "$2" nodes6_are "$1" ||
    die "$3: the router sends $VIP6 to '$(router_nodes6)' ($(router_nexthops6 "$VIP6")), want '$1'"
}
wait_nexthops "$LB_KERNEL4 $LB2_KERNEL4" 30 "www announced by both nodes"
wait_nodes6 "lb lb2" 15 "www6 announced by both nodes"
bgp6="$(vty "show bgp ipv6 unicast $VIP6/128")"
[[ "$bgp6" == *multipath* && "$bgp6" == *"$LB_KERNEL6 "* && "$bgp6" == *"$LB2_KERNEL6 "* ]] ||
  die "the router has not both nodes' paths for $VIP6/128, multipath: $bgp6"
ok "router: $VIP4/32 via $(router_nexthops "$VIP4"); $VIP6/128 via $(router_nexthops6 "$VIP6") (ECMP, IPv4 and IPv6)"

# === 2. requests through both VIPs, both nodes forward ====================================
declare -A before=()
for node in lb lb2; do
  before[$node.www]="$(bgp_vip_packets "$node" www)" before[$node.www6]="$(bgp_vip_packets "$node" www6)"
done
decap0="$(decapsulated)"
logged0="$(cat "$TOPO_DIR"/web{1,2}/nginx/access.log | grep -c "^$FAR4 " || true)"
flows4="$(serve_40 far_get route_via 41000 "www (ipip)")"
flows6="$(serve_40 far_get6 route_via6 45000 "www6 (IPv6)")"
sleep 1.2 # the dataplanes' counters reach sluiced every second
for node in lb lb2; do
  for vip in www www6; do
    d=$(($(bgp_vip_packets "$node" "$vip") - ${before[$node.$vip]}))
    ((d > 0)) || die "${LB_NAME[$node]} forwarded no packet of $vip (router: www $flows4; www6 $flows6)"
    before[$node.$vip]="$d"
  done
done
decap=$(($(decapsulated) - decap0))
sent=$((${before[lb.www]} + ${before[lb2.www]}))
((decap == sent)) ||
  die "web1 and web2 decapsulated $decap IPIP packets; lb1 and lb2 sent ${before[lb.www]} + ${before[lb2.www]}"
logged=$(($(cat "$TOPO_DIR"/web{1,2}/nginx/access.log | grep -c "^$FAR4 " || true) - logged0))
((logged == 40)) || die "nginx logged $logged requests from $FAR4, want 40 (the inner packet unchanged)"
ok "www (ipip): 40 of 40 served (flows: $flows4), lb1 ${before[lb.www]} / lb2 ${before[lb2.www]} packets, $decap IPIP packets decapsulated, nginx saw far's address"
ok "www6 (IPv6): 40 of 40 served with curl -6 (flows: $flows6), lb1 ${before[lb.www6]} / lb2 ${before[lb2.www6]} packets"

# === 3. the /128 withdrawn and announced on its own =======================================
out="$(node_ctl lb2 set vip www6 announce off)" || die "set vip www6 announce off: $out"
wait_nodes6 lb 3 "www6 pinned off on lb2"
nexthops_are "$LB_KERNEL4 $LB2_KERNEL4" || die "www lost a nexthop when www6 was pinned off: $(router_nexthops "$VIP4")"
who="$(far_get6 45100)" || die "www6 not served through lb1 alone"
node_ctl lb2 set vip www6 announce on >/dev/null || die "set vip www6 announce on failed"
wait_nodes6 "lb lb2" 3 "www6 unpinned on lb2"
ok "www6 pinned off on lb2: the router keeps lb1 only for $VIP6/128 ($who served), www keeps both; on: both again"
log "PASS in $((SECONDS - T_START)) s"
