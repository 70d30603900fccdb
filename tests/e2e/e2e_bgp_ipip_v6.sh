#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: the encapsulating modes and an IPv6 VIP through BGP (docs/bgp.md). The routed
# site of e2e_bgp_ecmp.sh (scripts/lib/bgp.sh) with IPv6 on it (BGP_IPV6=1): the router
# runs FRR with the IPv4 and IPv6 unicast families over the same sessions, ECMP and L4
# hashing for both; lb1 and lb2 run the dataplane, sluiced with [bgp] and BIRD 2 with the
# IPv6 channel of configs/bird-sluice.conf on (nexthop: the node's kernel IPv6 address).
#   www   10.213.0.100 tcp/80 in ipip mode: web1 and web2 decapsulate (sluice-decap, as in
#         e2e_ipip_gue.sh) and answer far straight from the VIP on their lo;
#   www6  fd00:213::100 tcp/80 in dsr-l2, announced as a /128;
#   wwwg  10.213.0.101 tcp/80 in gue mode (UDP port 6080), the same backends, which
#         decapsulate both kinds.
# Both VIPs are outside every subnet: only the BGP routes bring them to the nodes.
#
#   1. the router has two nexthops for 10.213.0.100/32 and two for fd00:213::100/128.
#   2. 40 requests from far to each VIP (curl, curl -6, curl), each on its own source
#      port, all served; both nodes forward each VIP (their own counters), the backends
#      decapsulated exactly the IPIP and the GUE packets the nodes sent and nginx logged
#      far's own address.
#   3. www6 pinned off on lb2: the router keeps lb1 only for the /128, the IPv4 VIP
#      keeps both; on again: both. Neither touched the policy files bird reads.
#   4. www's [vip.bgp] local_pref and communities (bird_policy): an iBGP peer of lb1 (a
#      BIRD in web1's namespace, in the nodes' AS) gets the local_pref, the standard and
#      the large community; the router (eBGP) the communities. A reload that changes them
#      rewrites the file and bird, told to `configure`, sends the new ones. A bird that
#      refuses its configuration is said in `show bgp` and the log.
#   5. lb1's /metrics has every sluice_bgp_* series the Grafana dashboard and the alerting
#      rules name.
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
VIPG=10.213.0.101
METRICS_LISTEN=127.0.0.1:9101 # lb1's sluiced, in its namespace
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

# node_start NODE [ROUTER2]: NODE's config with [bgp] and www in ipip mode with a
# local_pref and communities, its dataplane, sluiced and bird (with ROUTER2: a second
# peer, in the nodes' AS).
node_start() {
  local conf="$TOPO_DIR/${LB_NAME[$1]}.toml"
  # the first VIP of the config is www (config.sh)
  bgp_node_config "$1" |
    sed '0,/^mode = "dsr-l2"$/s//mode = "ipip"\nencap_source = "172.16.0.0\/16"\n  [vip.bgp]\n  local_pref = 200\n  communities = ["65010:100", "65010:1:2"]/' >"$conf"
  grep -q '^mode = "ipip"$' "$conf" || die "no ipip VIP in $conf"
  [[ $1 == lb ]] && printf '\n[metrics]\nlisten = "%s"\n' "$METRICS_LISTEN" >>"$conf"
  printf '%s\n' "" "[[vip]]" 'name = "wwwg"' "address = \"$VIPG\"" 'protocol = "tcp"' \
    "port = 80" 'mode = "gue"' 'encap_source = "172.16.0.0/16"' "  [[vip.backend]]" \
    "  address = \"$WEB1_4\"" "  [[vip.backend]]" "  address = \"$WEB2_4\"" >>"$conf"
  BGP_ROUTER2_AS=NODE_AS bgp_node_start "$1" "$conf" "${2:-}"
}

