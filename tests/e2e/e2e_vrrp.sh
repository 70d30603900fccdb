#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: two sluice nodes sharing the www VIP with VRRPv3 (sluiced's [[vrrp]]).
#
# The www.foobar.com topology with a second load balancer (TOPO_LB2=1): lb (called lb1
# here; kernel 10.211.0.11, dataplane 10.211.0.10) and lb2 (kernel 10.211.0.12,
# dataplane 10.211.0.13) on the same bridge, each running sluice-dataplane on af_packet
# over its veth and sluiced next to it, with the same VIPs (www :80, echo :7000) and the
# same backends (web1, web2), so both build the same Maglev table. One VRRP instance,
# vrid 51, carries both VIPs; lb1 has priority 150, lb2 100, preempt on. For each
# advert interval in VRRP_INTERVALS (default "0.1 1.0" s):
#
#   0. (first interval only) a VRRP-managed VIP is inactive until sluiced is MASTER:
#      with only lb1's dataplane running, nothing answers ARP for the VIP.
#   1. lb1 becomes MASTER, lb2 BACKUP; curl through the VIP works and the client has
#      the VIP at lb1's MAC.
#   2. lb1 dies (sluiced and dataplane SIGKILLed) while the client starts a request
#      every 50 ms: lb2 becomes MASTER, announces the VIP (gratuitous ARP); the
#      client-visible outage is measured; a TCP connection opened through lb1 before
#      the kill keeps working through lb2. lb1 restarted: it preempts back.
#   3. sluiced on the master (lb1) stopped with SIGTERM: it resigns (priority 0 advert)
#      and lb2 takes over after its skew time, much faster than in 2; lb1's dataplane
#      stops answering for the VIP. lb1's sluiced restarted: it preempts back.
#  3b. (first interval only) lb1's sluiced stopped again right after it took the VIP
#      back, inside its gratuitous ARP burst: once it has withdrawn the VIP it sends no
#      further gratuitous ARP for it, and the client ends up at lb2.
#   4. split brain: both lb bridge ports isolated from each other (each still reaches
#      the client and the web servers, not each other): both become MASTER and the
#      client follows lb2's gratuitous ARP. Healed: exactly one MASTER (lb1) remains,
#      it re-announces (a gratuitous ARP from lb1's MAC after the heal) and the client
#      has the VIP at lb1's MAC again.
# The failover times are printed as a table. Timings come from a capture on the bridge
# (adverts and gratuitous ARPs, wall-clock stamps) and from the client's request loop.
#
#   BUILD_DIR=build-x tests/e2e/e2e_vrrp.sh
#   VRRP_INTERVALS="0.1" BUILD_DIR=build-x tests/e2e/e2e_vrrp.sh
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
# shellcheck source=scripts/lib/outage_probe.sh
source "$(dirname "$0")/../../scripts/lib/outage_probe.sh"
# shellcheck source=scripts/lib/e2e.sh
source "$(dirname "$0")/../../scripts/lib/e2e.sh"

VRRP_INTERVALS="${VRRP_INTERVALS:-0.1 1.0}"
VRID=51
PRIO1=150
PRIO2=100
# What the scheduling of a small shared test box may add to a protocol timer.
SLACK_S="${SLACK_S:-0.35}"
export TOPO_LB2=1 SLUICED_CONTROLPLANE=1 SLUICE_ECHO_VIP=1 SLUICE_NO_VIP6=1
T_START=$SECONDS

require_root
sluice_require_bin
sluiced_require_bin
e2e_traps

MAC1="${TOPO_MAC[lb]}"
MAC2="${TOPO_MAC[lb2]}"
declare -A KERNEL4=([lb]=$LB_KERNEL4 [lb2]=$LB2_KERNEL4)
declare -A NAME=([lb]=lb1 [lb2]=lb2)
declare -A RESULT=() # "INTERVAL.metric" -> seconds
SOFT_FAILS=0         # failures that do not stop the run (reported, exit 1 at the end)
soft_fail() {
  fail "$*"
  SOFT_FAILS=$((SOFT_FAILS + 1))
}

# --- per-node configuration and processes -------------------------------------------------

