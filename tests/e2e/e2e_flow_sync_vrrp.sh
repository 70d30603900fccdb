#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: flow sync (docs/flow-sync.md) with a VRRP pair. The topology of
# e2e_vrrp.sh (TOPO_LB2=1): lb1 (priority 150) and lb2 (priority 100) share the www VIP
# with VRRPv3 (advert interval 0.1 s); the client downloads a slow file (nginx
# limit_rate) through the VIP from web1 and web2, and, for the second change, web3.
# Four scenes, each from a fresh start of both nodes, with [sync] off, then on:
#
#   drain  DOWNLOADS slow downloads through lb1 (the MASTER); the backend serving most of
#          them is drained on both nodes (`set backend www ADDR state drain`), then lb1 is
#          SIGKILLed: lb2 becomes MASTER and takes the downloads. Without sync it places
#          them by Maglev, which no longer has the drained backend: exactly the downloads
#          on it break. With sync lb2 has lb1's flows: every download completes.
#   add    the same, but instead of a drain, web3 is added to www on both nodes (a new
#          config, `reload`): Maglev slots move to web3. Without sync exactly the
#          downloads whose slot moved (lb2's `trace` shows Maglev's pick) break; with
#          sync every download completes.
#
# With sync, the drain scene goes on: lb1 comes back while the downloads run, and its
# flow sync join is held up (lb2's dataplane is stopped, SIGSTOP, so the join request
# waits in its socket): lb1's sluiced must not take the VIP from lb2, the live MASTER,
# while its join is pending (`show ha`: "no preemption of a live master"); without that
# hold lb1 would preempt within its Master_Down_Interval (0.34 s). lb2's dataplane is
# resumed, answers the join, lb1 installs lb2's flows, and only then preempts: the
# downloads come back to lb1 and complete whole. Also with sync, lb1 starting alone
# becomes MASTER although its join is pending (nobody else carries the VIP).
#
# Every download's sha256 is that of the slow.bin of the backend that sent its headers.
# The figures are printed as a table.
#
#   BUILD_DIR=build-x tests/e2e/e2e_flow_sync_vrrp.sh
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

# Downloads of 1 MiB at 64 KiB/s: 16 s, long enough for the sync, the change, the kill
# (and with sync lb1's held return) to happen while they are under way.
export TOPO_LB2=1 TOPO_WEB3=1 SLUICED_CONTROLPLANE=1 SLUICE_NO_VIP6=1 NGINX_SLOW=1
export NGINX_SLOW_BYTES=$((1024 * 1024)) NGINX_SLOW_RATE=64k
export SLUICED_WWW_CHECK="$SLUICED_FAST_HTTP_CHECK"
DOWNLOADS="${DOWNLOADS:-16}"
VRID=52
INTERVAL=0.1
SYNC_PORT=7300
SYNC_KEY="e2e-flow-sync-vrrp-key-$$-0123456789"
JOIN_WAIT_S=10
HELD_REASON="waiting for the peers' flows (flow sync join)"
T_START=$SECONDS

require_root
sluice_require_bin
sluiced_require_bin
e2e_traps

declare -A KERNEL4=([lb]=$LB_KERNEL4 [lb2]=$LB2_KERNEL4)
declare -A PRIO=([lb]=150 [lb2]=100)
declare -A PEER=([lb]=lb2 [lb2]=lb)
declare -A NAME=([lb]=lb1 [lb2]=lb2)
declare -A NAME_OF=([$WEB1_4]=web1 [$WEB2_4]=web2 [$WEB3_4]=web3)
declare -A RESULT=()

ctl() { (
  lb_use "$1"
  shift
  sluicectl_run "$@"
); }

# sync_counter NODE NAME: NODE's sync_NAME, as `show sync json` gives it.
sync_counter() { ctl "$1" show sync json | grep -oE "\"$2\":[0-9]+" | cut -d: -f2; }
sync_counter_is() { [[ "$(sync_counter "$1" "$2")" == "$3" ]]; }

