#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: flow sync (docs/flow-sync.md) keeps the connections of a drained backend
# alive when the node carrying them dies. The routed site of e2e_bgp_ecmp.sh
# (scripts/lib/bgp.sh): two sluice nodes, lb1 and lb2, each with its dataplane, sluiced
# and BIRD, announce the www VIP to a router running FRR (ECMP with L4 hashing, BFD);
# far, behind the router, downloads a slow file (nginx limit_rate) from web1 and web2.
#
# The same scene twice, first with [sync] off on both nodes, then on:
#   1. DOWNLOADS slow downloads from far, half on source ports the router sends via each
#      node; with sync, lb2 installs exactly the flows that pass through lb1 (and lb1
#      those of lb2) before anything else happens.
#   2. the backend serving most of lb1's downloads is drained on both nodes
#      (`set backend www ADDR state drain`): Maglev no longer maps flows to it, its
#      flows stay.
#   3. lb1 is killed (SIGKILL of its dataplane, sluiced and BIRD): the router moves lb1's
#      downloads to lb2. lb2 places a flow it has no entry for by Maglev, which no
#      longer has the drained backend.
#   4. with sync only: lb1 starts again while the downloads run, with [sync] join_wait:
#      it asks lb2 for its flows (bulk sync on join), installs them, and only then does
#      its sluiced announce the VIP (it holds BGP while sync_join_pending); the router
#      sends lb1's downloads back to it, and lb1 has them all.
# Without sync, exactly the downloads that moved and were on the drained backend break
# (the other backend resets them) and every other one completes whole; with sync, every
# download completes whole, through lb1, lb2 and lb1 again: each file's sha256 is that of
# the slow.bin of the backend that served its headers. The figures are printed as a table.
#
#   BUILD_DIR=build-x TOPO_ID=f$$ tests/e2e/e2e_flow_sync.sh
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

# Downloads of 1.5 MiB at 64 KiB/s: 24 s, long enough for the sync, the drain, the kill
# and lb1's return to happen while they are under way, on a loaded machine too.
export TOPO_LB2=1 SLUICED_CONTROLPLANE=1 SLUICE_NO_VIP6=1 NGINX_SLOW=1
export NGINX_SLOW_BYTES=$((1536 * 1024)) NGINX_SLOW_RATE=64k
export SLUICED_WWW_CHECK="$SLUICED_FAST_HTTP_CHECK"
VIP4=10.213.0.100 # routed, on the web servers' lo (dsr-l2), in no subnet of the site
PER_NODE="${PER_NODE:-12}" # downloads the router sends via each node
SYNC_PORT=7300
SYNC_KEY="e2e-flow-sync-key-$$-0123456789"
JOIN_WAIT_S=10
JOIN_REASON="waiting for the peers' flows (flow sync join)"
T_START=$SECONDS

require_root
sluice_require_bin
sluiced_require_bin
bgp_require
e2e_traps
trap 'e2e_cleanup; bgp_down' EXIT

declare -A RESULT=()
declare -A NODE_KERNEL4=([lb]=$LB_KERNEL4 [lb2]=$LB2_KERNEL4)
declare -A PEER=([lb]=lb2 [lb2]=lb)
declare -A NAME_OF=([$WEB1_4]=web1 [$WEB2_4]=web2)
declare -A ADDR_OF=([web1]=$WEB1_4 [web2]=$WEB2_4)

ctl() { node_ctl "$@"; }

