#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: two sluice nodes active-active behind a router, the www VIP announced by BGP
# (docs/bgp.md). The www.foobar.com topology with a second load balancer (TOPO_LB2=1),
# plus a router running FRR (zebra, bgpd, bfdd; ECMP, L4 hashing) and a client, far,
# behind it (scripts/lib/bgp.sh). Each lb node runs the dataplane (af_packet on its veth),
# sluiced with [bgp] (kernel table 100, protocol 200) and BIRD 2 from
# configs/bird-sluice.conf; the BGP and BFD sessions run through the node's kernel. The
# VIP is 10.213.0.100, outside every subnet: only the BGP routes bring it to the nodes.
#
#   1. both nodes announce: the router has two nexthops; 40 requests from far, each on
#      its own source port, are all served, and both dataplanes count VIP traffic.
#      lb1's `show bgp` has its bird's sessions (read on bird's control socket): router1
#      established, and router2, a neighbour nobody is, never up, with bird's reason
#      (also in sluiced's log).
#   2. all backends DOWN as lb2 sees them (its kernel cannot reach them): lb2 withdraws
#      (show bgp says why), the router keeps lb1 only; back up: lb2 announces again.
#      `set vip www announce off` on lb2 withdraws it too, `on` brings it back;
#      `[vip.bgp] med = 50` on lb2 (reload) reaches the router as MED 50: lb1 only.
#   3. `sluicectl set node maint` on lb1 while far sends a request every 50 ms: lb1
#      withdraws, zero failed requests; `set node ready`: it announces again.
#   4. slow downloads (nginx limit_rate) through both nodes (lb1's counters prove its
#      share), then lb1's link is cut: the router drops lb1's nexthop by BFD in < 1 s, and
#      every download, those that moved to lb2 included, completes whole from the backend
#      it started on (Maglev agreement). Link back: lb1 announced again. Then the same
#      with lb1 killed (SIGKILL of its dataplane, sluiced and bird); lb1's sluiced
#      started again without its bird says bird is not reachable, and why.
#   5. SIGTERM of lb2's sluiced: it withdraws at once and exits after drain_time.
# The figures are printed as a table.
#
#   BUILD_DIR=build-x TOPO_ID=b$$ tests/e2e/e2e_bgp_ecmp.sh
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

export TOPO_LB2=1 SLUICED_CONTROLPLANE=1 SLUICE_NO_VIP6=1 NGINX_SLOW=1
export SLUICED_WWW_CHECK="$SLUICED_FAST_HTTP_CHECK"
# A routed VIP: on the web servers' lo (dsr-l2), in no subnet of the site.
VIP4=10.213.0.100
BFD_LIMIT_S="${BFD_LIMIT_S:-1.0}"
T_START=$SECONDS

require_root
sluice_require_bin
sluiced_require_bin
bgp_require
e2e_traps
trap 'e2e_cleanup; bgp_down' EXIT

declare -A RESULT=()

ctl() { node_ctl "$@"; }
# announced NODE: sluiced on NODE says www is announced.
announced() { ctl "$1" show bgp json | grep -q '"name":"www","address":"[^"]*","announced":true'; }
bgp_reason() { ctl "$1" show bgp json | sed -n 's/.*"name":"www".*"reason":"\([^"]*\)".*/\1/p'; }

# vip_packets NODE: VIP packets NODE's dataplane forwarded to the backends.
vip_packets() {
  ctl "$1" show backends www json | grep -oE '"packets":[0-9]+' | awk -F: '{ s += $2 } END { print s + 0 }'
}

# node_start NODE [ROUTER2]: NODE's config with [bgp], its dataplane, sluiced and bird
# (with a second router, ROUTER2).
node_start() {
  bgp_node_config "$1" >"$TOPO_DIR/${LB_NAME[$1]}.toml"
  bgp_node_start "$1" "$TOPO_DIR/${LB_NAME[$1]}.toml" "${2:-}"
}

# session_is NODE NAME REGEX: NODE's `show bgp` has one line for bird's session NAME, and
# it matches REGEX.
session_is() { [[ "$(ctl "$1" show bgp | grep -E "^session $2 ")" =~ $3 ]]; }

# === setup ================================================================================
topo_up
router_up
frr_start
for node in web1 web2; do
  in_ns "$node" ip route add default via "$ROUTER4"