ha_state() {
  local st
  st="$(vrrp_state "$1" vi_www)"
  echo "${st:-UNKNOWN}"
}
state_is() { [[ "$(ha_state "$1")" == "$2" ]]; }
both_states() { echo "lb1 $(ha_state lb), lb2 $(ha_state lb2)"; }
# preemption_held NODE: why NODE's instance preempts no live master now ("" when it may).
preemption_held() {
  ctl "$1" show ha json | sed -n 's/.*"preemption_held":"\([^"]*\)".*/\1/p'
}
held_is() { [[ "$(preemption_held "$1")" == "$2" ]]; }

dp_state_is() { (
  lb_use "$1"
  [[ "$(dataplane_backend_state www "$2")" == "$3" ]]
); }

# node_config NODE SYNC BACKENDS...: NODE's config: the www VIP on BACKENDS, its VRRP
# instance, [sync] on or off.
node_config() {
  local node="$1" sync="$2"
  shift 2
  (
    lb_use "$node"
    sluice_config "$@"
    cat <<EOF

[[vrrp]]
name = "vi_www"
interface = "$LB_IFACE"
vrid = $VRID
priority = ${PRIO[$node]}
advert_interval = $INTERVAL
preempt = true
address = "${KERNEL4[$node]}"
vips = ["www"]
track_dataplane = true

[sync]
enable = $([[ "$sync" == on ]] && echo true || echo false)
listen = "${KERNEL4[$node]}:$SYNC_PORT"
peers = ["${KERNEL4[${PEER[$node]}]}:$SYNC_PORT"]
key = "$SYNC_KEY"
threshold_packets = 3
threshold_time = 1
join_wait = $JOIN_WAIT_S
EOF
  )
}

# node_start NODE SYNC: NODE's dataplane and sluiced on web1 and web2, from a clean admin
# state.
node_start() {
  local node="$1" conf="$TOPO_DIR/${NAME[$1]}-sync-$2.toml"
  node_config "$node" "$2" web1 web2 >"$conf"
  lb_use "$node"
  rm -f "$(sluice_telemetry_socket)" "$(sluice_dir)/admin-state"
  sluice_start "$conf" || die "${NAME[$node]}: dataplane did not start"
  sluiced_start || die "${NAME[$node]}: sluiced did not start"
  lb_use lb
}

node_kill() {
  local p_sluiced p_dp
  lb_use "$1"
  read -r p_sluiced p_dp <<<"$SLUICED_PID $SLUICE_PID"
  kill -KILL "$p_sluiced" "$p_dp"
  lb_use lb
  lb_reap "$1"
}

node_stop() {
  lb_use "$1"
  sluiced_stop || true
  sluice_stop || true
  lb_use lb
}

# nodes_start SYNC: lb1 alone (MASTER), then lb2 (BACKUP). With sync, lb1 alone becomes
# MASTER while its join still waits for a peer that is not there.
nodes_start() {
  node_start lb "$1"
  wait_for 10 state_is lb MASTER || die "lb1 alone did not become MASTER (state $(ha_state lb))"
  if [[ "$1" == on && -z "${RESULT[alone_checked]:-}" ]]; then
    wait_for 3 sync_counter_is lb join_pending 1 ||
      die "lb1 MASTER, but its join is not pending: $(ctl lb show sync)"
    ok "sync on: lb1 alone became MASTER while its join was still pending (no live master to wait for)"
    RESULT[alone_checked]=1
  fi
  node_start lb2 "$1"
  sleep 0.5
  wait_for 5 state_is lb2 BACKUP || die "lb2 did not settle as BACKUP: $(both_states)"
  state_is lb MASTER || die "lb1 is no longer MASTER once lb2 runs: $(both_states)"
}

# downloads_start TAG FIRST_PORT: DOWNLOADS downloads through the VIP from the client,
# on source ports from FIRST_PORT on (each scene its own: no TIME_WAIT in the way); PORTS
# and PIDS.
PORTS=() PIDS=()
downloads_start() {
  local tag="$1" port
  PORTS=() PIDS=()
  for ((port = $2; port < $2 + DOWNLOADS; port++)); do
    PORTS+=("$port")
    in_ns client curl -s --max-time 90 --local-port "$port" -H "Host: $WWW_HOST" \
      -D "$TOPO_DIR/client/$tag-$port.hdr" -o "$TOPO_DIR/client/$tag-$port.bin" "http://$VIP4/slow" &
    PIDS+=($!)
  done
}

