#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# www.foobar.com behind two sluice nodes running active-active, on one machine. The seed's
# site in network namespaces:
#
#   client 10.212.0.2 -- router (FRR: BGP, BFD, ECMP) -- bridge: lb1, lb2 (sluice), web1, web2 (nginx)
#
# Each load balancer runs sluice-dataplane (af_packet on its veth), sluiced (health
# checks, BGP announcements, metrics) and BIRD 2 (configs/bird-sluice.conf). Each announces
# the VIP 10.213.0.100 while it can serve it; the router spreads the client's connections
# over both nodes (ECMP), and both nodes build the same Maglev table, so a connection keeps
# its web server whichever node it crosses. The web servers answer the client directly
# (DSR). The demo tells, in a few lines each:
#   1. requests spread over both web servers, through both load balancers;
#   2. web2 dies: the health checks take it out; no request fails after that;
#   3. lb1 dies (its link goes dark, its processes are killed): the router drops it by BFD
#      and lb2 carries everything; the gap the client saw, measured;
#   4. the status page and the Prometheus metrics, with a sample.
# Everything is removed on exit.
#
#   sudo scripts/demo.sh                 20 requests in step 1 (REQUESTS=n to change)
#   DEMO_HOLD=1 scripts/demo.sh          at the end, keep the site up until Enter, with
#                                        lb2's status page on http://127.0.0.1:9101/
#   BUILD_DIR=build-x scripts/demo.sh    use another build directory
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/netns.sh
source scripts/lib/netns.sh
# shellcheck source=scripts/lib/config.sh
source scripts/lib/config.sh
# shellcheck source=scripts/lib/dataplane.sh
source scripts/lib/dataplane.sh
# shellcheck source=scripts/lib/sluiced.sh
source scripts/lib/sluiced.sh
# shellcheck source=scripts/lib/lb2.sh
source scripts/lib/lb2.sh
# shellcheck source=scripts/lib/bgp.sh
source scripts/lib/bgp.sh
# shellcheck source=scripts/lib/outage_probe.sh
source scripts/lib/outage_probe.sh
# shellcheck source=scripts/lib/e2e.sh
source scripts/lib/e2e.sh

REQUESTS="${REQUESTS:-20}"
DEMO_STATUS_PORT="${DEMO_STATUS_PORT:-9101}"
export TOPO_LB2=1 SLUICED_CONTROLPLANE=1 SLUICE_NO_VIP6=1
export SLUICED_WWW_CHECK="$SLUICED_FAST_HTTP_CHECK"
VIP4=10.213.0.100 # routed: in no subnet of the site, only BGP brings it to the nodes
METRICS_LISTEN=127.0.0.1:9101
T_START=$EPOCHREALTIME

require_root

banner() { printf '\n== %s\n' "$*"; }
indent() { sed 's/^/    /'; }

trap 'e2e_cleanup; bgp_down; log "namespaces removed"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

if [[ ! -x "$SLUICE_BIN" || ! -x "$SLUICED_BIN" ]] || ! command -v bird >/dev/null ||
  [[ ! -x "$FRR_LIB/bgpd" ]]; then
  banner "installing and building what the demo needs"
  bash scripts/setup.sh
  if [[ ! -d "$BUILD_DIR/meson-info" ]]; then
    meson setup "$BUILD_DIR" --buildtype=release
  fi
  ninja -C "$BUILD_DIR"
fi
sluice_require_bin
sluiced_require_bin
bgp_require

# who_via SPORT: lb1 or lb2, the node the router sends the client's flow from SPORT to.
who_via() {
  case "$(route_via "$1")" in
    "$LB_KERNEL4") echo lb1 ;;
    "$LB2_KERNEL4") echo lb2 ;;
    *) echo "?" ;;
  esac
}
# health NODE ADDRESS: ADDRESS's health in www as NODE's sluiced sees it (UP, DOWN, ...).
health() {
  node_ctl "$1" --json show backends www |
    "$PY" tests/lib/sluicectl_answer.py backend "$2" health 2>/dev/null
}
health_everywhere() { [[ "$(health lb "$1")" == "$2" && "$(health lb2 "$1")" == "$2" ]]; }

declare -A by_web=() by_lb=()
FAILED=0
# requests FIRST_PORT COUNT: COUNT requests from the client, one per source port from
# FIRST_PORT, one line each; tallies by_web and by_lb, counts failures in FAILED.
requests() {
  local port who via
  for ((port = $1; port < $1 + $2; port++)); do
    who="$(far_get "$port")" || FAILED=$((FAILED + 1))
    via="$(who_via "$port")"
    printf '    request from port %d  via %s -> %s\n' "$port" "$via" "$who"
    by_web[$who]=$((${by_web[$who]:-0} + 1))
    by_lb[$via]=$((${by_lb[$via]:-0} + 1))
  done
}

# === the site ============================================================================
banner "the site: client -- router (FRR, BGP + BFD, ECMP) -- lb1, lb2 (sluice) -- web1, web2 (nginx)"
topo_up
router_up
frr_start
for node in web1 web2; do
  in_ns "$node" ip route add default via "$ROUTER4"
done
for node in lb2 lb; do
  lb_use "$node"
  lb_kernel_address
  conf="$TOPO_DIR/${LB_NAME[$node]}.toml"
  { bgp_node_config "$node" && printf '\n[metrics]\nlisten = "%s"\n' "$METRICS_LISTEN"; } >"$conf"
  bgp_node_start "$node" "$conf"