# vrrp_node_config NODE PRIORITY INTERVAL: the node's config (dataplane, sluiced, VRRP).
vrrp_node_config() {
  local node="$1" prio="$2" interval="$3"
  (
    lb_use "$node"
    sluice_config web1 web2
    cat <<EOF

[[vrrp]]
name = "vi_www"
interface = "$LB_IFACE"
vrid = $VRID
priority = $prio
advert_interval = $interval
preempt = true
${VRRP_EXTRA:-}
address = "${KERNEL4[$node]}"
unicast_peers = []
vips = ["www", "echo"]
track_dataplane = true
track_backends = false
notify = "$(sluice_dir)/notify.sh"
EOF
  )
}

# notify scripts: each node appends "TIME NODE INSTANCE STATE PRIORITY" to notify.log.
NOTIFY_LOG=""
write_notify() {
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
}

# node_start NODE PRIORITY INTERVAL: dataplane and sluiced of NODE on a fresh config.
node_start() {
  local node="$1"
  vrrp_node_config "$@" >"$TOPO_DIR/${NAME[$node]}.toml"
  lb_use "$node"
  # a killed dataplane leaves its telemetry socket: sluice_start waits for a new one
  rm -f "$(sluice_telemetry_socket)"
  sluice_start "$TOPO_DIR/${NAME[$node]}.toml" || die "${NAME[$node]}: dataplane did not start"
  sluiced_start || die "${NAME[$node]}: sluiced did not start"
  lb_use lb
}
# node_sluiced_start NODE: sluiced of NODE again (its dataplane still running).
node_sluiced_start() {
  lb_use "$1"
  sluiced_start || die "${NAME[$1]}: sluiced did not restart"
  lb_use lb
}

# node_pids NODE: "SLUICED_PID SLUICE_PID" of NODE.
node_pids() { (
  lb_use "$1"
  echo "$SLUICED_PID $SLUICE_PID"
); }

# node_stop NODE: SIGTERM sluiced, then the dataplane.
node_stop() {
  lb_use "$1"
  sluiced_stop || log "note: ${NAME[$1]}'s sluiced exited with status $?"
  sluice_stop || log "note: ${NAME[$1]}'s dataplane exited with status $?"
  lb_use lb
}

# --- VRRP state of a node -----------------------------------------------------------------

# ha_state NODE: the instance's state as sluiced reports it, else as its last notify call
# said.
ha_state() {
  local st
  st="$(vrrp_state "$1" vi_www)"
  [[ -n "$st" ]] || st="$(awk -v n="${NAME[$1]}" '$2 == n { s = $4 } END { print s }' "$NOTIFY_LOG" 2>/dev/null)"
  echo "${st:-UNKNOWN}"
}
state_is() { [[ "$(ha_state "$1")" == "$2" ]]; }
both_states() { echo "lb1 $(ha_state lb), lb2 $(ha_state lb2)"; }

# wait_states S1 S2 SECONDS WHAT: lb1 in S1 and lb2 in S2 within SECONDS.
wait_states() {
  local deadline=$((SECONDS + $3))
  while true; do
    state_is lb "$1" && state_is lb2 "$2" && return 0
    ((SECONDS < deadline)) || die "$4: want lb1 $1 and lb2 $2 within $3 s, have $(both_states)"
    sleep 0.1
  done
}

# client_mac_is MAC: after a GET through the VIP, the client has the VIP at MAC.
client_mac_is() { [[ "$(client_vip_mac)" == "$1" ]]; }
# vip_owner_is MAC WHAT: a GET through the VIP works and the client has it at MAC.
vip_owner_is() {
  local who
  who="$(www_get "$(vip_url 4)")" || die "$2: GET through the VIP failed ($who)"
  wait_until 3 client_mac_is "$1" ||
    die "$2: the client has the VIP at '$(client_vip_mac)', want $1"
  ok "$2: GET through the VIP answered by $who; the client has the VIP at $1"
}