served_by() { sed -n 's/^X-Served-By: *//Ip' "$TOPO_DIR/client/$1-$2.hdr" 2>/dev/null | tr -d '\r'; }
all_served() {
  local port
  for port in "${PORTS[@]}"; do
    [[ -n "$(served_by "$1" "$port")" ]] || return 1
  done
}

# maglev_pick NODE PORT: the backend NODE's Maglev table gives the download from PORT
# (NODE the MASTER: a BACKUP's trace matches no VIP, as its dataplane does).
maglev_pick() {
  local addr
  addr="$(ctl "$1" trace tcp "$CLIENT4:$2" "$VIP4:80" ack | sed -n 's/^maglev .*: \([0-9.]*\)$/\1/p')"
  [[ -n "$addr" ]] || die "no Maglev pick in ${NAME[$1]}'s trace of port $2: $(ctl "$1" trace tcp "$CLIENT4:$2" "$VIP4:80" ack)"
  echo "${NAME_OF[$addr]:-$addr}"
}

# add_web3 NODE SYNC: NODE's config gets web3 in www; sluiced reloads it.
add_web3() {
  local node="$1" out
  (
    lb_use "$node"
    node_config "$node" "$2" web1 web2 web3 >"$SLUICE_CONF"
  )
  out="$(ctl "$node" reload 2>&1)" || die "reload on ${NAME[$node]}: $out"
}

# rejoin_held: lb1 back while lb2 carries the downloads, its join held up by a frozen
# lb2 dataplane; lb1 must stay BACKUP until its join is done, then preempt.
rejoin_held() {
  local p_dp2 t0 t1 st
  p_dp2="$(
    lb_use lb2
    echo "$SLUICE_PID"
  )"
  kill -STOP "$p_dp2"
  node_start lb on
  t0="$EPOCHREALTIME"
  wait_for 5 held_is lb "$HELD_REASON" ||
    { kill -CONT "$p_dp2"; die "lb1's show ha does not say '$HELD_REASON': $(ctl lb show ha)"; }
  [[ "$(ctl lb show sync)" == *"join pending: "* ]] || { kill -CONT "$p_dp2"; die "lb1's show sync does not say that the join is pending: $(ctl lb show sync)"; }
  # 1.5 s more, over four times lb1's Master_Down_Interval (0.34 s): without the hold it
  # would have preempted.
  t1="$EPOCHREALTIME"
  while le "$(fsub "$EPOCHREALTIME" "$t1")" 1.5; do
    st="$(both_states)"
    [[ "$st" == "lb1 BACKUP, lb2 MASTER" ]] || { kill -CONT "$p_dp2"; die "lb1 back, join pending: want lb1 BACKUP, lb2 MASTER, have $st"; }
    sleep 0.1
  done
  RESULT[held_s]="$(fsub "$EPOCHREALTIME" "$t0")"
  kill -CONT "$p_dp2"
  ok "sync on: lb1 back while its join waits (lb2's dataplane stopped): lb1 BACKUP, lb2 MASTER for ${RESULT[held_s]} s; show ha: '$HELD_REASON'; show sync: join pending"
  wait_for 10 state_is lb MASTER || die "lb1 did not preempt once lb2 answered its join: $(both_states), $(ctl lb show sync)"
  sync_counter_is lb join_done 1 || die "lb1 MASTER without its join done: $(ctl lb show sync)"
  sync_counter_is lb join_timed_out 0 || die "lb1's join timed out: $(ctl lb show sync)"
  RESULT[rejoin_flows]="$(sync_counter lb installed)"
  ((RESULT[rejoin_flows] >= DOWNLOADS)) ||
    die "lb1 installed ${RESULT[rejoin_flows]} flows by its join, want the $DOWNLOADS downloads"
  wait_for 5 state_is lb2 BACKUP || die "lb2 did not yield to lb1: $(both_states)"
  [[ -z "$(preemption_held lb)" ]] || die "lb1 MASTER still says held: $(preemption_held lb)"
  ok "sync on: lb2 resumed and answered the join (lb1 installed ${RESULT[rejoin_flows]} flows, join_done 1), then lb1 preempted: lb1 MASTER, lb2 BACKUP"
}

