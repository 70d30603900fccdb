#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: a sluice node and a keepalived node share one VIP with VRRPv3.
#
# The www.foobar.com topology with a second load balancer namespace (TOPO_LB2=1):
#   lb1 (lb):  sluice-dataplane (10.211.0.10) + sluiced with [[vrrp]] vi_www, vrid 51,
#              carrying the www VIP (10.211.0.100:80); kernel address 10.211.0.11.
#   lb2:       a plain kernel node (10.211.0.12) running Debian's keepalived, VRRPv3
#              (vrrp_version 3), same vrid and advert_int, the VIP as a
#              virtual_ipaddress on its veth. It does not forward to the web servers:
#              while it holds the VIP the test checks VRRP state and who answers ARP
#              (and ping) for the VIP, not HTTP.
# For each advert interval in VRRP_INTERVALS (default "0.1 1.0" s):
#   1. sluice priority 150, keepalived 100: sluice MASTER, keepalived BACKUP (it
#      accepts sluice's adverts); the client's curl works, the VIP is at lb1's MAC.
#   2. the sluice node dies (SIGKILL sluiced and dataplane): keepalived takes over
#      (MASTER, gratuitous ARP, the client pings the VIP at lb2's MAC).
#   3. the sluice node restarts: it preempts keepalived (sluice MASTER, keepalived
#      BACKUP and the VIP gone from its veth; curl through sluice works).
#   4. sluiced on the master stopped (SIGTERM): keepalived takes over after its skew
#      time (sluice's priority 0 advert); sluiced restarted: it preempts again.
#   5. keepalived restarted with priority 200 (preempt): sluice goes BACKUP, its
#      dataplane stops answering for the VIP, the client has the VIP at lb2's MAC.
#   6. keepalived stopped (SIGTERM, priority 0): sluice MASTER after its skew time;
#      curl works. keepalived (200) started again, then killed (SIGKILL, its VIP
#      removed as a dead node's would be): sluice MASTER after its master down
#      interval.
# The takeover times of both implementations, as backup, are printed as a table.
#
#   BUILD_DIR=build-x tests/e2e/e2e_vrrp_keepalived.sh
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
# shellcheck source=scripts/lib/ha.sh
source "$(dirname "$0")/../../scripts/lib/ha.sh"
# shellcheck source=scripts/lib/e2e.sh
source "$(dirname "$0")/../../scripts/lib/e2e.sh"

VRRP_INTERVALS="${VRRP_INTERVALS:-0.1 1.0}"
VRID=51
SLACK_S="${SLACK_S:-0.35}"
export TOPO_LB2=1 SLUICED_CONTROLPLANE=1 SLUICE_NO_VIP6=1
T_START=$SECONDS

require_root
sluice_require_bin
sluiced_require_bin
command -v keepalived >/dev/null || die "keepalived is not installed (scripts/setup.sh installs it)"
e2e_traps

MAC1="${TOPO_MAC[lb]}"
MAC2="${TOPO_MAC[lb2]}"
declare -A RESULT=()

skew() { fcalc "(256 - $1) * $2 / 256"; }
master_down() { fcalc "3 * $2 + (256 - $1) * $2 / 256"; }

# --- the sluice node (lb1) ----------------------------------------------------------------
NOTIFY_LOG=""
sluice_node_config() {
  local prio="$1" interval="$2"
  sluice_config web1 web2
  cat <<EOF

[[vrrp]]
name = "vi_www"
interface = "$LB_IFACE"
vrid = $VRID
priority = $prio
advert_interval = $interval
preempt = true
address = "$LB_KERNEL4"
vips = ["www"]
track_dataplane = true
notify = "$TOPO_DIR/notify.sh"
EOF
}
sluice_node_start() {
  sluice_node_config "$@" >"$TOPO_DIR/lb1.toml"
  rm -f "$(sluice_telemetry_socket)"
  sluice_start "$TOPO_DIR/lb1.toml" || die "lb1: dataplane did not start"
  sluiced_start || die "lb1: sluiced did not start"
}
sluice_node_kill() {
  local p
  kill -KILL "$SLUICED_PID" "$SLUICE_PID"
  for p in $SLUICED_PID $SLUICE_PID; do
    { wait "$p" || true; } 2>/dev/null
  done
  SLUICED_PID="" SLUICE_PID=""
}
# sluice_state: sluiced's instance state (`show ha`, else its last notify call); DOWN
# when sluiced is not running.
sluice_state() {
  local st=""
  sluiced_alive || {
    echo DOWN
    return 0
  }
  st="$(sluicectl_run --json show ha 2>/dev/null |
    "$PY" "$REPO_ROOT/tests/lib/sluicectl_answer.py" ha-state vi_www 2>/dev/null)" || true
  [[ -n "$st" ]] || st="$(awk '{ s = $3 } END { print s }' "$NOTIFY_LOG" 2>/dev/null)"
  echo "${st:-UNKNOWN}"
}
sluice_is() { [[ "$(sluice_state)" == "$1" ]]; }