# --- the long-lived TCP connection (echo VIP) ---------------------------------------------
# (bash unsets LONG_PID once the coprocess is reaped: its pid is kept in LONG_CPID.)
LONG_CPID="" LONG_IN="" LONG_OUT=""
long_open() {
  coproc LONG { exec ip netns exec "$(ns_name client)" socat -T 300 - "TCP:$VIP4:$ECHO_PORT,connect-timeout=2" 2>&1; }
  # shellcheck disable=SC2153 # coproc LONG sets LONG_PID
  LONG_CPID="$LONG_PID"
  TOPO_PIDS+=("$LONG_CPID")
  LONG_IN="${LONG[1]}" LONG_OUT="${LONG[0]}"
  local greeting=""
  read -r -t 5 greeting <&"$LONG_OUT" || die "long-lived connection to $VIP4:$ECHO_PORT got no greeting"
  [[ "$greeting" == web1 || "$greeting" == web2 ]] || die "long-lived connection greeted with '$greeting'"
  LONG_BACKEND="$greeting"
}
# long_echo WORD: WORD sent on the long-lived connection comes back within 5 s.
long_echo() {
  local got=""
  printf '%s\n' "$1" 1>&"$LONG_IN" 2>/dev/null || return 1
  read -r -t 5 got <&"$LONG_OUT" || return 1
  [[ "$got" == "$1" ]]
}
long_close() {
  [[ -n "$LONG_CPID" ]] || return 0
  exec {LONG_IN}>&- {LONG_OUT}<&-
  kill_pid "$LONG_CPID" 2
  { wait "$LONG_CPID" || true; } 2>/dev/null
  LONG_CPID=""
}

# === setup ===============================================================================
topo_up
NOTIFY_LOG="$TOPO_DIR/notify.log"
: >"$NOTIFY_LOG"
lb_use lb2
lb_kernel_address
lb_use lb
lb_kernel_address
echo_start web1 "$ECHO_PORT"
echo_start web2 "$ECHO_PORT"
write_notify lb
write_notify lb2
topo_check_direct || die "topology broken before sluice even starts"
in_ns lb ping -c 1 -W 2 "$LB2_KERNEL4" >/dev/null || die "lb1's kernel cannot reach lb2's ($LB2_KERNEL4)"
ok "client reaches web1/web2 directly; lb1 ($LB_KERNEL4) and lb2 ($LB2_KERNEL4) reach each other"
vrrp_capture_start
vrrp_node_config lb "$PRIO1" 1.0 >"$TOPO_DIR/check.toml"
out="$("$SLUICED_BIN" --config "$TOPO_DIR/check.toml" --check 2>&1)" ||
  die "sluiced --check refused the VRRP config: $out"
ok "sluiced --check accepts the [[vrrp]] config"
# the documented default written out: preempt_delay = 0 (no delay) must be accepted
VRRP_EXTRA="preempt_delay = 0" vrrp_node_config lb "$PRIO1" 1.0 >"$TOPO_DIR/check0.toml"
if out="$("$SLUICED_BIN" --config "$TOPO_DIR/check0.toml" --check 2>&1)"; then
  ok "sluiced --check accepts preempt_delay = 0"
else
  soft_fail "sluiced --check refuses preempt_delay = 0 (the default, no delay): $out"
fi