# run_scene SYNC CHANGE FIRST_PORT: the scene (drain or add) with [sync] on or off;
# RESULT[SYNC.CHANGE.*].
run_scene() {
  local sync="$1" change="$2" tag="$1-$2" port who i rc sum want changed="" out node
  local moved=0 whole=0 broken=0 broken_moved=0 running=0 key="$1.$2"
  declare -A on=() is_moved=() on3=()
  nodes_start "$sync"
  downloads_start "$tag" "$3"
  wait_for 20 all_served "$tag" || die "$tag: not every download got its headers in 20 s"
  for port in "${PORTS[@]}"; do
    who="$(served_by "$tag" "$port")"
    on[$who]=$((${on[$who]:-0} + 1))
  done
  ok "$tag: ${#PORTS[@]} downloads through lb1 (web1 ${on[web1]:-0}, web2 ${on[web2]:-0})"
  if [[ "$sync" == on ]]; then
    wait_for 10 sync_counter_is lb2 installed "${#PORTS[@]}" ||
      die "$tag: lb2 installed $(sync_counter lb2 installed) flows of lb1, want ${#PORTS[@]}: $(ctl lb2 show sync)"
    ok "$tag: lb2 installed the ${#PORTS[@]} flows of lb1's downloads"
  else
    [[ "$(ctl lb2 show sync)" == "Flow sync not enabled"* ]] || die "$tag: lb2's show sync: $(ctl lb2 show sync)"
  fi

  if [[ "$change" == drain ]]; then
    if ((${on[web1]:-0} >= ${on[web2]:-0})); then changed=web1; else changed=web2; fi
    for node in lb lb2; do
      out="$(ctl "$node" set backend www "${TOPO_IP4[$changed]}" state drain 2>&1)" ||
        die "set backend www ${TOPO_IP4[$changed]} state drain on ${NAME[$node]}: $out"
    done
    for node in lb lb2; do
      wait_for 5 dp_state_is "$node" "${TOPO_IP4[$changed]}" drain ||
        die "$tag: ${NAME[$node]}'s dataplane has not $changed drained"
    done
    for port in "${PORTS[@]}"; do
      [[ "$(served_by "$tag" "$port")" == "$changed" ]] && is_moved[$port]=1
    done
    ok "$tag: $changed drained on both nodes (serving ${on[$changed]} downloads)"
  else
    for node in lb lb2; do add_web3 "$node" "$sync"; done
    for node in lb lb2; do
      wait_for 10 dp_state_is "$node" "$WEB3_4" ready || die "$tag: web3 not ready in ${NAME[$node]}'s dataplane"
    done
    # The same backends on both nodes, so the same Maglev table (lb1's trace shows it).
    for port in "${PORTS[@]}"; do
      who="$(maglev_pick lb "$port")"
      [[ "$who" != "$(served_by "$tag" "$port")" ]] && is_moved[$port]=1
      on3[$who]=$((${on3[$who]:-0} + 1))
    done
    ok "$tag: web3 added on both nodes; Maglev now maps ${#is_moved[@]} of the downloads elsewhere (web1 ${on3[web1]:-0}, web2 ${on3[web2]:-0}, web3 ${on3[web3]:-0})"
  fi
  moved="${#is_moved[@]}"
  ((moved > 0)) || die "$tag: no download on a moved slot or a drained backend: nothing to prove"

  node_kill lb
  wait_for 5 state_is lb2 MASTER || die "$tag: lb2 did not become MASTER after lb1's death: $(ha_state lb2)"
  ok "$tag: lb1 killed (SIGKILL of sluiced and dataplane): lb2 MASTER"

  if [[ "$sync" == on && "$change" == drain ]]; then
    rejoin_held
    for i in "${!PORTS[@]}"; do
      [[ -n "${is_moved[${PORTS[$i]}]:-}" ]] && kill -0 "${PIDS[$i]}" 2>/dev/null && running=$((running + 1))
    done
    ((running > 0)) ||
      die "$tag: none of the downloads on the drained $changed still ran when lb1 took them back; nothing to prove (a machine too loaded)"
    RESULT[rejoin_running]="$running"
  fi

  for i in "${!PORTS[@]}"; do
    port="${PORTS[$i]}"
    rc=0
    wait "${PIDS[$i]}" || rc=$?
    who="$(served_by "$tag" "$port")"
    sum="$(sha256sum <"$TOPO_DIR/client/$tag-$port.bin" | cut -d' ' -f1)"
    want="$(sha256sum <"$TOPO_DIR/$who/nginx/slow.bin" | cut -d' ' -f1)"
    if ((rc == 0)) && [[ "$sum" == "$want" ]]; then
      whole=$((whole + 1))
    else
      broken=$((broken + 1))
      if [[ -n "${is_moved[$port]:-}" ]]; then
        broken_moved=$((broken_moved + 1))
      else
        log "$tag: the download from port $port ($who) broke: curl exit $rc, $(stat -c %s "$TOPO_DIR/client/$tag-$port.bin") bytes"
      fi
    fi
  done
  RESULT[$key.total]="${#PORTS[@]}" RESULT[$key.moved]="$moved" RESULT[$key.whole]="$whole"
  RESULT[$key.broken]="$broken" RESULT[$key.broken_moved]="$broken_moved"
  log "$tag: $whole of ${#PORTS[@]} downloads whole, $broken broke ($broken_moved of the $moved on a drained backend or a moved slot)"
  [[ "$sync" == on && "$change" == drain ]] && node_stop lb
  node_stop lb2
}

