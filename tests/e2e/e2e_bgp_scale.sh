#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: growing the active-active site from two sluice nodes to three, and losing
# one of the three (docs/bgp.md, "From 2 nodes to N"). The routed site of
# e2e_bgp_ecmp.sh (scripts/lib/bgp.sh: a router running FRR with BFD, ECMP and L4
# hashing, a client, far, behind it) with three lb nodes (TOPO_LB2=1 TOPO_LB3=1), each
# running the dataplane, sluiced with [bgp] and BIRD 2; web1 and web2 serve the www VIP
# 10.213.0.100 (dsr-l2).
#
#   1. lb1 and lb2 announce: the router has two nexthops. lb3 starts in maintenance (its
#      BGP state file says so, as an operator adds a node): its BGP and BFD sessions
#      come up, it announces nothing.
#   2. 2 -> 3: 24 slow downloads (nginx limit_rate) from far, then `set node ready` on
#      lb3: the router has three nexthops (timed), flows it now hashes to another node
#      move (some to lb3), and every download completes byte for byte from the backend
#      it began on (Maglev agreement). 40 new requests are all served, lb3's own
#      counters show its share.
#   3. 3 -> 2: 24 slow downloads and a request every 50 ms from far, then lb2 dies as a
#      whole (link down, then SIGKILL of its dataplane, sluiced and bird): only BFD can
#      tell the router, which drops lb2 in < 1 s (timed); the downloads lb2 carried move
#      to lb1 and lb3 and complete whole; the client-visible outage is measured.
# The figures are printed as a table.
#
#   BUILD_DIR=build-x TOPO_ID=s$$ tests/e2e/e2e_bgp_scale.sh
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
# shellcheck source=scripts/lib/outage_probe.sh
source "$(dirname "$0")/../../scripts/lib/outage_probe.sh"
# shellcheck source=scripts/lib/e2e.sh
source "$(dirname "$0")/../../scripts/lib/e2e.sh"

export TOPO_LB2=1 TOPO_LB3=1 SLUICED_CONTROLPLANE=1 SLUICE_NO_VIP6=1 NGINX_SLOW=1
export SLUICED_WWW_CHECK="$SLUICED_FAST_HTTP_CHECK"
# A routed VIP: on the web servers' lo (dsr-l2), in no subnet of the site.
VIP4=10.213.0.100
BFD_LIMIT_S="${BFD_LIMIT_S:-1.0}"
N_SLOW=24 # slow downloads per event: some of them are moved whatever the router's hash
T_START=$SECONDS

require_root
sluice_require_bin
sluiced_require_bin
bgp_require
e2e_traps
trap 'e2e_cleanup; bgp_down' EXIT

declare -A RESULT=()
ALL3="$LB_KERNEL4 $LB2_KERNEL4 $LB3_KERNEL4"

# node_start NODE: NODE's config with [bgp], its dataplane, sluiced and bird.
node_start() {
  bgp_node_config "$1" >"$TOPO_DIR/${LB_NAME[$1]}.toml"
  bgp_node_start "$1" "$TOPO_DIR/${LB_NAME[$1]}.toml"
}

# established PEER: the router's BGP session with PEER is established.
established() { vty "show bgp neighbors $1 json" | grep -q '"bgpState":"Established"'; }

# moved_to COUNT_AND_MOVES NEXTHOP: how many of the moves went to NEXTHOP.
moved_to() { grep -oF ">$2" <<<"$1" | wc -l; }

# === setup ================================================================================
topo_up
router_up
frr_start
for node in web1 web2; do
  in_ns "$node" ip route add default via "$ROUTER4"
done
for node in lb3 lb2 lb; do
  lb_use "$node"
  lb_kernel_address
done
node_start lb
node_start lb2
# lb3 joins as an operator adds a node: in maintenance until it is checked
mkdir -p "$TOPO_DIR/lb3"
printf 'sluice-bgp-state 1\nnode maint %s\n' "$(date +%s)" >"$TOPO_DIR/lb3/bgp-state"
node_start lb3
ok "router (FRR) and far up; lb1, lb2 and lb3 run the dataplane, sluiced and bird (lb3 in maintenance)"

# === 1. two nodes announce; the third is up but in maintenance =============================
wait_nexthops "$LB_KERNEL4 $LB2_KERNEL4" 30 "lb1 and lb2 announcing"
for node in lb lb2 lb3; do
  lb_use "$node"
  wait_for 20 bfd_up "$LB_KERNEL4" || die "BFD with ${LB_NAME[$node]} not up: $(vty 'show bfd peers brief')"
done
lb_use lb
wait_for 20 established "$LB3_KERNEL4" ||
  die "the router's session with lb3 is not established: $(vty "show bgp neighbors $LB3_KERNEL4 json" | head -c 600)"
node_ctl lb3 show bgp json | grep -q '"name":"www","address":"[^"]*","announced":false' ||
  die "lb3 announces www although in maintenance: $(node_ctl lb3 show bgp)"
nexthops_are "$LB_KERNEL4 $LB2_KERNEL4" || die "the router has $(router_nexthops "$VIP4") with lb3 in maintenance"
ok "router: $VIP4 via $(router_nexthops "$VIP4"); BGP and BFD up with all three, lb3 in maintenance announces nothing"