first=1
for I in $VRRP_INTERVALS; do
  SKEW2="$(fcalc "(256 - $PRIO2) * $I / 256")"       # lb2's skew time
  DOWN2="$(fcalc "3 * $I + $SKEW2")"                 # lb2's master down interval
  SKEW1="$(fcalc "(256 - $PRIO1) * $I / 256")"
  DOWN1="$(fcalc "3 * $I + $SKEW1")"
  log "=== advert_interval $I s: lb2 skew $SKEW2 s, master down $DOWN2 s; lb1 master down $DOWN1 s ==="

  # === 0. inactive until MASTER ==========================================================
  if ((first)); then
    lb_use lb
    vrrp_node_config lb "$PRIO1" "$I" >"$TOPO_DIR/lb1.toml"
    rm -f "$(sluice_telemetry_socket)"
    sluice_start "$TOPO_DIR/lb1.toml" || die "lb1: dataplane did not start"
    in_ns client ip neigh flush dev eth0 >/dev/null 2>&1 || true
    t0="$EPOCHREALTIME"
    in_ns client ping -c 2 -i 0.5 -W 1 "$VIP4" >/dev/null 2>&1 &&
      die "the VIP answered ping with no sluiced running (a VRRP-managed VIP must stay inactive until MASTER)"
    [[ -z "$(ha_first R "$MAC1" "$t0" "$VIP4")" && -z "$(ha_first G "$MAC1" "$t0" "$VIP4")" ]] ||
      die "lb1's dataplane announced or answered ARP for the VIP before sluiced was MASTER: $(vrrp_events | awk -v t="$t0" '$1 > t' | head)"
    ok "with only lb1's dataplane running, the VRRP-managed VIP is inactive (no ARP answer, no ping)"
    sluiced_start || die "lb1: sluiced did not start"
  else
    node_start lb "$PRIO1" "$I"
  fi
  t_up="$EPOCHREALTIME"
  # === 1. lb1 MASTER, lb2 BACKUP =========================================================
  wait_for "$(fcalc "$DOWN1 + 5")" state_is lb MASTER ||
    die "lb1 alone did not become MASTER within $DOWN1 s + 5 s (state $(ha_state lb))"
  t_m="$(ha_first A "$LB_KERNEL4" "$t_up" "$PRIO1")"
  ok "lb1 alone: MASTER (first advert $(fsub "${t_m:-$EPOCHREALTIME}" "$t_up") s after sluiced started; master down $DOWN1 s)"
  node_start lb2 "$PRIO2" "$I"
  t_b="$EPOCHREALTIME"
  sleep "$(fcalc "$DOWN2 + 0.5")"
  wait_states MASTER BACKUP 3 "lb2 joined"
  [[ -z "$(ha_first A "$LB2_KERNEL4" "$t_b")" ]] ||
    die "lb2 sent adverts although lb1 (higher priority) is MASTER"
  ok "lb1 (priority $PRIO1) MASTER, lb2 (priority $PRIO2) BACKUP; lb2 sent no advert"
  vip_owner_is "$MAC1" "lb1 MASTER"
  [[ -n "$(ha_first_wait G "$MAC1" "$t_up")" ]] || die "lb1 sent no gratuitous ARP when it became MASTER"
  ok "lb1 announced the VIP (gratuitous ARP from $MAC1)"

  # === 2. the master dies ================================================================
  long_open
  long_echo "before-$I" || die "the long-lived connection does not echo before the kill"
  ok "long-lived connection to $VIP4:$ECHO_PORT through lb1, held by $LONG_BACKEND, echoes"
  probe_secs="$(fcalc "2 + $DOWN2 + 2.5")"
  probe_n="$(awk -v s="$probe_secs" 'BEGIN { printf "%d", s / 0.05 }')"
  probe_start "$TOPO_DIR/probe-kill-$I.out" "$probe_n"
  sleep 1.5
  read -r p_sluiced p_dp <<<"$(node_pids lb)"
  t_kill="$EPOCHREALTIME"
  kill -KILL "$p_sluiced" "$p_dp"
  lb_reap lb
  log "lb1 killed (sluiced $p_sluiced and dataplane $p_dp, SIGKILL) with a request every 50 ms running"
  wait_for "$(fcalc "$DOWN2 + 3")" state_is lb2 MASTER ||
    die "lb2 did not become MASTER within $(fcalc "$DOWN2 + 3") s of lb1's death (state $(ha_state lb2))"
  wait "$PROBE_PID" || true
  t_last1="$(ha_last A "$LB_KERNEL4" "$t_kill")"
  t_new="$(ha_first_wait A "$LB2_KERNEL4" "$t_kill")"
  t_garp="$(ha_first_wait G "$MAC2" "$t_kill" "$VIP4")"
  [[ -n "$t_new" && -n "$t_garp" && -n "$t_last1" ]] ||
    die "capture: no advert from lb2 ('$t_new') or gratuitous ARP from lb2 ('$t_garp') after the kill, or no advert from lb1 before ('$t_last1')"
  take="$(fsub "$t_new" "$t_kill")"
  gap="$(fsub "$t_new" "$t_last1")"
  RESULT[$I.kill_take]="$take"
  RESULT[$I.kill_gap]="$gap"
  RESULT[$I.kill_garp]="$(fsub "$t_garp" "$t_kill")"
  le "$(fcalc "3 * $I - 0.02")" "$gap" ||
    die "lb2 took over $gap s after lb1's last advert: earlier than 3 x advert interval ($(fcalc "3 * $I") s)"
  le "$gap" "$(fcalc "$DOWN2 + $SLACK_S")" ||
    die "lb2 took over $gap s after lb1's last advert; master down interval is $DOWN2 s (+ $SLACK_S s slack)"
  ok "lb2 MASTER $take s after the kill, $gap s after lb1's last advert (master down interval $DOWN2 s); gratuitous ARP from lb2 at +${RESULT[$I.kill_garp]} s"
  read -r fails outage last_ok first_ok late <<<"$(probe_outage "$TOPO_DIR/probe-kill-$I.out" "$t_kill")"
  [[ "$outage" != "-" ]] || die "client requests did not recover after the kill (fails $fails, last ok $last_ok, first ok $first_ok)"
  ((late == 0)) || die "$late client requests failed after the service had recovered"
  RESULT[$I.kill_outage]="$outage"
  ok "client outage: last success ${last_ok} s, first success +${first_ok} s from the kill: $outage s ($fails of $probe_n requests failed, none after recovery)"
  vip_owner_is "$MAC2" "lb2 MASTER after lb1's death"
  long_echo "after-$I" || die "the long-lived connection opened through lb1 does not echo through lb2"
  ok "the connection opened through lb1 still echoes through lb2 (same Maglev table, $LONG_BACKEND)"

  # lb1 comes back: it preempts
  t_back="$EPOCHREALTIME"
  node_start lb "$PRIO1" "$I"
  wait_for "$(fcalc "$DOWN1 + 5")" state_is lb MASTER ||
    die "restarted lb1 (priority $PRIO1, preempt) did not become MASTER within $(fcalc "$DOWN1 + 5") s ($(both_states))"
  wait_states MASTER BACKUP 3 "lb1 back"
  t_pre="$(ha_first A "$LB_KERNEL4" "$t_back" "$PRIO1")"
  ok "restarted lb1 preempted lb2 (first advert $(fsub "${t_pre:-$EPOCHREALTIME}" "$t_back") s after its start); lb2 BACKUP"
  vip_owner_is "$MAC1" "lb1 MASTER again"
  long_echo "back-$I" || die "the long-lived connection does not echo after lb1 took the VIP back"
  ok "the long-lived connection still echoes through the restarted lb1"
  long_close

  # === 3. graceful stop of the master's sluiced ==========================================
  probe_secs="$(fcalc "2 + $SKEW2 + 2.5")"
  probe_n="$(awk -v s="$probe_secs" 'BEGIN { printf "%d", s / 0.05 }')"
  probe_start "$TOPO_DIR/probe-term-$I.out" "$probe_n"
  sleep 1.5
  lb_use lb
  t_term="$EPOCHREALTIME"
  sluiced_stop TERM || die "lb1's sluiced exited with status $? on SIGTERM"
  wait_for "$(fcalc "$SKEW2 + 3")" state_is lb2 MASTER ||
    die "lb2 did not become MASTER within $(fcalc "$SKEW2 + 3") s of lb1's sluiced stopping (state $(ha_state lb2))"
  wait "$PROBE_PID" || true
  t_zero="$(ha_first_wait A "$LB_KERNEL4" "$t_term" 0)"
  [[ -n "$t_zero" ]] || die "lb1's sluiced sent no priority 0 advert when stopped"
  t_new="$(ha_first_wait A "$LB2_KERNEL4" "$t_term")"
  [[ -n "$t_new" ]] || die "capture: no advert from lb2 after lb1 resigned"
  take="$(fsub "$t_new" "$t_term")"
  gap="$(fsub "$t_new" "$t_zero")"
  RESULT[$I.term_take]="$take"
  RESULT[$I.term_gap]="$gap"
  le "$gap" "$(fcalc "$SKEW2 + $SLACK_S")" ||
    die "lb2 took over $gap s after lb1's priority 0 advert; its skew time is $SKEW2 s (+ $SLACK_S s slack)"
  le "$take" "${RESULT[$I.kill_take]}" ||
    die "the graceful takeover ($take s) was not faster than the one after a kill (${RESULT[$I.kill_take]} s)"
  ok "lb1 resigned (priority 0 advert at +$(fsub "$t_zero" "$t_term") s); lb2 MASTER $take s after SIGTERM, $gap s after the priority 0 advert (skew $SKEW2 s)"
  read -r fails outage last_ok first_ok late <<<"$(probe_outage "$TOPO_DIR/probe-term-$I.out" "$t_term")"
  [[ "$outage" != "-" ]] || die "client requests did not recover after the graceful stop (fails $fails)"
  ((late == 0)) || die "$late client requests failed after the service had recovered"
  RESULT[$I.term_outage]="$outage"
  if ((fails == 0)); then
    ok "client: no request failed across the graceful handover"
  else
    ok "client outage: last success ${last_ok} s, first success +${first_ok} s from SIGTERM: $outage s ($fails of $probe_n failed, none after recovery)"
  fi
  vip_owner_is "$MAC2" "lb2 MASTER after lb1's graceful stop"
  # lb1's dataplane (still running, no sluiced) must not hold the VIP any more
  t_chk="$EPOCHREALTIME"
  in_ns client ip neigh flush dev eth0 >/dev/null 2>&1 || true
  www_get "$(vip_url 4)" >/dev/null || die "GET through the VIP failed after re-resolving it"
  sleep 0.3
  if [[ -n "$(ha_first R "$MAC1" "$t_chk" "$VIP4")" ]]; then
    soft_fail "lb1's dataplane still answers ARP for the VIP after its sluiced resigned (the withdrawal pushed at shutdown was not applied; client now has the VIP at $(client_vip_mac))"
  elif ! client_mac_is "$MAC2"; then
    soft_fail "after a fresh ARP the client has the VIP at '$(client_vip_mac)', want lb2's $MAC2"
  else
    ok "lb1's dataplane withdrew the VIP: a fresh ARP for it is answered by lb2 alone"
  fi

  t_back="$EPOCHREALTIME"
  node_sluiced_start lb
  wait_for "$(fcalc "$DOWN1 + 5")" state_is lb MASTER ||
    die "lb1's restarted sluiced did not preempt within $(fcalc "$DOWN1 + 5") s ($(both_states))"
  wait_states MASTER BACKUP 3 "lb1's sluiced back"
  t_re="$(ha_first_wait G "$MAC1" "$t_back" "$VIP4")"

  # === 3b. a master that resigns during its takeover announcement stops announcing ====
  # (first interval only) lb1's sluiced is stopped right after it took the VIP back,
  # inside the gratuitous ARP burst (garp_count x garp_interval): once it has withdrawn
  # the VIP, lb1 must not send another gratuitous ARP for it, or the client follows it
  # back to a node that no longer answers for the VIP.
  if ((first)); then
    lb_use lb
    t_term="$EPOCHREALTIME"
    sluiced_stop TERM || die "lb1's sluiced exited with status $? on SIGTERM"
    t_zero="$(ha_first_wait A "$LB_KERNEL4" "$t_term" 0)"
    wait_for "$(fcalc "$SKEW2 + 3")" state_is lb2 MASTER || die "lb2 did not take over ($(both_states))"
    sleep 1
    late="$(vrrp_events | awk -v m="$MAC1" -v t="${t_zero:-$t_term}" '$2 == "G" && $3 == m && $1 > t + 0.05' | wc -l)"
    if ((late > 0)); then
      soft_fail "lb1 resigned $(fsub "${t_zero:-$t_term}" "${t_re:-$t_back}") s after its first gratuitous ARP, yet sent $late more gratuitous ARP(s) for the VIP after withdrawing it; the client has the VIP at $(client_vip_mac) (lb2 holds it: $MAC2)"
    else
      ok "lb1 resigned inside its gratuitous ARP burst ($(fsub "${t_zero:-$t_term}" "${t_re:-$t_back}") s after its first one) and sent none after withdrawing the VIP"
    fi
    if www_get "$(vip_url 4)" >/dev/null && client_mac_is "$MAC2"; then
      ok "the client reaches the VIP through lb2"
    else
      soft_fail "after lb1's quick resignation the client has the VIP at '$(client_vip_mac)' and GET through the VIP fails or goes elsewhere (want lb2's $MAC2)"
    fi
    node_sluiced_start lb
    wait_for "$(fcalc "$DOWN1 + 5")" state_is lb MASTER ||
      die "lb1's restarted sluiced did not preempt within $(fcalc "$DOWN1 + 5") s ($(both_states))"
    wait_states MASTER BACKUP 3 "lb1's sluiced back again"
    sleep 0.5
  fi
  vip_owner_is "$MAC1" "lb1's sluiced back: lb1 MASTER"

  # === 4. split brain and heal ===========================================================
  t_split="$EPOCHREALTIME"
  bridge -n "$(ns_name sw)" link set dev p-lb isolated on
  bridge -n "$(ns_name sw)" link set dev p-lb2 isolated on
  log "split: the bridge ports of lb1 and lb2 isolated from each other"
  wait_for "$(fcalc "$DOWN2 + 3")" state_is lb2 MASTER ||
    die "split: lb2 did not become MASTER within $(fcalc "$DOWN2 + 3") s ($(both_states))"
  sleep 0.5
  state_is lb MASTER || die "split: lb1 is $(ha_state lb), want MASTER"
  ok "split: both MASTER ($(both_states))"
  # the client followed lb2's takeover announcement
  wait_until 3 client_mac_is "$MAC2" ||
    die "split: the client has the VIP at '$(client_vip_mac)', want lb2's $MAC2 (its gratuitous ARP)"
  www_get "$(vip_url 4)" >/dev/null || die "split: GET through the VIP (via lb2) failed"
  ok "split: the client follows lb2's gratuitous ARP and is served through lb2"
  sleep 0.5
  t_heal="$EPOCHREALTIME"
  bridge -n "$(ns_name sw)" link set dev p-lb isolated off
  bridge -n "$(ns_name sw)" link set dev p-lb2 isolated off
  log "healed"
  wait_for "$(fcalc "3 * $I + 3")" state_is lb2 BACKUP ||
    die "heal: lb2 did not return to BACKUP ($(both_states))"
  wait_until 3 state_is lb MASTER || die "heal: lb1 is not MASTER ($(both_states))"
  sleep "$(fcalc "3 * $I + 0.3")"
  [[ "$(ha_state lb)$(ha_state lb2)" == MASTERBACKUP ]] ||
    die "heal: not exactly one MASTER after $(fcalc "3 * $I + 0.3") s more: $(both_states)"
  t_g="$(ha_first_wait G "$MAC1" "$t_heal" "$VIP4")"
  [[ -n "$t_g" ]] || die "heal: lb1 sent no gratuitous ARP after the heal (the client keeps the loser's MAC)"
  RESULT[$I.heal_garp]="$(fsub "$t_g" "$t_heal")"
  ok "heal: exactly one MASTER (lb1), lb2 BACKUP; lb1 re-announced (gratuitous ARP +${RESULT[$I.heal_garp]} s after the heal)"
  wait_until 3 client_mac_is "$MAC1" ||
    die "heal: the client still has the VIP at '$(client_vip_mac)', want lb1's $MAC1"
  vip_owner_is "$MAC1" "heal"
  n_split="$(awk -v t="$t_split" -v h="$t_heal" '$1 > t && $1 < h && $4 == "MASTER"' "$NOTIFY_LOG" | wc -l)"
  if ((n_split >= 1)); then
    ok "notify: $n_split MASTER notification(s) during the split"
  else
    log "note: no notify call seen during the split"
  fi

  # === end of this interval ==============================================================
  node_stop lb2
  node_stop lb
  first=0