done
lb_use lb2
lb_kernel_address
lb_use lb
lb_kernel_address
node_start lb "$ROUTER2_ABSENT4"
node_start lb2
ok "router (FRR) and far up; lb1 and lb2 run the dataplane, sluiced and bird (lb1's with a second router, $ROUTER2_ABSENT4, that does not exist)"

# === 1. both nodes announce, both forward ==================================================
wait_nexthops "$LB_KERNEL4 $LB2_KERNEL4" 30 "both nodes announcing"
ok "router: $VIP4 via $(router_nexthops "$VIP4") (ECMP)"
wait_for 15 bfd_up "$LB_KERNEL4" || die "BFD with lb1 not up: $(vty 'show bfd peers brief')"
wait_for 15 bfd_up "$LB2_KERNEL4" || die "BFD with lb2 not up: $(vty 'show bfd peers brief')"
ok "BFD up with both nodes"
# bird's sessions as sluiced reads them on bird's control socket
re_up='^session router1 +BGP +up +since [0-9:.]+ +Established$'
re_never='^session router2 +BGP +start +since [0-9:.]+ +(Active|Connect) \(Socket: No route to host\)$'
wait_for 10 session_is lb router1 "$re_up" || die "lb1's show bgp has no established router1: $(ctl lb show bgp)"
wait_for 15 session_is lb router2 "$re_never" || die "lb1's show bgp does not say why router2 is not up: $(ctl lb show bgp)"
out="$(ctl lb show bgp)"
grep -qxF "bird $(bird --version 2>&1 | awk '{ print $3 }') at $TOPO_DIR/bird/bird.ctl" <<<"$out" ||
  die "lb1's show bgp does not name its bird: $out"
json="$(ctl lb show bgp json)"
[[ "$json" == *'"reachable":true,"error":""'* && "$json" == *'{"name":"router1","proto":"BGP","state":"up","up":true,'* &&
  "$json" == *'{"name":"router2","proto":"BGP","state":"start","up":false,'*'"last_error":"Socket: No route to host"}'* ]] ||
  die "lb1's show bgp json: $json"
grep -qE "sluiced: bgp: session router2 \(BGP\) start since [0-9:.]+: (Active|Connect) \(Socket: No route to host\)$" "$TOPO_DIR/sluiced.log" ||
  die "lb1's sluiced did not log why router2 is not up: $(grep 'bgp: session' "$TOPO_DIR/sluiced.log")"
ok "lb1's show bgp has its bird's sessions: $(grep -E '^session router1 ' <<<"$out" | tr -s ' '); $(grep -E '^session router2 ' <<<"$out" | tr -s ' ') (also logged)"
before1="$(vip_packets lb)" before2="$(vip_packets lb2)"
declare -A via_count=()
fails=0
for port in $(seq 41000 41039); do
  who="$(far_get "$port")" || true
  [[ "$who" == web1 || "$who" == web2 ]] || fails=$((fails + 1))
  v="$(route_via "$port")"
  via_count[$v]=$((${via_count[$v]:-0} + 1))
done
((fails == 0)) || die "$fails of 40 requests through the VIP failed"
sleep 1.2 # the dataplanes' counters reach sluiced every second
d1=$(($(vip_packets lb) - before1)) d2=$(($(vip_packets lb2) - before2))
((d1 > 0 && d2 > 0)) || die "both nodes must forward: lb1 forwarded $d1 packets, lb2 $d2 (router: ${via_count[$LB_KERNEL4]:-0} flows via lb1, ${via_count[$LB2_KERNEL4]:-0} via lb2)"
ok "40 of 40 requests served; both nodes forward at once: lb1 $d1 packets (${via_count[$LB_KERNEL4]:-0} flows), lb2 $d2 packets (${via_count[$LB2_KERNEL4]:-0} flows)"