# === 2. 2 -> 3: lb3 joins =================================================================
slow_downloads_start join 41000 "$N_SLOW"
sleep 1.5
out="$(node_ctl lb3 set node ready)" || die "set node ready on lb3: $out"
t0="$EPOCHREALTIME"
joined="$(time_until_nexthops "$ALL3" 10 "$t0")"
[[ "$joined" != "-" ]] || die "the router's nexthops for $VIP4 are '$(router_nexthops "$VIP4")' 10 s after lb3 was set ready"
RESULT[join]="$joined"
read -r n_moved moves <<<"$(slow_downloads_moved)"
n_to3="$(moved_to "$moves" "$LB3_KERNEL4")"
((n_to3 > 0)) || die "none of the $N_SLOW downloads moved to lb3 (moves: ${moves:-none})"
slow_downloads_check join
RESULT[join_kept]="$N_SLOW/$N_SLOW ($n_moved moved, $n_to3 to lb3)"
ok "lb3 set ready: the router has 3 nexthops after $joined s; $N_SLOW of $N_SLOW slow downloads complete and whole, $n_moved moved to another node ($n_to3 to lb3) on the backend they began on"

declare -A before=() fwd=() via_count=()
for node in lb lb2 lb3; do before[$node]="$(bgp_vip_packets "$node")"; done
fails=0
for port in $(seq 42000 42039); do
  who="$(far_get "$port")" || true
  [[ "$who" == web1 || "$who" == web2 ]] || fails=$((fails + 1))
  v="$(route_via "$port")"
  via_count[$v]=$((${via_count[$v]:-0} + 1))
done
((fails == 0)) || die "$fails of 40 requests through the VIP failed with three nodes"
sleep 1.2 # the dataplanes' counters reach sluiced every second
share=""
for node in lb lb2 lb3; do
  lb_use "$node"
  fwd[$node]=$(($(bgp_vip_packets "$node") - ${before[$node]}))
  share+="${share:+, }${LB_NAME[$node]} ${fwd[$node]} packets (${via_count[$LB_KERNEL4]:-0} flows)"
done
lb_use lb
((${via_count[$LB3_KERNEL4]:-0} > 0)) || die "the router sent none of 40 flows via lb3: $share"
((fwd[lb3] > 0)) || die "lb3 forwarded nothing although the router sent it flows: $share"
RESULT[share]="$share"
ok "40 of 40 requests served by three nodes: $share"

# === 3. 3 -> 2: lb2 lost, BFD ==============================================================
slow_downloads_start lose 43000 "$N_SLOW"
PROBE_NODE=far probe_start "$TOPO_DIR/probe-lose.out" 60 "http://$VIP4/"
sleep 1.5
t_lose="$EPOCHREALTIME"
bgp_node_lose lb2
gone="$(time_until_nexthops "$LB_KERNEL4 $LB3_KERNEL4" 5 "$t_lose")"
[[ "$gone" != "-" ]] || die "the router still routes $VIP4 via '$(router_nexthops "$VIP4")' 5 s after lb2 was lost"
RESULT[lose]="$gone"
le "$gone" "$BFD_LIMIT_S" || die "the router dropped lb2 $gone s after it was lost; BFD (100 ms x 3) should do it in < $BFD_LIMIT_S s"
grep -qi "down" <<<"$(vty "show bfd peer $LB2_KERNEL4")" || die "the router's BFD session with lb2 is not down"
read -r n_moved moves <<<"$(slow_downloads_moved)"
n_from2="$(grep -oF "$LB2_KERNEL4>" <<<"$moves" | wc -l)"
((n_from2 > 0)) || die "none of the $N_SLOW downloads went through lb2 (moves: ${moves:-none})"
slow_downloads_check lose
RESULT[lose_kept]="$N_SLOW/$N_SLOW ($n_moved moved, $n_from2 from lb2)"
wait "$PROBE_PID" || true
read -r fails outage last_ok first_ok late <<<"$(probe_outage "$TOPO_DIR/probe-lose.out" "$t_lose")"
((late == 0)) || die "$late requests failed after the service had recovered from losing lb2"
RESULT[lose_outage]="$fails of 60 failed, outage $outage s"
ok "lb2 lost (link down, processes killed): the router dropped it after $gone s (BFD); $N_SLOW of $N_SLOW slow downloads complete and whole, $n_moved moved to another node ($n_from2 from lb2) on the backend they began on; new requests: $fails of 60 failed, outage $outage s (last ok $last_ok, first ok $first_ok s from the event)"

log "figures (BFD 100 ms x 3, checks every 0.2 s, $N_SLOW slow downloads of 4 s per event):"
{
  printf '| event | figure |\n|---|---|\n'
  printf '| 2 -> 3: set node ready on lb3 -> router has 3 nexthops | %s s |\n' "${RESULT[join]}"
  printf '| 2 -> 3: slow downloads kept whole | %s |\n' "${RESULT[join_kept]}"
  printf '| 3 nodes: 40 new connections | %s |\n' "${RESULT[share]}"
  printf '| 3 -> 2: lb2 lost (link down, SIGKILL) -> router drops lb2 (BFD) | %s s |\n' "${RESULT[lose]}"
  printf '| 3 -> 2: slow downloads kept whole | %s |\n' "${RESULT[lose_kept]}"
  printf '| 3 -> 2: new requests (every 50 ms) | %s |\n' "${RESULT[lose_outage]}"
} | tee "$TOPO_DIR/bgp-scale-figures.md" | sed 's/^/    /'
log "PASS in $((SECONDS - T_START)) s"