# --- the keepalived node (lb2) --------------------------------------------------------------
KA_DIR=""
KA_PID=""
KA_LOG=""
ka_start() {
  local prio="$1" interval="$2"
  KA_LOG="$KA_DIR/keepalived-$prio-$interval.log"
  cat >"$KA_DIR/keepalived.conf" <<EOF
# SPDX-License-Identifier: BSD-3-Clause
# lb2 of e2e_vrrp_keepalived.sh: the keepalived peer of a sluice node
global_defs {
    router_id lb2
    vrrp_version 3
    vrrp_garp_master_delay 0
}
vrrp_instance vi_www {
    state BACKUP
    interface $LB_IFACE
    virtual_router_id $VRID
    priority $prio
    advert_int $interval
    virtual_ipaddress {
        $VIP4/32 dev $LB_IFACE
    }
}
EOF
  # -n: stay in the foreground (pid = the parent); -l: log to the console; -P: VRRP only
  topo_bg lb2 "$KA_LOG" keepalived -n -l -D -P -f "$KA_DIR/keepalived.conf" \
    -p "$KA_DIR/keepalived.pid" -r "$KA_DIR/vrrp.pid" -c "$KA_DIR/checkers.pid"
  KA_PID="$TOPO_LAST_PID"
  wait_until 5 test -s "$KA_DIR/vrrp.pid" || die "keepalived did not start: $(tail -n 5 "$KA_LOG")"
  log "keepalived in lb2 up (pid $KA_PID, priority $prio, advert_int $interval, log $KA_LOG)"
}
ka_stop() {
  [[ -n "$KA_PID" ]] || return 0
  kill_pid "$KA_PID" 5
  { wait "$KA_PID" || true; } 2>/dev/null
  KA_PID=""
}
# ka_kill: keepalived dies without a word. The VRRP child goes first: it gets SIGTERM
# when its parent dies (and would resign with priority 0).
ka_kill() {
  local p child
  child="$(cat "$KA_DIR/vrrp.pid" 2>/dev/null)"
  for p in $child "$KA_PID"; do
    kill -STOP "$p" 2>/dev/null || true
  done
  for p in $child "$KA_PID"; do
    kill -KILL "$p" 2>/dev/null || true
  done
  { wait "$KA_PID" || true; } 2>/dev/null
  KA_PID=""
}
# ka_state: keepalived's state from its log (the last "Entering X STATE"); DOWN when
# it is not running.
ka_state() {
  { [[ -n "$KA_PID" ]] && kill -0 "$KA_PID" 2>/dev/null; } || {
    echo DOWN
    return 0
  }
  sed -n 's/.*(vi_www) Entering \([A-Z]*\) STATE.*/\1/p' "$KA_LOG" | tail -n 1
}
ka_is() { [[ "$(ka_state)" == "$1" ]]; }
ka_has_vip() { in_ns lb2 ip -4 addr show dev "$LB_IFACE" | grep -q "inet $VIP4/"; }
states() { echo "sluice $(sluice_state), keepalived $(ka_state)"; }

client_mac_is() { [[ "$(client_vip_mac)" == "$1" ]]; }
# vip_at MAC WHAT: the client pings the VIP and has it at MAC.
vip_at() {
  in_ns client ping -c 1 -W 1 "$VIP4" >/dev/null 2>&1 ||
    in_ns client ping -c 1 -W 1 "$VIP4" >/dev/null 2>&1 || die "$2: the client cannot ping the VIP"
  wait_until 3 client_mac_is "$1" || die "$2: the client has the VIP at '$(client_vip_mac)', want $1"
}
# www_ok WHAT: a GET through the VIP works (sluice holds it).
www_ok() {
  local who
  who="$(www_get "$(vip_url 4)")" || die "$1: GET through the VIP failed ($who)"
  echo "$who"
}