# === 2. every backend DOWN on lb2 -> lb2 withdraws; back up -> it announces again ========
in_ns lb2 ip route add prohibit "$WEB1_4/32"
in_ns lb2 ip route add prohibit "$WEB2_4/32"
t0="$EPOCHREALTIME"
wait_nexthops "$LB_KERNEL4" 5 "lb2's backends down"
RESULT[health_withdraw]="$(fsub "$EPOCHREALTIME" "$t0")"
reason="$(bgp_reason lb2)"
[[ "$reason" == "too few serving backends" ]] || die "lb2's show bgp gives '$reason' for www"
announced lb || die "lb1 stopped announcing although its backends are up"
ok "lb2's checks fail: it withdrew ('$reason'); the router dropped it ${RESULT[health_withdraw]} s after the checks started failing (fall 2 x 0.2 s)"
in_ns lb2 ip route del prohibit "$WEB1_4/32"
in_ns lb2 ip route del prohibit "$WEB2_4/32"
t0="$EPOCHREALTIME"
wait_nexthops "$LB_KERNEL4 $LB2_KERNEL4" 5 "lb2's backends up again"
RESULT[health_announce]="$(fsub "$EPOCHREALTIME" "$t0")"
ok "lb2's backends up again: announced, on the router ${RESULT[health_announce]} s later (rise 2 x 0.2 s)"

# the operator's pin: one VIP never announced, then automatic again
out="$(ctl lb2 set vip www announce off)" || die "set vip www announce off: $out"
wait_nexthops "$LB_KERNEL4" 3 "www pinned off on lb2"
[[ "$(bgp_reason lb2)" == "pinned off by the operator" ]] || die "lb2's show bgp: $(ctl lb2 show bgp)"
grep -q "^vip www off " "$TOPO_DIR/lb2/bgp-state" || die "the pin is not persisted: $(cat "$TOPO_DIR/lb2/bgp-state")"
ctl lb2 set vip www announce on >/dev/null || die "set vip www announce on failed"
wait_nexthops "$LB_KERNEL4 $LB2_KERNEL4" 3 "www unpinned on lb2"
ok "set vip www announce off on lb2: withdrawn ('pinned off by the operator'), persisted; on: announced again"
# MED by policy: lb2's www with [vip.bgp] med = 50 (sluiced reloaded): the route's metric
# goes out as the MED and the router keeps the lower one only (primary/backup)
lb_use lb2
sed -i 's/^mode = "dsr-l2"$/mode = "dsr-l2"\n  [vip.bgp]\n  med = 50/' "$SLUICE_CONF"
kill -HUP "$SLUICED_PID"
lb_use lb
wait_nexthops "$LB_KERNEL4" 5 "lb2's www with MED 50"
vty "show bgp ipv4 unicast $VIP4/32" | grep -q "metric 50" ||
  die "the router has no path with MED 50: $(vty "show bgp ipv4 unicast $VIP4/32")"
[[ "$(in_ns lb2 ip route show table "$BGP_TABLE" proto "$BGP_PROTOCOL")" == *"metric 50"* ]] ||
  die "lb2's route has not metric 50: $(in_ns lb2 ip route show table "$BGP_TABLE")"
lb_use lb2
sed -i '/^  \[vip.bgp\]$/d; /^  med = 50$/d' "$SLUICE_CONF"
kill -HUP "$SLUICED_PID"
lb_use lb
wait_nexthops "$LB_KERNEL4 $LB2_KERNEL4" 5 "lb2's www back to MED 0"
ok "[vip.bgp] med = 50 on lb2 (reload): its route has metric 50, the router got MED 50 and keeps lb1 only; back to 0: ECMP again"
log "lb1's show bgp:"
ctl lb show bgp | sed 's/^/    /'

# === 3. graceful maintenance: zero failed requests =========================================
PROBE_NODE=far probe_start "$TOPO_DIR/probe-maint.out" 100 "http://$VIP4/"
sleep 1
out="$(ctl lb set node maint)" || die "set node maint: $out"
t0="$EPOCHREALTIME"
wait_nexthops "$LB2_KERNEL4" 3 "lb1 in maintenance"
RESULT[maint_withdraw]="$(fsub "$EPOCHREALTIME" "$t0")"
[[ "$(bgp_reason lb)" == "node in maintenance" ]] || die "lb1's show bgp: $(ctl lb show bgp)"
grep -q "node maint" "$TOPO_DIR/bgp-state" || die "maintenance not persisted: $(cat "$TOPO_DIR/bgp-state")"
sleep 2
ctl lb set node ready >/dev/null || die "set node ready failed"
wait_nexthops "$LB_KERNEL4 $LB2_KERNEL4" 3 "lb1 ready again"
wait "$PROBE_PID" || true
n_ok="$(grep -c ' ok$' "$TOPO_DIR/probe-maint.out" || true)"
n_fail="$(grep -c ' fail$' "$TOPO_DIR/probe-maint.out" || true)"
((n_fail == 0 && n_ok == 100)) || die "maintenance of lb1: $n_fail of 100 requests failed ($n_ok ok)"
RESULT[maint_fails]=0
ok "set node maint: lb1 withdrawn in ${RESULT[maint_withdraw]} s, persisted; ready: announced again; 100 of 100 requests served meanwhile"