# === setup ================================================================================
topo_up
lb_use lb2
lb_kernel_address
lb_use lb
lb_kernel_address
ok "lb1, lb2, web1, web2, web3 up; the backends serve /slow: $NGINX_SLOW_BYTES bytes at $NGINX_SLOW_RATE/s"

first_port=40000
for change in drain add; do
  run_scene off "$change" "$first_port"
  read -r total moved whole broken broken_moved <<<"${RESULT[off.$change.total]} ${RESULT[off.$change.moved]} ${RESULT[off.$change.whole]} ${RESULT[off.$change.broken]} ${RESULT[off.$change.broken_moved]}"
  ((broken == moved && broken_moved == moved && whole == total - moved)) ||
    die "sync off, $change: $broken broke, $whole whole of $total; want exactly the $moved moved ones broken ($broken_moved of them broke)"
  ok "sync off, $change: exactly the $moved downloads that lb2 placed elsewhere broke; the other $whole of $total completed whole"

  run_scene on "$change" $((first_port + 1000))
  first_port=$((first_port + 2000))
  read -r total moved whole broken broken_moved <<<"${RESULT[on.$change.total]} ${RESULT[on.$change.moved]} ${RESULT[on.$change.whole]} ${RESULT[on.$change.broken]} ${RESULT[on.$change.broken_moved]}"
  ((whole == total && broken == 0)) ||
    die "sync on, $change: $whole of $total whole, $broken broke ($broken_moved of the $moved moved ones)"
  ok "sync on, $change: all $total downloads completed whole, the $moved moved ones included"
done

log "figures (VRRP pair, $DOWNLOADS downloads of $NGINX_SLOW_BYTES bytes at $NGINX_SLOW_RATE/s through the MASTER, which is then SIGKILLed; with sync and the drain, it comes back with bulk sync on join, held ${RESULT[held_s]} s from preempting, while ${RESULT[rejoin_running]} of the moved downloads still ran):"
{
  printf '| change before the kill | flow sync | downloads | on a drained backend / moved slot | kept whole | broke |\n|---|---|---|---|---|---|\n'
  for change in drain add; do
    for sync in off on; do
      printf '| %s | %s | %s | %s | %s of %s | %s |\n' \
        "$([[ $change == drain ]] && echo "drain the busier backend" || echo "add web3 (slots moved)")" "$sync" \
        "${RESULT[$sync.$change.total]}" "${RESULT[$sync.$change.moved]}" "${RESULT[$sync.$change.whole]}" \
        "${RESULT[$sync.$change.total]}" "${RESULT[$sync.$change.broken]}"
    done
  done
} | tee "$TOPO_DIR/flow-sync-vrrp-figures.md" | sed 's/^/    /'
log "PASS in $((SECONDS - T_START)) s"