# observer_start: BIRD in web1's namespace, an iBGP peer of lb1 that only learns: what a
# router in the nodes' AS gets, local_pref included.
observer_start() {
  local dir="$TOPO_DIR/web1/bird"
  mkdir -p "$dir"
  cat >"$dir/bird.conf" <<EOF
router id $WEB1_4;
protocol device {}
protocol bgp lb1 {
  local $WEB1_4 as $NODE_AS;
  neighbor $LB_KERNEL4 as $NODE_AS;
  direct;
  connect retry time 2;
  ipv4 { import all; export none; gateway direct; };
}
EOF
  topo_bg web1 "$dir/bird.log" bird -f -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid"
  wait_until 10 test -S "$dir/bird.ctl" || die "web1's bird did not start: $(tail -n 5 "$dir/bird.log")"
}

# observer_route: what web1's BIRD has for www's /32, all attributes.
observer_route() { birdc -s "$TOPO_DIR/web1/bird/bird.ctl" show route all "$VIP4/32" 2>&1; }
observer_has() { [[ "$(observer_route)" == *"$1"* ]]; }
observer_lacks() { [[ "$(observer_route)" != *"$1"* ]]; }

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

# decapsulated KIND: packets of KIND (ipip, gue) web1 and web2 decapsulated together.
decapsulated() {
  local node n=0
  for node in web1 web2; do
    n=$((n + $(in_ns "$node" "$DECAP_BIN" stats eth0 | awk -v k="decapsulated_$1" '$1 == k { print $2 }')))
  done
  echo "$n"
}

# far_getg PORT, route_viag PORT: far_get and route_via for the gue VIP.
far_getg() { VIP4="$VIPG" far_get "$1"; }
route_viag() { VIP4="$VIPG" route_via "$1"; }

# === setup ================================================================================
topo_up
router_up
router_up_ipv6
frr_start
for node in web1 web2; do
  in_ns "$node" ip route add default via "$ROUTER4"
  in_ns "$node" ip -6 route add default via "$ROUTER6"
  in_ns "$node" ip addr add "$VIPG/32" dev lo
  out="$(in_ns "$node" "$DECAP_BIN" attach eth0 2>&1)" || die "sluice-decap attach on $node failed: $out"
done
for node in lb2 lb; do
  lb_use "$node"
  lb_kernel_address
  bgp_node_address6
done
observer_start
node_start lb "$WEB1_4"
node_start lb2
ok "router (FRR, IPv4 and IPv6) and far up; web1 and web2 decapsulate IPIP; lb1 and lb2 run the dataplane, sluiced and bird; web1 runs an iBGP peer of lb1"

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
nexthopsg_are() { [[ "$(router_nexthops "$VIPG")" == "$1" ]]; }
wait_for 5 nexthopsg_are "$LB_KERNEL4 $LB2_KERNEL4" ||
  die "wwwg: the router's nexthops for $VIPG are '$(router_nexthops "$VIPG")'"
bgp6="$(vty "show bgp ipv6 unicast $VIP6/128")"
[[ "$bgp6" == *multipath* && "$bgp6" == *"$LB_KERNEL6 "* && "$bgp6" == *"$LB2_KERNEL6 "* ]] ||
  die "the router has not both nodes' paths for $VIP6/128, multipath: $bgp6"
ok "router: $VIP4/32 via $(router_nexthops "$VIP4"); $VIPG/32 via $(router_nexthops "$VIPG"); $VIP6/128 via $(router_nexthops6 "$VIP6") (ECMP, IPv4 and IPv6)"

# === 2. requests through both VIPs, both nodes forward ====================================
# Health and announcements never rewrite the policy files (a rename gives a new inode).
policy_inodes() {
  local node
  for node in lb lb2; do (
    lb_use "$node"
    stat -c %i "$(bird_policy)"
  ); done | tr '\n' ' '
}
inodes0="$(policy_inodes)"
declare -A before=()
for node in lb lb2; do
  for vip in www www6 wwwg; do
    before[$node.$vip]="$(bgp_vip_packets "$node" "$vip")"
  done