done
log "each lb node: the dataplane on its veth, sluiced and BIRD; the VIP's part of its config:"
sed -n '/^\[\[vip\]\]/,/^$/p' "$TOPO_DIR/lb1.toml" | sed -e '/^$/,$d' | indent
sed -n '/^\[bgp\]/,/^$/p' "$TOPO_DIR/lb1.toml" | sed -e '/^$/,$d' | indent

# === 1. both announce, both forward ======================================================
banner "1. both load balancers announce $VIP4 (www.foobar.com) by BGP; the router spreads flows over them"
wait_nexthops "$LB_KERNEL4 $LB2_KERNEL4" 30 "both nodes announcing"
log "router: $(in_ns router ip route show "$VIP4" | tr -s ' \n' ' ')"
log "lb1's sluicectl show bgp:"
node_ctl lb show bgp | indent
log "$REQUESTS requests from the client, each on a new connection (curl -H 'Host: $WWW_HOST' http://$VIP4/):"
requests 41000 "$REQUESTS"
log "served by web1 ${by_web[web1]:-0}, web2 ${by_web[web2]:-0}; through lb1 ${by_lb[lb1]:-0}, lb2 ${by_lb[lb2]:-0}; failed $FAILED"
((FAILED == 0 && ${by_web[web1]:-0} > 0 && ${by_web[web2]:-0} > 0)) ||
  die "expected every request served, by both web1 and web2"
((${by_lb[lb1]:-0} > 0 && ${by_lb[lb2]:-0} > 0)) || die "expected flows through both lb1 and lb2"

# === 2. a web server dies ================================================================
banner "2. web2 dies (nginx stopped): the health checks of both nodes take it out"
t0="$EPOCHREALTIME"
nginx_stop web2
wait_for 10 health_everywhere "$WEB2_4" DOWN || die "web2 is not DOWN on both nodes"
log "web2 DOWN on lb1 and lb2 after $(elapsed "$t0") s (HTTP check every 0.2 s, fall 2)"
by_web=() by_lb=()
requests 42000 10
log "after: web1 served ${by_web[web1]:-0} of 10, failed $FAILED"
((FAILED == 0 && ${by_web[web1]:-0} == 10)) || die "expected web1 to serve all 10 requests"
t0="$EPOCHREALTIME"
nginx_start web2
wait_for 10 health_everywhere "$WEB2_4" UP || die "web2 is not UP again on both nodes"
log "web2 back (nginx started): UP on both nodes after $(elapsed "$t0") s (rise 2)"

# === 3. a load balancer dies =============================================================
banner "3. lb1 dies as a machine does (link dark, processes gone) while the client sends a request every 50 ms"
PROBE_NODE=far probe_start "$TOPO_DIR/probe-kill.out" 60 "http://$VIP4/"
sleep 0.5
# A switch that has lost lb1's port floods frames still sent to lb1's MAC only until its
# entry ages out; no flooding towards lb2 meanwhile, so that lb2 does not take them.
ip -n "$(ns_name sw)" link set p-lb2 type bridge_slave flood off
lb_use lb
t_kill="$EPOCHREALTIME"
ip -n "$(ns_name sw)" link set p-lb down
{
  kill -KILL "$SLUICED_PID" "$SLUICE_PID" "${BIRD_PID[lb]}"
  wait "$SLUICED_PID" "$SLUICE_PID" "${BIRD_PID[lb]}" || true
} 2>/dev/null
SLUICED_PID="" SLUICE_PID=""
gone="$(time_until_nexthops "$LB2_KERNEL4" 5 "$t_kill")"
[[ "$gone" != "-" ]] || die "the router still routes $VIP4 via lb1 5 s after lb1 died"
log "the router dropped lb1 after $gone s: nothing of lb1 reached it, its BFD session (100 ms x 3) went down"
wait "$PROBE_PID" || true
read -r fails outage _ _ late <<<"$(probe_outage "$TOPO_DIR/probe-kill.out" "$t_kill")"
log "the client: $fails of 60 requests failed (those the router sent to lb1 before it knew), gap $outage s; then every request served by lb2"
((late == 0)) || die "$late requests failed after the service had recovered"
by_web=() by_lb=()
requests 43000 6
((FAILED == 0)) || die "requests failed after lb1's death"

# === 4. what an operator sees ============================================================
banner "4. the status page and the Prometheus metrics of lb2's sluiced ([metrics] listen = \"$METRICS_LISTEN\")"
lb_use lb2
log "a sample of http://$METRICS_LISTEN/metrics:"
in_ns lb2 curl -s --max-time 2 "http://$METRICS_LISTEN/metrics" |
  grep -E '^sluice_(backend_health|bgp_vip_announced|bgp_session_up|vip_packets_total|dataplane_connected)\b' | indent
log "the status page: http://$METRICS_LISTEN/ (in lb2's namespace: ip netns exec $(ns_name lb2) curl http://$METRICS_LISTEN/)"
lb_use lb
if [[ -n "${DEMO_HOLD:-}" ]]; then
  socat "TCP-LISTEN:$DEMO_STATUS_PORT,bind=127.0.0.1,reuseaddr,fork" \
    "EXEC:ip netns exec $(ns_name lb2) socat - TCP\:$METRICS_LISTEN" &
  TOPO_PIDS+=($!)
  log "lb2's status page is on http://127.0.0.1:$DEMO_STATUS_PORT/ of this machine; Enter ends the demo"
  read -r _ || true
fi

banner "demo OK in $(elapsed "$T_START") s: both web servers served through both load balancers; web2's death cost no request; lb1's cost $fails requests over $outage s"