# === setup ===============================================================================
topo_up
KA_DIR="$TOPO_DIR/lb2"
mkdir -p "$KA_DIR"
NOTIFY_LOG="$TOPO_DIR/notify.log"
: >"$NOTIFY_LOG"
cat >"$TOPO_DIR/notify.sh" <<EOF
#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
echo "\$(date +%s.%N) \$*" >>"$NOTIFY_LOG"
EOF
chmod 755 "$TOPO_DIR/notify.sh"
lb_kernel_address
in_ns lb2 ip addr add "$LB2_KERNEL4/$NET4_PREFIX" dev "$LB_IFACE"
topo_check_direct || die "topology broken before sluice even starts"
in_ns lb ping -c 1 -W 2 "$LB2_KERNEL4" >/dev/null || die "lb1 cannot reach lb2 ($LB2_KERNEL4)"
ok "client reaches web1/web2; lb1 ($LB_KERNEL4, sluice) and lb2 ($LB2_KERNEL4, keepalived $(keepalived --version 2>&1 | head -n 1 | awk '{ print $2 }')) reach each other"
vrrp_capture_start

for I in $VRRP_INTERVALS; do
  log "=== advert_interval $I s ==="
  # === 1. sluice 150 MASTER, keepalived 100 BACKUP =======================================
  sluice_node_start 150 "$I"
  wait_for "$(fcalc "$(master_down 150 "$I") + 5")" sluice_is MASTER ||
    die "sluice alone did not become MASTER ($(states))"
  ka_start 100 "$I"
  t_ka="$EPOCHREALTIME"
  sleep "$(fcalc "$(master_down 100 "$I") + 0.5")"
  ka_is BACKUP || die "keepalived (100) is not BACKUP under sluice (150): $(states); its log: $(tail -n 5 "$KA_LOG")"
  sluice_is MASTER || die "sluice is not MASTER: $(states)"
  [[ -z "$(ha_first A "$LB2_KERNEL4" "$t_ka")" ]] || die "keepalived sent adverts while sluice (higher priority) is MASTER"
  ka_has_vip && die "keepalived added the VIP to its veth while BACKUP"
  who="$(www_ok "sluice MASTER")"
  wait_until 3 client_mac_is "$MAC1" || die "the client has the VIP at '$(client_vip_mac)', want lb1's $MAC1"
  ok "sluice (150) MASTER, keepalived (100) BACKUP and silent; GET through the VIP answered by $who, VIP at lb1's MAC"
  grep -q 'invalid\|mismatch' "$KA_LOG" && log "note: keepalived complained about sluice's adverts: $(grep 'invalid\|mismatch' "$KA_LOG" | head -n 2)"

  # === 2. the sluice node dies: keepalived takes over ====================================
  t_kill="$EPOCHREALTIME"
  sluice_node_kill
  wait_for "$(fcalc "$(master_down 100 "$I") + 3")" ka_is MASTER ||
    die "keepalived did not become MASTER after the sluice node died: $(states)"
  t_last="$(ha_last A "$LB_KERNEL4" "$t_kill")"
  t_new="$(ha_first_wait A "$LB2_KERNEL4" "$t_kill")"
  [[ -n "$t_last" && -n "$t_new" ]] || die "capture: missing adverts (sluice before the kill '$t_last', keepalived after '$t_new')"
  RESULT[$I.ka_down]="$(fsub "$t_new" "$t_last")"
  RESULT[$I.ka_down_kill]="$(fsub "$t_new" "$t_kill")"
  wait_until 3 ka_has_vip || die "keepalived MASTER but the VIP is not on lb2's veth"
  vip_at "$MAC2" "keepalived MASTER"
  [[ -n "$(ha_first_wait G "$MAC2" "$t_kill" "$VIP4")" ]] || die "keepalived sent no gratuitous ARP for the VIP"
  ok "sluice node killed: keepalived MASTER ${RESULT[$I.ka_down]} s after sluice's last advert (${RESULT[$I.ka_down_kill]} s after the kill; master down $(master_down 100 "$I") s); the client pings the VIP at lb2's MAC"

  # === 3. the sluice node restarts and preempts keepalived ===============================
  t_back="$EPOCHREALTIME"
  sluice_node_start 150 "$I"
  wait_for "$(fcalc "$(master_down 150 "$I") + 5")" sluice_is MASTER ||
    die "restarted sluice (150) did not preempt keepalived (100): $(states)"
  wait_until 3 ka_is BACKUP || die "keepalived did not go BACKUP when sluice preempted: $(states)"
  wait_until 3 sh -c "! ip netns exec $(ns_name lb2) ip -4 addr show dev $LB_IFACE | grep -q 'inet $VIP4/'" ||
    die "keepalived BACKUP but the VIP is still on lb2's veth"
  who="$(www_ok "sluice preempted")"
  wait_until 3 client_mac_is "$MAC1" || die "after sluice preempted, the client has the VIP at '$(client_vip_mac)', want $MAC1"
  ok "restarted sluice preempted keepalived ($(fsub "$(ha_first A "$LB_KERNEL4" "$t_back" 150)" "$t_back") s after its start): sluice MASTER, keepalived BACKUP, VIP at lb1's MAC, served by $who"

  # === 4. sluiced stopped gracefully: keepalived takes over after its skew ===============
  sleep 1 # past the takeover's gratuitous ARP burst (e2e_vrrp.sh checks a resign within it)
  t_term="$EPOCHREALTIME"
  sluiced_stop TERM || die "sluiced exited with status $? on SIGTERM"
  wait_for "$(fcalc "$(skew 100 "$I") + 3")" ka_is MASTER ||
    die "keepalived did not take over after sluiced resigned: $(states)"
  t_zero="$(ha_first_wait A "$LB_KERNEL4" "$t_term" 0)"
  t_new="$(ha_first_wait A "$LB2_KERNEL4" "$t_term")"
  [[ -n "$t_zero" && -n "$t_new" ]] || die "capture: no priority 0 advert from sluice ('$t_zero') or no keepalived advert after it ('$t_new')"
  RESULT[$I.ka_skew]="$(fsub "$t_new" "$t_zero")"
  vip_at "$MAC2" "keepalived MASTER after sluice resigned"
  ok "sluiced SIGTERM: keepalived MASTER ${RESULT[$I.ka_skew]} s after sluice's priority 0 advert (skew $(skew 100 "$I") s)"
  sluiced_start || die "sluiced did not restart"
  wait_for "$(fcalc "$(master_down 150 "$I") + 5")" sluice_is MASTER || die "sluiced restarted did not preempt: $(states)"
  wait_until 3 ka_is BACKUP || die "keepalived did not go BACKUP: $(states)"
  www_ok "sluiced back" >/dev/null
  ok "sluiced restarted: MASTER again, keepalived BACKUP"

  # === 5. keepalived with a higher priority preempts sluice ==============================
  ka_stop
  t_ka="$EPOCHREALTIME"
  ka_start 200 "$I"
  wait_for "$(fcalc "$(master_down 200 "$I") + 3")" ka_is MASTER ||
    die "keepalived (200) did not preempt sluice (150): $(states)"
  wait_until 3 sluice_is BACKUP || die "sluice did not go BACKUP under keepalived (200): $(states)"
  t_kam="$(ha_first A "$LB2_KERNEL4" "$t_ka" 200)"
  vip_at "$MAC2" "keepalived (200) MASTER"
  t_chk="$EPOCHREALTIME"
  in_ns client ip neigh flush dev eth0 >/dev/null 2>&1 || true
  vip_at "$MAC2" "keepalived (200) MASTER, fresh ARP"
  sleep 0.3
  [[ -z "$(ha_first R "$MAC1" "$t_chk" "$VIP4")" ]] || die "sluice BACKUP but its dataplane still answers ARP for the VIP"
  ok "keepalived (200, preempt) started: MASTER (first advert +$(fsub "${t_kam:-$EPOCHREALTIME}" "$t_ka") s), sluice BACKUP; only lb2 answers ARP for the VIP"

  # === 6. keepalived stops: sluice takes over ============================================
  t_term="$EPOCHREALTIME"
  ka_stop
  wait_for "$(fcalc "$(skew 150 "$I") + 3")" sluice_is MASTER ||
    die "sluice did not take over when keepalived stopped: $(states)"
  t_zero="$(ha_first_wait A "$LB2_KERNEL4" "$t_term" 0)"
  t_new="$(ha_first_wait A "$LB_KERNEL4" "$t_term")"
  [[ -n "$t_zero" && -n "$t_new" ]] || die "capture: no priority 0 advert from keepalived ('$t_zero') or no sluice advert after it ('$t_new')"
  RESULT[$I.sl_skew]="$(fsub "$t_new" "$t_zero")"
  le "${RESULT[$I.sl_skew]}" "$(fcalc "$(skew 150 "$I") + $SLACK_S")" ||
    die "sluice took over ${RESULT[$I.sl_skew]} s after keepalived's priority 0 advert; its skew is $(skew 150 "$I") s (+ $SLACK_S s)"
  ka_has_vip && die "keepalived stopped but left the VIP on lb2's veth"
  who="$(www_ok "sluice MASTER after keepalived stopped")"
  wait_until 3 client_mac_is "$MAC1" || die "the client has the VIP at '$(client_vip_mac)', want lb1's $MAC1"
  ok "keepalived SIGTERM: sluice MASTER ${RESULT[$I.sl_skew]} s after keepalived's priority 0 advert (skew $(skew 150 "$I") s); served by $who at lb1's MAC"

  ka_start 200 "$I"
  wait_for "$(fcalc "$(master_down 200 "$I") + 3")" ka_is MASTER || die "keepalived (200) did not preempt again: $(states)"
  wait_until 3 sluice_is BACKUP || die "sluice did not go BACKUP again: $(states)"
  t_kill="$EPOCHREALTIME"
  ka_kill
  in_ns lb2 ip addr del "$VIP4/32" dev "$LB_IFACE" 2>/dev/null || true
  wait_for "$(fcalc "$(master_down 150 "$I") + 3")" sluice_is MASTER ||
    die "sluice did not take over when keepalived died: $(states)"
  t_last="$(ha_last A "$LB2_KERNEL4" "$t_kill")"
  t_new="$(ha_first_wait A "$LB_KERNEL4" "$t_kill")"
  [[ -n "$t_last" && -n "$t_new" ]] || die "capture: missing adverts around keepalived's death"
  [[ -z "$(ha_first A "$LB2_KERNEL4" "$t_kill" 0)" ]] || die "the killed keepalived sent a priority 0 advert (not a silent death)"
  RESULT[$I.sl_down]="$(fsub "$t_new" "$t_last")"
  le "$(fcalc "3 * $I - 0.02")" "${RESULT[$I.sl_down]}" ||
    die "sluice took over ${RESULT[$I.sl_down]} s after keepalived's last advert: earlier than 3 x advert interval"
  le "${RESULT[$I.sl_down]}" "$(fcalc "$(master_down 150 "$I") + $SLACK_S")" ||
    die "sluice took over ${RESULT[$I.sl_down]} s after keepalived's last advert; master down is $(master_down 150 "$I") s"
  who="$(www_ok "sluice MASTER after keepalived died")"
  wait_until 3 client_mac_is "$MAC1" || die "the client has the VIP at '$(client_vip_mac)', want lb1's $MAC1"
  ok "keepalived SIGKILLed: sluice MASTER ${RESULT[$I.sl_down]} s after keepalived's last advert (master down $(master_down 150 "$I") s); served by $who"

  sluiced_stop || true
  sluice_stop || true