done
decap0="$(decapsulated ipip)" decapg0="$(decapsulated gue)"
logged0="$(cat "$TOPO_DIR"/web{1,2}/nginx/access.log | grep -c "^$FAR4 " || true)"
flows4="$(serve_40 far_get route_via 41000 "www (ipip)")"
flows6="$(serve_40 far_get6 route_via6 45000 "www6 (IPv6)")"
flowsg="$(serve_40 far_getg route_viag 43000 "wwwg (gue)")"
sleep 1.2 # the dataplanes' counters reach sluiced every second
for node in lb lb2; do
  for vip in www www6 wwwg; do
    d=$(($(bgp_vip_packets "$node" "$vip") - ${before[$node.$vip]}))
    ((d > 0)) || die "${LB_NAME[$node]} forwarded no packet of $vip (router: www $flows4; www6 $flows6; wwwg $flowsg)"
    before[$node.$vip]="$d"
  done
done
decap=$(($(decapsulated ipip) - decap0)) decapg=$(($(decapsulated gue) - decapg0))
sent=$((${before[lb.www]} + ${before[lb2.www]}))
((decap == sent)) ||
  die "web1 and web2 decapsulated $decap IPIP packets; lb1 and lb2 sent ${before[lb.www]} + ${before[lb2.www]}"
sentg=$((${before[lb.wwwg]} + ${before[lb2.wwwg]}))
((decapg == sentg)) ||
  die "web1 and web2 decapsulated $decapg GUE packets; lb1 and lb2 sent ${before[lb.wwwg]} + ${before[lb2.wwwg]}"
logged=$(($(cat "$TOPO_DIR"/web{1,2}/nginx/access.log | grep -c "^$FAR4 " || true) - logged0))
((logged == 80)) || die "nginx logged $logged requests from $FAR4, want 80 (www and wwwg: the inner packet unchanged)"
ok "www (ipip): 40 of 40 served (flows: $flows4), lb1 ${before[lb.www]} / lb2 ${before[lb2.www]} packets, $decap IPIP packets decapsulated, nginx saw far's address"
ok "www6 (IPv6): 40 of 40 served with curl -6 (flows: $flows6), lb1 ${before[lb.www6]} / lb2 ${before[lb2.www6]} packets"
ok "wwwg (gue): 40 of 40 served (flows: $flowsg), lb1 ${before[lb.wwwg]} / lb2 ${before[lb2.wwwg]} packets, $decapg GUE packets decapsulated"

# === 3. the /128 withdrawn and announced on its own =======================================
out="$(node_ctl lb2 set vip www6 announce off)" || die "set vip www6 announce off: $out"
wait_nodes6 lb 3 "www6 pinned off on lb2"
nexthops_are "$LB_KERNEL4 $LB2_KERNEL4" || die "www lost a nexthop when www6 was pinned off: $(router_nexthops "$VIP4")"
who="$(far_get6 45100)" || die "www6 not served through lb1 alone"
node_ctl lb2 set vip www6 announce on >/dev/null || die "set vip www6 announce on failed"
wait_nodes6 "lb lb2" 3 "www6 unpinned on lb2"
[[ "$(policy_inodes)" == "$inodes0" ]] || die "a policy file was rewritten by traffic or a pin: $inodes0 -> $(policy_inodes)"
ok "www6 pinned off on lb2: the router keeps lb1 only for $VIP6/128 ($who served), www keeps both; on: both again; bird's policy files untouched"

# === 4. local_pref and communities by policy ===============================================
wait_for 20 observer_has "BGP.local_pref: 200" ||
  die "web1's bird (iBGP) has no local_pref 200 for $VIP4: $(observer_route)"
route="$(observer_route)"
for want in "BGP.community: (65010,100)" "BGP.large_community: (65010, 1, 2)"; do
  [[ "$route" == *"$want"* ]] || die "web1's bird has no '$want' for $VIP4: $route"
done
frr="$(vty "show bgp ipv4 unicast $VIP4/32 json" | tr -d ' \n')"
for want in '"community":{"string":"65010:100"' '"largeCommunity":{"string":"65010:1:2"'; do
  [[ "$(grep -oF "$want" <<<"$frr" | wc -l)" == 2 ]] ||
    die "the router (eBGP) has not $want on both nodes' paths to $VIP4/32: $frr"
done
show="$(node_ctl lb show bgp)"
[[ "$show" == *"policy $(bird_policy): 1 VIP with local_pref or communities"* ]] ||
  die "lb1's show bgp has no policy line: $show"