# === 4. lb1 lost: BFD, and moved connections keep their backend ===========================
# slow_start TAG: six slow downloads (256 KiB at 64 KiB/s, ~4 s) from far, three of them on
# source ports the router sends via each node; DL_PORTS / DL_PIDS.
DL_PORTS=() DL_PIDS=()
slow_start() {
  local tag="$1" port v n1=0 n2=0
  DL_PORTS=() DL_PIDS=()
  for port in $(seq "$2" "$(($2 + 200))"); do
    v="$(route_via "$port")"
    if [[ "$v" == "$LB_KERNEL4" ]] && ((n1 < 3)); then
      DL_PORTS+=("$port")
      n1=$((n1 + 1))
    elif [[ "$v" == "$LB2_KERNEL4" ]] && ((n2 < 3)); then
      DL_PORTS+=("$port")
      n2=$((n2 + 1))
    fi
    ((n1 == 3 && n2 == 3)) && break
  done
  ((n1 == 3 && n2 == 3)) || die "$tag: no source ports found that the router sends via each node"
  for port in "${DL_PORTS[@]}"; do
    in_ns far curl -s --max-time 30 --local-port "$port" -H "Host: $WWW_HOST" \
      -D "$TOPO_DIR/far/$tag-$port.hdr" -o "$TOPO_DIR/far/$tag-$port.bin" "http://$VIP4/slow" &
    DL_PIDS+=($!)
  done
}
# slow_check TAG: every download completed, and is exactly the slow.bin of the backend
# that answered its first packets: none changed backend on the way.
slow_check() {
  local tag="$1" i port who
  for i in "${!DL_PORTS[@]}"; do
    port="${DL_PORTS[$i]}"
    wait "${DL_PIDS[$i]}" || die "$tag: the download from source port $port failed (curl exit $?)"
    who="$(sed -n 's/^X-Served-By: *//Ip' "$TOPO_DIR/far/$tag-$port.hdr" | tr -d '\r')"
    cmp -s "$TOPO_DIR/far/$tag-$port.bin" "$TOPO_DIR/$who/nginx/slow.bin" ||
      die "$tag: the download from port $port is not $who's slow.bin whole ($(stat -c %s "$TOPO_DIR/far/$tag-$port.bin") bytes)"
  done
}