done

log "takeover times (s) of each implementation as the backup, sluice <-> keepalived $(keepalived --version 2>&1 | head -n 1 | awk '{ print $2 }'):"
{
  printf '| advert_interval | keepalived (100) takes over from dead sluice: last advert -> advert | keepalived: sluice prio 0 -> advert | sluice (150) takes over from dead keepalived | sluice: keepalived prio 0 -> advert |\n'
  printf '|---|---|---|---|---|\n'
  for I in $VRRP_INTERVALS; do
    printf '| %s s | %s (RFC %s) | %s (skew %s) | %s (RFC %s) | %s (skew %s) |\n' "$I" \
      "${RESULT[$I.ka_down]}" "$(master_down 100 "$I")" "${RESULT[$I.ka_skew]}" "$(skew 100 "$I")" \
      "${RESULT[$I.sl_down]}" "$(master_down 150 "$I")" "${RESULT[$I.sl_skew]}" "$(skew 150 "$I")"
  done
} | tee "$TOPO_DIR/keepalived-table.md" | sed 's/^/    /'
[[ -n "${VRRP_TABLE_OUT:-}" ]] && cp "$TOPO_DIR/keepalived-table.md" "$VRRP_TABLE_OUT"
log "PASS in $((SECONDS - T_START)) s"