ok "www's local_pref 200 and communities 65010:100, 65010:1:2: web1's bird (iBGP) has them; the router (eBGP) has the communities"

# A reload that changes them: the file is rewritten, bird reconfigured, the peers updated.
lb_use lb
sed -i 's/^  local_pref = 200$/  local_pref = 50/; s/^  communities = .*/  communities = ["65010:200"]/' "$SLUICE_CONF"
inode="$(stat -c %i "$(bird_policy)")"
t0="$EPOCHREALTIME"
kill -HUP "$SLUICED_PID"
wait_for 10 observer_has "BGP.local_pref: 50" || die "web1's bird did not get local_pref 50 after the reload: $(observer_route)"
took="$(fsub "$EPOCHREALTIME" "$t0")"
wait_for 5 observer_lacks "(65010,100)" || die "web1's bird still has 65010:100: $(observer_route)"
route="$(observer_route)"
[[ "$route" == *"BGP.community: (65010,200)"* && "$route" != *"BGP.large_community"* ]] ||
  die "web1's bird has not exactly the new communities: $route"
[[ "$(stat -c %i "$(bird_policy)")" != "$inode" ]] || die "the policy file was not replaced"
grep -q "sluiced: bgp: bird reconfigured: 0003 Reconfigured" "$SLUICED_LOG" ||
  die "lb1's sluiced did not log bird's answer: $(grep 'bgp:' "$SLUICED_LOG" | tail -n 5)"
[[ "$(node_ctl lb show bgp)" == *"bird accepted it (0003 Reconfigured)"* ]] ||
  die "lb1's show bgp does not say bird took the file: $(node_ctl lb show bgp)"
ok "reload with local_pref 50 and 65010:200: file replaced, bird reconfigured, web1's bird has them ${took} s after the SIGHUP"

# A bird that refuses its configuration: lb2's bird.conf broken, then a reload that changes
# the policy.
lb_use lb2
bird_conf="$(sluice_dir)/bird/bird.conf"
cp "$bird_conf" "$bird_conf.good"
echo "protocol bogus {" >>"$bird_conf"
sed -i 's/^  communities = .*/  communities = ["65010:300"]/' "$SLUICE_CONF"
kill -HUP "$SLUICED_PID"
refused() { [[ "$(node_ctl lb2 show bgp)" == *"bird refused it and keeps its previous configuration (8002 $bird_conf:"* ]]; }
wait_for 10 refused || die "lb2's show bgp does not say bird refused: $(node_ctl lb2 show bgp)"
grep -q "sluiced: bgp: bird refused its configuration and keeps the previous one: 8002 $bird_conf:" "$SLUICED_LOG" ||
  die "lb2's sluiced did not log the refusal: $(grep 'bgp:' "$SLUICED_LOG" | tail -n 5)"
mv "$bird_conf.good" "$bird_conf"
birdc_run configure >/dev/null || die "lb2's bird refuses its restored config"
lb_use lb
ok "lb2's bird refusing its configuration: in show bgp and the log"

# === 5. the BGP series of the dashboard and the rules ======================================
in_ns lb curl -s --max-time 5 -o "$TOPO_DIR/scrape.txt" "http://$METRICS_LISTEN/metrics" ||
  die "no scrape of lb1's /metrics"
missing=()
names="$(grep -ho 'sluice_bgp_[a-z_]*' "$REPO_ROOT/configs/grafana/sluice-dashboard.json" \
  "$REPO_ROOT/configs/prometheus/sluice-alerts.yml" | sort -u)"
[[ -n "$names" ]] || die "the dashboard and the rules name no sluice_bgp_* series"
for name in $names; do
  grep -q "^${name}[{ ]" "$TOPO_DIR/scrape.txt" || missing+=("$name")
done
((${#missing[@]} == 0)) || die "named by the dashboard or the rules, not in lb1's scrape: ${missing[*]}"
ok "lb1's scrape has every BGP series the dashboard and the rules name: $(echo "$names" | tr '\n' ' ')"
log "PASS in $((SECONDS - T_START)) s"