# 4a. lb1's link cut (its bridge port down): nothing of lb1 reaches the router, not even
# a TCP reset; only BFD can tell.
slow_start cut 42000
sleep 1.5
p1="$(vip_packets lb)"
sleep 1.1
p2="$(vip_packets lb)"
((p2 > p1)) || die "the downloads the router sends via lb1 do not reach lb1 ($p1 -> $p2 packets)"
PROBE_NODE=far probe_start "$TOPO_DIR/probe-cut.out" 60 "http://$VIP4/"
sleep 0.5
# Once p-lb is down the bridge forgets lb1's MAC and floods frames still sent to it; lb2's
# af_packet port would take them (the dataplane does not filter on the destination MAC),
# hiding the outage. No unknown-unicast flooding towards lb2 during the cut, as on a
# switch whose entry for lb1 has not aged out.
ip -n "$(ns_name sw)" link set p-lb2 type bridge_slave flood off
t_cut="$EPOCHREALTIME"
ip -n "$(ns_name sw)" link set p-lb down
gone="$(time_until_nexthops "$LB2_KERNEL4" 5)"
[[ "$gone" != "-" ]] || die "the router still routes $VIP4 via lb1 5 s after its link was cut: $(router_nexthops "$VIP4")"
RESULT[cut_gone]="$gone"
le "$gone" "$BFD_LIMIT_S" || die "the router dropped lb1's nexthop $gone s after its link was cut; BFD (100 ms x 3) should do it in < $BFD_LIMIT_S s"
grep -qi "down" <<<"$(vty "show bfd peer $LB_KERNEL4")" || die "the router's BFD session with lb1 is not down"
ok "lb1's link cut: the router dropped its nexthop in $gone s (BFD 100 ms x 3 detects in 0.3 s + one interval)"
wait "$PROBE_PID" || true
read -r fails outage last_ok first_ok late <<<"$(probe_outage "$TOPO_DIR/probe-cut.out" "$t_cut")"
RESULT[cut_outage]="$outage" RESULT[cut_fails]="$fails"
((late == 0)) || die "$late requests failed after the service had recovered from the cut"
slow_check cut
RESULT[cut_kept]="6/6 (3 moved)"
ok "link cut: 6 of 6 slow downloads complete and whole, the 3 moved from lb1 to lb2 on the backend they started on (Maglev agreement); new requests: $fails of 60 failed, outage $outage s (last ok $last_ok, first ok $first_ok s from the event)"
ip -n "$(ns_name sw)" link set p-lb up
ip -n "$(ns_name sw)" link set p-lb2 type bridge_slave flood on
t0="$EPOCHREALTIME"
wait_nexthops "$LB_KERNEL4 $LB2_KERNEL4" 30 "lb1's link back"
RESULT[cut_back]="$(fsub "$EPOCHREALTIME" "$t0")"
wait_for 15 bfd_up "$LB_KERNEL4" || die "BFD with lb1 not up again: $(vty 'show bfd peers brief')"
ok "lb1's link back: announced again ${RESULT[cut_back]} s later (bird's error wait 5 s, BGP, BFD)"

# 4b. lb1 killed (SIGKILL of its dataplane, sluiced and bird): the kernel of lb1 closes
# bird's TCP session, so the router learns at once, before BFD.
slow_start kill 43000
sleep 1.5
PROBE_NODE=far probe_start "$TOPO_DIR/probe-kill.out" 60 "http://$VIP4/"
sleep 0.5
lb_use lb
read -r p_sluiced p_dp <<<"$SLUICED_PID $SLUICE_PID"
t_kill="$EPOCHREALTIME"
kill -KILL "$p_sluiced" "$p_dp" "${BIRD_PID[lb]}"
gone="$(time_until_nexthops "$LB2_KERNEL4" 5)"
lb_reap lb
[[ "$gone" != "-" ]] || die "the router still routes $VIP4 via lb1 5 s after lb1 died: $(router_nexthops "$VIP4")"
RESULT[kill_gone]="$gone"
le "$gone" "$BFD_LIMIT_S" || die "the router dropped lb1's nexthop $gone s after the kill (limit $BFD_LIMIT_S s)"
ok "lb1 killed (dataplane, sluiced, bird): the router dropped its nexthop in $gone s"
wait "$PROBE_PID" || true
read -r fails outage last_ok first_ok late <<<"$(probe_outage "$TOPO_DIR/probe-kill.out" "$t_kill")"
RESULT[kill_outage]="$outage" RESULT[kill_fails]="$fails"
((late == 0)) || die "$late requests failed after the service had recovered from the kill"
slow_check kill
RESULT[kill_kept]="6/6 (3 moved)"
# What systemd's ExecStopPost does after a crash: lb1's route is still in its table (its
# sluiced died without withdrawing); `sluiced --withdraw` removes it.
[[ -n "$(in_ns lb ip route show table "$BGP_TABLE" proto "$BGP_PROTOCOL")" ]] ||
  die "lb1's route vanished from table $BGP_TABLE although its sluiced was killed"
out="$(in_ns lb "$SLUICED_BIN" --config "$TOPO_DIR/lb1.toml" --withdraw)" || die "sluiced --withdraw failed: $out"
[[ "$out" == "withdrew 1 route(s) of protocol $BGP_PROTOCOL from table $BGP_TABLE" ]] ||
  die "sluiced --withdraw said '$out'"