# sync_counter NODE NAME: NODE's sync_NAME, as `show sync json` gives it.
sync_counter() {
  ctl "$1" show sync json | grep -oE "\"$2\":[0-9]+" | cut -d: -f2
}
sync_counter_is() { [[ "$(sync_counter "$1" "$2")" == "$3" ]]; }
# bgp_reason_is NODE REASON: NODE's show bgp gives REASON for www.
bgp_reason_is() {
  [[ "$(ctl "$1" show bgp json | sed -n 's/.*"name":"www".*"reason":"\([^"]*\)".*/\1/p')" == "$2" ]]
}

# dp_state_is NODE ADDR STATE: NODE's dataplane has backend ADDR of www in STATE.
dp_state_is() { (
  lb_use "$1"
  [[ "$(dataplane_backend_state www "$2")" == "$3" ]]
); }

# node_config NODE SYNC: NODE's config for the routed site, with [sync] on or off.
node_config() {
  local node="$1" peer="${PEER[$1]}"
  bgp_node_config "$node"
  cat <<EOF

[sync]
enable = $([[ "$2" == on ]] && echo true || echo false)
listen = "${NODE_KERNEL4[$node]}:$SYNC_PORT"
peers = ["${NODE_KERNEL4[$peer]}:$SYNC_PORT"]
key = "$SYNC_KEY"
threshold_packets = 3
threshold_time = 1
join_wait = $JOIN_WAIT_S
EOF
}

# node_start NODE SYNC: NODE (dataplane, sluiced, BIRD) with [sync] on or off, from a
# clean admin state.
node_start() {
  (
    lb_use "$1"
    rm -f "$(sluice_dir)/admin-state" "$(sluice_dir)/bgp-state" "$(bird_ctl)"
  )
  node_config "$1" "$2" >"$TOPO_DIR/${LB_NAME[$1]}-sync-$2.toml"
  bgp_node_start "$1" "$TOPO_DIR/${LB_NAME[$1]}-sync-$2.toml"
}

# nodes_start SYNC: both nodes; waits until the router has both as nexthops. With sync,
# lb1 starts alone first: no peer answers its join, and it announces nothing until
# join_wait has passed.
nodes_start() {
  node_start lb "$1"
  if [[ "$1" == on ]]; then
    wait_for "$JOIN_WAIT_S" bgp_reason_is lb "$JOIN_REASON" ||
      die "lb1's show bgp does not say that it waits for its join: $(ctl lb show bgp)"
    [[ -z "$(router_nexthops "$VIP4")" ]] || die "the router has a route via lb1 while its join waits"
    wait_nexthops "$LB_KERNEL4" $((JOIN_WAIT_S + 30)) "lb1's join timed out (no peer)"
    sync_counter_is lb join_timed_out 1 || die "lb1's join: $(ctl lb show sync)"
    ok "sync on: lb1 alone: show bgp says '$JOIN_REASON' and nothing is announced until its join times out (join_wait $JOIN_WAIT_S s, sync_join_timed_out 1)"
  fi
  node_start lb2 "$1"
  wait_nexthops "$LB_KERNEL4 $LB2_KERNEL4" 40 "both nodes announcing (sync $1)"
  if [[ "$1" == on ]]; then
    wait_for 5 sync_counter_is lb2 join_done 1 || die "lb2's join: $(ctl lb2 show sync)"
    sync_counter_is lb join_served 1 || die "lb1 served $(sync_counter lb join_served) joins, want lb2's"
  fi
}

# node_kill NODE: SIGKILL of NODE's sluiced, dataplane and BIRD; then what systemd's
# ExecStopPost does, `sluiced --withdraw` of the route its sluiced left.
node_kill() {
  local node="$1" p_sluiced p_dp
  lb_use "$node"
  read -r p_sluiced p_dp <<<"$SLUICED_PID $SLUICE_PID"
  kill -KILL "$p_sluiced" "$p_dp" "${BIRD_PID[$node]}"
  lb_use lb
  lb_reap "$node"
  { wait "${BIRD_PID[$node]}" || true; } 2>/dev/null
  in_ns "$node" "$SLUICED_BIN" --config "$TOPO_DIR/${LB_NAME[$node]}-sync-$RUN.toml" --withdraw >/dev/null ||
    die "sluiced --withdraw on ${LB_NAME[$node]} failed"
}

# node_stop NODE: NODE's sluiced (SIGTERM: it withdraws and drains), dataplane and BIRD.
node_stop() {
  lb_use "$1"
  sluiced_stop || true
  sluice_stop || true
  kill_pid "${BIRD_PID[$1]}" 5
  { wait "${BIRD_PID[$1]}" || true; } 2>/dev/null
  lb_use lb
}

# downloads_start TAG FIRST_PORT: PER_NODE downloads on source ports the router sends via
# each node, from FIRST_PORT on; VIA[port] is the node's kernel address.
declare -A VIA=()
PORTS=() PIDS=()
downloads_start() {
  local tag="$1" port v n1=0 n2=0
  VIA=() PORTS=() PIDS=()
  for port in $(seq "$2" "$(($2 + 400))"); do
    v="$(route_via "$port")"
    if [[ "$v" == "$LB_KERNEL4" ]] && ((n1 < PER_NODE)); then
      n1=$((n1 + 1))
    elif [[ "$v" == "$LB2_KERNEL4" ]] && ((n2 < PER_NODE)); then
      n2=$((n2 + 1))
    else
      continue
    fi
    PORTS+=("$port")
    VIA[$port]="$v"
    ((n1 == PER_NODE && n2 == PER_NODE)) && break
  done
  ((n1 == PER_NODE && n2 == PER_NODE)) || die "$tag: not $PER_NODE source ports via each node in 400"
  for port in "${PORTS[@]}"; do
    in_ns far curl -s --max-time 60 --local-port "$port" -H "Host: $WWW_HOST" \
      -D "$TOPO_DIR/far/$tag-$port.hdr" -o "$TOPO_DIR/far/$tag-$port.bin" "http://$VIP4/slow" &
    PIDS+=($!)
  done
}

# served_by TAG PORT: the backend that sent the headers of the download from PORT.
served_by() { sed -n 's/^X-Served-By: *//Ip' "$TOPO_DIR/far/$1-$2.hdr" 2>/dev/null | tr -d '\r'; }
all_served() {
  local port
  for port in "${PORTS[@]}"; do
    [[ -n "$(served_by "$1" "$port")" ]] || return 1
  done
}

# run_scene SYNC: the scene with [sync] on or off. Sets RESULT[SYNC.*]: the downloads
# via lb1 and how many of them were on the drained backend; how many completed whole and
# how many broke, in all and among lb1's on the drained backend.
run_scene() {
  RUN="$1"
  local tag="sync-$1" port who via_lb1=0 drained drained_moved=0 whole=0 broken=0 i rc
  local broken_moved=0 sum want first_port node out running lb2_sent
  declare -A on_lb1=()
  nodes_start "$RUN"
  ok "sync $RUN: lb1 and lb2 up, both announced ($(router_nexthops "$VIP4"))"

  if [[ "$RUN" == on ]]; then first_port=45000; else first_port=43000; fi
  downloads_start "$tag" "$first_port"
  wait_for 20 all_served "$tag" || die "sync $RUN: not every download got its headers in 20 s"
  for port in "${PORTS[@]}"; do
    [[ "${VIA[$port]}" == "$LB_KERNEL4" ]] || continue
    via_lb1=$((via_lb1 + 1))
    who="$(served_by "$tag" "$port")"
    on_lb1[$who]=$((${on_lb1[$who]:-0} + 1))
  done
  if ((${on_lb1[web1]:-0} >= ${on_lb1[web2]:-0})); then drained=web1; else drained=web2; fi
  drained_moved="${on_lb1[$drained]}"
  ok "sync $RUN: $((2 * PER_NODE)) downloads under way, $via_lb1 via lb1 (web1 ${on_lb1[web1]:-0}, web2 ${on_lb1[web2]:-0}), $PER_NODE via lb2"

  if [[ "$RUN" == on ]]; then
    # Each node installs exactly the flows of the other: lb2 those that pass through lb1.
    wait_for 10 sync_counter_is lb2 installed "$via_lb1" ||
      die "sync on: lb2 installed $(sync_counter lb2 installed) flows of lb1, want $via_lb1: $(ctl lb2 show sync)"
    wait_for 10 sync_counter_is lb installed "$PER_NODE" ||
      die "sync on: lb1 installed $(sync_counter lb installed) flows of lb2, want $PER_NODE: $(ctl lb show sync)"
    for i in rejected_auth rejected_replay rejected_stale rejected_malformed; do
      sync_counter_is lb2 "$i" 0 || die "sync on: lb2's sync_$i is $(sync_counter lb2 "$i")"
    done
    ok "sync on: lb2 installed the $via_lb1 flows of lb1's downloads, lb1 the $PER_NODE of lb2's; nothing rejected"
  else
    [[ "$(ctl lb2 show sync)" == "Flow sync not enabled"* ]] || die "sync off: lb2's show sync: $(ctl lb2 show sync)"
  fi

  for node in lb lb2; do
    out="$(ctl "$node" set backend www "${ADDR_OF[$drained]}" state drain 2>&1)" ||
      die "set backend www ${ADDR_OF[$drained]} state drain on ${LB_NAME[$node]}: $out"
  done
  for node in lb lb2; do
    wait_for 5 dp_state_is "$node" "${ADDR_OF[$drained]}" drain ||
      die "sync $RUN: ${LB_NAME[$node]}'s dataplane has not $drained drained"
  done
  ok "sync $RUN: $drained (serving $drained_moved of lb1's downloads) drained on both nodes"

  t_kill="$EPOCHREALTIME"
  node_kill lb
  wait_nexthops "$LB2_KERNEL4" 5 "lb1 killed (sync $RUN)"
  RESULT[$RUN.gone]="$(fsub "$EPOCHREALTIME" "$t_kill")"
  ok "sync $RUN: lb1 killed (dataplane, sluiced, bird); the router moved its downloads to lb2 in ${RESULT[$RUN.gone]} s"

  if [[ "$RUN" == on ]]; then
    # lb1 back while the downloads run: it asks lb2 for its flows before it announces.
    sleep 1
    node_start lb on
    wait_nexthops "$LB_KERNEL4 $LB2_KERNEL4" 40 "lb1 back (sync on)"
    running=0
    for i in "${!PORTS[@]}"; do
      port="${PORTS[$i]}"
      [[ "${VIA[$port]}" == "$LB_KERNEL4" && "$(served_by "$tag" "$port")" == "$drained" ]] || continue
      kill -0 "${PIDS[$i]}" 2>/dev/null && running=$((running + 1))
    done
    ((running > 0)) ||
      die "sync on: none of lb1's downloads on the drained $drained still ran when lb1 was back; nothing to prove (a machine too loaded for ${NGINX_SLOW_BYTES}-byte downloads)"
    RESULT[on.rejoin_running]="$running"
    # (sluiced has the dataplane's counters of a second ago: wait for them)
    wait_for 5 sync_counter_is lb2 join_served 1 || die "sync on: lb2 served $(sync_counter lb2 join_served) joins, want lb1's"
    lb2_sent=$((2 * PER_NODE)) # every flow lb2 forwards: its own downloads and lb1's
    wait_for 5 sync_counter_is lb2 join_records "$lb2_sent" ||
      die "sync on: lb2's walk for lb1's join read $(sync_counter lb2 join_records) flows, want $lb2_sent"
    wait_for 5 sync_counter_is lb join_done 1 || die "sync on: lb1's join did not end with lb2's join done: $(ctl lb show sync)"
    # Installed by the join, or by a refresh of lb2's just before it (then the join's copy
    # is refused_exists): one entry a flow either way.
    wait_for 5 sync_counter_is lb installed "$lb2_sent" || die "sync on: lb1 installed $(sync_counter lb installed) flows, want $lb2_sent: $(ctl lb show sync)"
    for i in join_requests_sent:1 join_timed_out:0 join_pending:0; do
      sync_counter_is lb "${i%%:*}" "${i#*:}" || die "sync on: lb1's sync_${i%%:*} is $(sync_counter lb "${i%%:*}"), want ${i#*:}: $(ctl lb show sync)"
    done
    RESULT[on.rejoin_flows]="$lb2_sent"
    ok "sync on: lb1 back: its join brought the $lb2_sent flows of lb2's table (join_done 1, installed $lb2_sent) before it announced; the router sends lb1's downloads to it again, $running of those on the drained $drained still running"
  fi

  for i in "${!PORTS[@]}"; do
    port="${PORTS[$i]}"
    rc=0
    wait "${PIDS[$i]}" || rc=$?
    who="$(served_by "$tag" "$port")"
    sum="$(sha256sum <"$TOPO_DIR/far/$tag-$port.bin" | cut -d' ' -f1)"
    want="$(sha256sum <"$TOPO_DIR/$who/nginx/slow.bin" | cut -d' ' -f1)"
    if ((rc == 0)) && [[ "$sum" == "$want" ]]; then
      whole=$((whole + 1))
    else
      broken=$((broken + 1))
      if [[ "${VIA[$port]}" == "$LB_KERNEL4" && "$who" == "$drained" ]]; then
        broken_moved=$((broken_moved + 1))
      else
        log "sync $RUN: the download from port ${port} (via ${NAME_OF[${VIA[$port]}]:-${VIA[$port]}}, $who) broke: curl exit $rc, $(stat -c %s "$TOPO_DIR/far/$tag-$port.bin") bytes"
      fi
    fi
  done
  RESULT[$RUN.total]=$((2 * PER_NODE)) RESULT[$RUN.via_lb1]="$via_lb1"
  RESULT[$RUN.drained_moved]="$drained_moved" RESULT[$RUN.whole]="$whole"
  RESULT[$RUN.broken]="$broken" RESULT[$RUN.broken_moved]="$broken_moved"
  log "sync $RUN: $whole of $((2 * PER_NODE)) downloads whole, $broken broke ($broken_moved of the $drained_moved that moved from lb1 on the drained $drained)"

  [[ "$RUN" == on ]] && node_stop lb
  node_stop lb2
}

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
ok "router (FRR) and far up; web1 and web2 serve /slow: $NGINX_SLOW_BYTES bytes at $NGINX_SLOW_RATE/s"

# === 1. sync off: the drained backend's moved downloads break =============================
run_scene off
read -r total moved whole broken broken_moved <<<"${RESULT[off.total]} ${RESULT[off.drained_moved]} ${RESULT[off.whole]} ${RESULT[off.broken]} ${RESULT[off.broken_moved]}"
((moved > 0)) || die "sync off: no download via lb1 on the drained backend"
((broken == moved && broken_moved == moved)) ||
  die "sync off: $broken downloads broke, want exactly the $moved that moved from lb1 on the drained backend ($broken_moved of them broke)"
((whole == total - moved)) || die "sync off: $whole downloads whole, want $((total - moved))"
ok "sync off: exactly the $moved downloads that moved from lb1 on the drained backend broke; the other $whole of $total completed whole (Maglev agreement, flow affinity)"

# === 2. sync on: every download completes ==================================================
run_scene on
read -r total moved whole broken broken_moved <<<"${RESULT[on.total]} ${RESULT[on.drained_moved]} ${RESULT[on.whole]} ${RESULT[on.broken]} ${RESULT[on.broken_moved]}"
((moved > 0)) || die "sync on: no download via lb1 on the drained backend"
((whole == total && broken == 0)) ||
  die "sync on: $whole of $total downloads whole, $broken broke ($broken_moved of the $moved that moved on the drained backend)"
ok "sync on: $whole of $total downloads completed whole, the $moved that moved from lb1 on the drained backend included, through lb2 and back through lb1 (bulk sync on join: ${RESULT[on.rejoin_flows]} flows)"

log "figures (2 nodes, ${RESULT[on.total]} downloads of $NGINX_SLOW_BYTES bytes at $NGINX_SLOW_RATE/s; the backend serving most of lb1's drained, then lb1 SIGKILLed; with sync, lb1 back with bulk sync on join while ${RESULT[on.rejoin_running]} of them still ran):"
{
  printf '| flow sync | downloads via lb1 | of them on the drained backend | kept whole | broke |\n|---|---|---|---|---|\n'
  for RUN in off on; do
    printf '| %s | %s | %s | %s of %s | %s |\n' "$RUN" "${RESULT[$RUN.via_lb1]}" "${RESULT[$RUN.drained_moved]}" \
      "${RESULT[$RUN.whole]}" "${RESULT[$RUN.total]}" "${RESULT[$RUN.broken]}"
  done
} | tee "$TOPO_DIR/flow-sync-figures.md" | sed 's/^/    /'
log "PASS in $((SECONDS - T_START)) s"