done

# notify was called (state changes reach the command)
{ grep -qE ' lb1 vi_www MASTER ' "$NOTIFY_LOG" && grep -qE ' lb2 vi_www (MASTER|BACKUP) ' "$NOTIFY_LOG"; } ||
  die "notify: no 'INSTANCE STATE PRIORITY' calls recorded for both nodes: $(tail -n 5 "$NOTIFY_LOG")"
ok "notify called as CMD INSTANCE STATE PRIORITY ($(wc -l <"$NOTIFY_LOG") calls), e.g. '$(head -n 1 "$NOTIFY_LOG" | cut -d' ' -f2-)'"

# === the table ===========================================================================
log "failover times (s), priority $PRIO1 master / $PRIO2 backup, 2 sluice nodes in namespaces:"
{
  printf '| advert_interval | master down (RFC) | kill: last advert -> new master | kill: kill -> new master | kill: client outage | skew (RFC) | SIGTERM: prio 0 -> new master | SIGTERM -> new master | SIGTERM: client outage | split heal -> GARP |\n'
  printf '|---|---|---|---|---|---|---|---|---|---|\n'
  for I in $VRRP_INTERVALS; do
    printf '| %s s (%d cs) | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$I" \
      "$(awk -v i="$I" 'BEGIN { printf "%d", i * 100 + 0.5 }')" \
      "$(fcalc "3 * $I + (256 - $PRIO2) * $I / 256")" "${RESULT[$I.kill_gap]}" "${RESULT[$I.kill_take]}" \
      "${RESULT[$I.kill_outage]}" "$(fcalc "(256 - $PRIO2) * $I / 256")" "${RESULT[$I.term_gap]}" \
      "${RESULT[$I.term_take]}" "${RESULT[$I.term_outage]}" "${RESULT[$I.heal_garp]}"
  done
} | tee "$TOPO_DIR/failover-table.md" | sed 's/^/    /'
[[ -n "${VRRP_TABLE_OUT:-}" ]] && cp "$TOPO_DIR/failover-table.md" "$VRRP_TABLE_OUT"
((SOFT_FAILS == 0)) || die "$SOFT_FAILS check(s) failed (see the FAIL lines above)"
log "PASS in $((SECONDS - T_START)) s"