[[ -z "$(in_ns lb ip route show table "$BGP_TABLE")" ]] || die "routes left after sluiced --withdraw"
ok "sluiced --withdraw (systemd's ExecStopPost) removed the route lb1's killed sluiced left"
ok "kill: 6 of 6 slow downloads complete and whole, the 3 moved from lb1 to lb2 included; new requests: $fails of 60 failed, outage $outage s (last ok $last_ok, first ok $first_ok s from the event)"
# lb1's sluiced again, its bird still dead (its socket file left behind): show bgp says so
sluiced_start "$TOPO_DIR/lb1.toml" || die "lb1's sluiced did not start again"
want="bird: not reachable at $TOPO_DIR/bird/bird.ctl (connect: Connection refused)"
says_bird_gone() { ctl lb show bgp | grep -qxF "$want"; }
wait_for 5 says_bird_gone || die "lb1's show bgp without its bird: $(ctl lb show bgp)"
grep -qF "sluiced: bgp: bird not reachable at $TOPO_DIR/bird/bird.ctl (connect: Connection refused); retrying" "$SLUICED_LOG" ||
  die "lb1's sluiced did not log that bird is not reachable: $(grep 'bgp: bird' "$SLUICED_LOG")"
sluiced_stop || true
ok "lb1's sluiced without its bird: '$want', logged"

# === 5. SIGTERM of sluiced: withdraw, drain, exit ==========================================
lb_use lb2
t0="$EPOCHREALTIME"
kill -TERM "$SLUICED_PID"
gone="$(time_until_nexthops "" 3)"
[[ "$gone" != "-" ]] || die "lb2's route stayed on the router after SIGTERM of its sluiced"
RESULT[term_withdraw]="$gone"
sleep 0.5
sluiced_alive || die "sluiced exited before its drain time ($BGP_DRAIN_S s)"
wait_for "$((BGP_DRAIN_S + 3))" bash -c "! kill -0 $SLUICED_PID" || die "sluiced still runs $((BGP_DRAIN_S + 3)) s after SIGTERM"
RESULT[term_exit]="$(fsub "$EPOCHREALTIME" "$t0")"
grep -q "every VIP withdrawn; forwarding on for" "$SLUICED_LOG" || die "sluiced did not log its drain"
[[ -z "$(in_ns lb2 ip route show table "$BGP_TABLE" proto "$BGP_PROTOCOL")" ]] ||
  die "routes left in table $BGP_TABLE after sluiced exited"
{ wait "$SLUICED_PID" || true; } 2>/dev/null
SLUICED_PID=""
lb_use lb
ok "SIGTERM of lb2's sluiced: withdrawn from the router in ${RESULT[term_withdraw]} s, exited after ${RESULT[term_exit]} s (drain_time $BGP_DRAIN_S s), table empty"

log "figures (2 nodes, BFD 100 ms x 3, checks every 0.2 s, fall 2 / rise 2):"
{
  printf '| event | figure |\n|---|---|\n'
  printf '| all backends down on lb2 -> router drops lb2 | %s s |\n' "${RESULT[health_withdraw]}"
  printf '| backends up again -> router has lb2 again | %s s |\n' "${RESULT[health_announce]}"
  printf '| set node maint -> router drops lb1 | %s s (0 of 100 requests failed) |\n' "${RESULT[maint_withdraw]}"
  printf '| lb1 link cut -> router drops lb1 (BFD 100 ms x 3) | %s s |\n' "${RESULT[cut_gone]}"
  printf '| link cut: new requests (every 50 ms) failed, outage | %s, %s s |\n' "${RESULT[cut_fails]}" "${RESULT[cut_outage]}"
  printf '| link cut: slow downloads kept whole | %s |\n' "${RESULT[cut_kept]}"
  printf '| link back -> router has lb1 again | %s s |\n' "${RESULT[cut_back]}"
  printf '| lb1 SIGKILLed (dataplane, sluiced, bird) -> router drops lb1 (TCP close) | %s s |\n' "${RESULT[kill_gone]}"
  printf '| kill: new requests failed, outage | %s, %s s |\n' "${RESULT[kill_fails]}" "${RESULT[kill_outage]}"
  printf '| kill: slow downloads kept whole | %s |\n' "${RESULT[kill_kept]}"
  printf '| SIGTERM of sluiced -> router drops lb2 / sluiced exits | %s s / %s s |\n' "${RESULT[term_withdraw]}" "${RESULT[term_exit]}"
} | tee "$TOPO_DIR/bgp-figures.md" | sed 's/^/    /'
log "PASS in $((SECONDS - T_START)) s"
