#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: sluiced (the control-plane daemon) driving sluice-dataplane.
#
# The www.foobar.com topology (client, lb, web1/web2 with nginx); the dataplane runs in
# the lb namespace on af_packet, sluiced runs there too and reads the same config file.
# The lb kernel gets its own address (LB_KERNEL4) on the veth so sluiced's health checks
# (http GET /, interval 0.2 s, timeout 0.15 s, rise 2, fall 2) reach the web servers.
#
#   1. `sluiced --check`: OK for the good config; file:line:column errors and exit 1
#      for a broken one.
#   2. after start, `show backends www` says web1 and web2 UP/serving; the VIP reaches
#      both.
#   3. nginx on web2 stopped: within 2 s web2 is DOWN (with a reason) and `out`; new
#      requests all go to web1; a keep-alive connection to web1 opened before keeps
#      working.
#   4. nginx on web2 started again: UP after rise, serves again.
#   5. `set backend www web2 state drain`: a keep-alive connection to web2 keeps
#      working, new connections all go to web1; admin `drain` shown apart from health
#      `UP`.
#   6. sluiced SIGKILLed while requests run: all succeed; restarted: the drain is still
#      in effect (persisted admin state) and no request fails during the restart.
#   7. reload (sluicectl and SIGHUP) of a broken config: refused with file:line:column,
#      the old config keeps serving; a valid one without web2: new connections to web1
#      only; then back to both.
#   8. privileges: the socket is 0660 root:root, an unprivileged uid cannot connect;
#      with the socket's group opened to it, reads work and `set`/`reload` answer
#      `Permission denied`.
#   9. unknown/malformed commands: one error line each, sluiced keeps running.
# The failover times (nginx stop -> DOWN, nginx start -> UP) are printed.
#
#   BUILD_DIR=build-x tests/e2e/e2e_sluiced.sh
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
# shellcheck source=scripts/lib/e2e.sh
source "$(dirname "$0")/../../scripts/lib/e2e.sh"

PROBES="${PROBES:-20}"
MAX_DOWN_S="${MAX_DOWN_S:-2.0}" # fall 2 x interval 0.2 s + timeout + margin
MAX_UP_S="${MAX_UP_S:-2.0}"     # rise 2 x interval 0.2 s + margin
export SLUICED_CONTROLPLANE=1
export SLUICED_WWW_CHECK="$SLUICED_FAST_HTTP_CHECK"
T_START=$SECONDS

require_root
sluice_require_bin
sluiced_require_bin
e2e_traps

# sluicectl_answer WHAT ARGS...: one value of a `sluicectl --json` answer on stdin (see
# tests/lib/sluicectl_answer.py). python3 rather than jq: setup.sh installs the former.
sluicectl_answer() { "$PY" "$REPO_ROOT/tests/lib/sluicectl_answer.py" "$@"; }
# backend_row ADDR: "ADMIN HEALTH EFFECTIVE" of ADDR in `show backends www`.
backend_row() {
  sluicectl_run show backends www 2>/dev/null | awk -v a="$1" '$2 == a { print $4, $6, $7 }'
}
# backend_json ADDR FIELD: one field of ADDR in `--json show backends www`.
backend_json() {
  sluicectl_run --json show backends www 2>/dev/null |
    sluicectl_answer backend "$1" "$2"
}
dp_state() { dataplane_backend_state www "$1"; }
dp_state_is() { [[ "$(dp_state "$1")" == "$2" ]]; }
# info FIELD: one field of `--json show info`.
info() { sluicectl_run --json show info | sluicectl_answer info "$1"; }
dp_connected() { [[ "$(info dataplane_connected)" == true ]]; }

# wait_row ADDR WANT SECONDS: poll (every 50 ms) until backend_row ADDR matches the
# extended regex WANT; prints the seconds it took. Returns 1 at the deadline.
wait_row() {
  local addr="$1" want="$2" t0="$EPOCHREALTIME" row=""
  local deadline
  deadline="$(awk -v a="$t0" -v s="$3" 'BEGIN { printf "%.3f", a + s }')"
  while true; do
    row="$(backend_row "$addr")"
    [[ "$row" =~ $want ]] && { elapsed "$t0"; return 0; }
    le "$EPOCHREALTIME" "$deadline" || { echo "timeout (last: '$row')"; return 1; }
    sleep 0.05
  done
}

# tally N: N new GETs through the VIP; sets SERVED (assoc) and BAD; prints a summary.
declare -A SERVED=()
BAD=0
tally() {
  local n="$1" i who
  SERVED=() BAD=0
  for ((i = 0; i < n; i++)); do
    who="$(www_get "$(vip_url 4)")" || BAD=$((BAD + 1))
    SERVED[$who]=$((${SERVED[$who]:-0} + 1))
  done
}
summary() { local k; for k in "${!SERVED[@]}"; do printf '%s=%s ' "$k" "${SERVED[$k]}"; done; }
# all_to WANT WHAT: PROBES new requests, all answered by WANT.
all_to() {
  tally "$PROBES"
  [[ $BAD -eq 0 && "${SERVED[$1]:-0}" -eq $PROBES ]] ||
    die "$2: $PROBES new requests not all served by $1: $(summary)"
  ok "$2: $PROBES new requests all served by $1"
}
# both_serve WHAT: PROBES new requests, all answered, by web1 and web2.
both_serve() {
  tally "$PROBES"
  [[ $BAD -eq 0 && -n "${SERVED[web1]:-}" && -n "${SERVED[web2]:-}" ]] ||
    die "$1: $PROBES new requests not all answered by web1 and web2: $(summary)"
  ok "$1: $PROBES new requests all answered: $(summary)"
}

# --- keep-alive HTTP connections (long-lived TCP flows through the www VIP) -------------
# ka_open NAME: one HTTP/1.1 connection from the client to VIP:80 (socat on two fifos);
# ka_get NAME sends a GET on it and prints the backend that answered.
declare -A KA_IN=() KA_OUT=() KA_PID=()
ka_open() {
  local name="$1" in="$TOPO_DIR/ka-$1.in" out="$TOPO_DIR/ka-$1.out" fd_in fd_out
  rm -f "$in" "$out"
  mkfifo "$in" "$out"
  ip netns exec "$(ns_name client)" socat -T 600 - "TCP:$VIP4:80,connect-timeout=2" \
    <"$in" >"$out" 2>>"$TOPO_DIR/ka-$name.log" &
  KA_PID[$name]=$!
  TOPO_PIDS+=("$!")
  exec {fd_in}>"$in"
  exec {fd_out}<"$out"
  KA_IN[$name]=$fd_in
  KA_OUT[$name]=$fd_out
}
ka_get() {
  local fd_in="${KA_IN[$1]}" fd_out="${KA_OUT[$1]}" status="" line who="" len=0 body=""
  # a subshell ignoring SIGPIPE: a dead connection is an error, not the end of the test
  (
    trap '' PIPE
    printf 'GET / HTTP/1.1\r\nHost: %s\r\n\r\n' "$WWW_HOST" >&"$fd_in"
  ) 2>/dev/null || { echo "ERR:write-failed"; return 1; }
  IFS= read -r -t 3 status <&"$fd_out" || { echo "ERR:no-answer"; return 1; }
  status="${status%$'\r'}"
  [[ "$status" == "HTTP/1.1 200"* ]] || { echo "ERR:status-$status"; return 1; }
  while IFS= read -r -t 3 line <&"$fd_out"; do
    line="${line%$'\r'}"
    [[ -z "$line" ]] && break
    case "${line,,}" in
    x-served-by:*) who="${line#*: }" ;;
    content-length:*) len="${line#*: }" ;;
    esac
  done
  if ((len > 0)); then
    IFS= read -r -t 3 -N "$len" body <&"$fd_out" || { echo "ERR:short-body"; return 1; }
  fi
  body="${body%$'\n'}"
  [[ -n "$who" && "$body" == "$who" ]] || { echo "ERR:body-${body}-vs-header-${who}"; return 1; }
  echo "$who"
}
ka_close() {
  local fd
  fd="${KA_IN[$1]}" && exec {fd}>&-
  fd="${KA_OUT[$1]}" && exec {fd}<&-
  kill_pid "${KA_PID[$1]}" 2
  wait "${KA_PID[$1]}" 2>/dev/null || true
  unset "KA_IN[$1]" "KA_OUT[$1]" "KA_PID[$1]"
}
# ka_open_to NAME WANT: open keep-alive connections until one lands on WANT (at most 16).
ka_open_to() {
  local i who
  for ((i = 0; i < 16; i++)); do
    ka_open "$1"
    who="$(ka_get "$1")" || true
    [[ "$who" == "$2" ]] && return 0
    ka_close "$1"
  done
  die "no keep-alive connection through the VIP landed on $2 in 16 tries (last: $who)"
}
# ka_expect NAME WANT WHAT: a request on the open connection NAME is answered by WANT.
ka_expect() {
  local who
  who="$(ka_get "$1")" || die "$3: the open connection to $2 failed: $who"
  [[ "$who" == "$2" ]] || die "$3: the open connection answered from $who, want $2"
  ok "$3: the connection opened before still works (answered by $2)"
}

# === setup ===============================================================================
topo_up
lb_kernel_address
topo_check_direct || die "topology broken before sluice even starts"
wait_until 5 in_ns lb curl -s -o /dev/null --max-time 1 "http://$WEB1_4/" ||
  die "the lb kernel ($LB_KERNEL4) cannot reach web1"
in_ns lb curl -s -o /dev/null --max-time 1 "http://$WEB2_4/" ||
  die "the lb kernel ($LB_KERNEL4) cannot reach web2"
ok "client reaches web1/web2 directly; the lb kernel ($LB_KERNEL4) reaches them for health checks"

sluice_config web1 web2 >"$TOPO_DIR/both.toml"
sluice_config web1 >"$TOPO_DIR/only-web1.toml"
{
  sluice_config web1 web2
  printf '\n[[vip]]\nname = "broken"\naddress = "not-an-address"\nport = 99999\n'
} >"$TOPO_DIR/broken.toml"
sluice_start "$TOPO_DIR/both.toml"
vip_wait "$(vip_url 4)" 20 || die "VIP never answered"
ok "dataplane up, VIP answers (no sluiced yet)"

# live_config FILE: atomically make FILE the live config (read by sluiced on reload).
live_config() { cp "$1" "$SLUICE_CONF.new" && mv "$SLUICE_CONF.new" "$SLUICE_CONF"; }

# === 1. --check ==========================================================================
out="$("$SLUICED_BIN" --config "$TOPO_DIR/both.toml" --check 2>&1)" ||
  die "sluiced --check refused the good config: $out"
[[ "$out" == "OK" ]] || die "sluiced --check on the good config printed '$out', want OK"
ok "sluiced --check: OK for the good config"
rc=0
out="$("$SLUICED_BIN" --config "$TOPO_DIR/broken.toml" --check 2>&1)" || rc=$?
((rc == 1)) || die "sluiced --check on a broken config exited $rc, want 1 (output: $out)"
n="$(grep -cE "^$TOPO_DIR/broken.toml:[0-9]+:[0-9]+: " <<<"$out" || true)"
((n >= 2)) || die "sluiced --check did not report both errors as file:line:column: $out"
grep -q OK <<<"$out" && die "sluiced --check printed OK for a broken config"
ok "sluiced --check on a broken config: exit 1, $n errors as file:line:column"
# shellcheck disable=SC2001 # indents every line of a multi-line value
sed 's/^/    /' <<<"$out"

# === 2. start; both UP ===================================================================
sluiced_start || die "sluiced did not start"
t="$(wait_row "$WEB1_4" '^ready UP serving$' 5)" || die "web1 not UP/serving within 5 s: $t"
t="$(wait_row "$WEB2_4" '^ready UP serving$' 5)" || die "web2 not UP/serving within 5 s: $t"
ok "show backends www: web1 and web2 ready, UP, serving"
sluicectl_run show backends www | sed 's/^/    /'
sluicectl_run show health | tee "$TOPO_DIR/health.out" | sed 's/^/    /'
for a in "$WEB1_4" "$WEB2_4"; do
  grep -qE "^www +$a +http GET / $a:80 +UP " "$TOPO_DIR/health.out" ||
    die "show health: no 'http GET / $a:80 UP' row for $a"
done
ok "show health: http GET / checks of web1 and web2 UP"
dp_connected || die "show info: sluiced is not connected to the dataplane"
ok "show info: connected to the dataplane"
both_serve "with sluiced"

# === 3. web2's nginx stops ===============================================================
ka_open_to long1 web1
ok "keep-alive connection long1 opened through the VIP, held by web1"
# SIGTERM to the master (fast shutdown: the listening socket closes at once); the clock
# starts at the signal, not when the master has finished exiting.
master="$(cat "$TOPO_DIR/web2/nginx/nginx.pid")"
t_stop="$EPOCHREALTIME"
kill -TERM "$master"
if ! down_s="$(wait_row "$WEB2_4" '^ready DOWN out$' 5)"; then
  die "web2 not DOWN/out within 5 s of stopping its nginx: $down_s"
fi
down_s="$(elapsed "$t_stop")"
nginx_stop web2 # waits (bounded) for the master to be gone, removes its pid file
reason="$(backend_json "$WEB2_4" health_reason)"
log "web2 DOWN $down_s s after its nginx was stopped; reason: '$reason'"
le "$down_s" "$MAX_DOWN_S" || die "web2 went DOWN after $down_s s, more than $MAX_DOWN_S s"
[[ "$reason" =~ [Rr]efused ]] || die "web2 DOWN with reason '$reason', want a connection refused"
ok "web2 DOWN in $down_s s (<= $MAX_DOWN_S s), effective out, reason '$reason'"
wait_until 3 dp_state_is "$WEB2_4" maint || die "dataplane has web2 as '$(dp_state "$WEB2_4")', want maint (out)"
ok "the dataplane took web2 out"
all_to web1 "web2 down"
ka_expect long1 web1 "web2 down"
ka_close long1

# === 4. web2's nginx starts again ========================================================
t_start="$EPOCHREALTIME"
nginx_start web2
if ! up_s="$(wait_row "$WEB2_4" '^ready UP serving$' 5)"; then
  die "web2 not UP/serving within 5 s of starting its nginx: $up_s"
fi
up_s="$(elapsed "$t_start")"
log "web2 UP $up_s s after its nginx was started (rise 2)"
le "$up_s" "$MAX_UP_S" || die "web2 came UP after $up_s s, more than $MAX_UP_S s"
ok "web2 UP again in $up_s s (<= $MAX_UP_S s)"
wait_until 3 dp_state_is "$WEB2_4" ready || die "dataplane has web2 as '$(dp_state "$WEB2_4")', want ready"
both_serve "web2 back"

# === 5. drain ============================================================================
ka_open_to long2 web2
ok "keep-alive connection long2 opened through the VIP, held by web2"
out="$(sluicectl_run set backend www "$WEB2_4" state drain 2>&1)" ||
  die "set backend www $WEB2_4 state drain failed: $out"
row="$(backend_row "$WEB2_4")"
[[ "$row" == "drain UP draining" ]] || die "after drain, show backends says '$row' for web2, want 'drain UP draining'"
ok "show backends: web2 admin drain, health UP, effective draining"
wait_until 3 dp_state_is "$WEB2_4" drain || die "dataplane has web2 as '$(dp_state "$WEB2_4")', want drain"
ka_expect long2 web2 "web2 drained"
all_to web1 "web2 drained"
ka_expect long2 web2 "web2 drained, after the new requests"

# === 6. sluiced killed and restarted ====================================================
LOOP_N=40
loop_out="$TOPO_DIR/loop.out"
: >"$loop_out"
(
  for ((i = 0; i < LOOP_N; i++)); do
    www_get "$(vip_url 4)" >>"$loop_out" || true
    sleep 0.1
  done
) &
loop_pid=$!
TOPO_PIDS+=("$loop_pid")
sleep 1
old_pid="$SLUICED_PID"
sluiced_stop KILL || true
kill -0 "$old_pid" 2>/dev/null && die "sluiced survived SIGKILL"
n_kill="$(wc -l <"$loop_out")"
log "sluiced (pid $old_pid) SIGKILLed with the request loop running"
sleep 1
n_restart="$(wc -l <"$loop_out")"
sluiced_start || die "sluiced did not restart"
restart_pid="$SLUICED_PID"
wait "$loop_pid" || true
mapfile -t answers <"$loop_out"
SERVED=() BAD=0
for who in "${answers[@]}"; do
  [[ "$who" == web1 || "$who" == web2 ]] || BAD=$((BAD + 1))
  SERVED[$who]=$((${SERVED[$who]:-0} + 1))
done
((${#answers[@]} == LOOP_N && BAD == 0)) ||
  die "requests across the kill and restart of sluiced: ${#answers[@]} of $LOOP_N done, $BAD failed: $(summary)"
ok "all $LOOP_N requests across the SIGKILL and restart of sluiced succeeded: $(summary)"
((n_restart > n_kill)) || die "no request completed while sluiced was gone (loop too slow?)"
ok "$((n_restart - n_kill)) of them completed while no sluiced was running"
[[ "${SERVED[web1]:-0}" -eq $LOOP_N ]] ||
  die "web2 is drained but took new connections across the restart: $(summary)"
ok "the drain held throughout (all $LOOP_N new connections on web1)"
grep -qE "^www $WEB2_4 drain " "$TOPO_DIR/admin-state" ||
  die "admin-state file has no drain for web2: $(cat "$TOPO_DIR/admin-state")"
t="$(wait_row "$WEB2_4" '^drain UP draining$' 5)" ||
  die "restarted sluiced does not show web2 drain/UP/draining: $t"
ok "restarted sluiced restored the persisted drain (drain, UP, draining)"
wait_until 3 dp_state_is "$WEB2_4" drain || die "dataplane has web2 as '$(dp_state "$WEB2_4")' after the restart, want drain"
wait_until 5 dp_connected ||
  die "restarted sluiced did not reconnect to the dataplane"
ok "restarted sluiced reconnected to the dataplane"
all_to web1 "after the restart, web2 still drained"
ka_expect long2 web2 "across the sluiced restart"
ka_close long2

out="$(sluicectl_run set backend www "$WEB2_4" state ready 2>&1)" || die "set ... state ready failed: $out"
t="$(wait_row "$WEB2_4" '^ready UP serving$' 3)" || die "web2 not ready/UP/serving after state ready: $t"
wait_until 3 dp_state_is "$WEB2_4" ready || die "dataplane has web2 as '$(dp_state "$WEB2_4")', want ready"
both_serve "web2 set ready again"

# === 7. reload ===========================================================================
gen_before="$(info config_generation)"
live_config "$TOPO_DIR/broken.toml"
rc=0
out="$(sluicectl_run reload 2>&1)" || rc=$?
((rc == 1)) || die "sluicectl reload of a broken config exited $rc, want 1: $out"
grep -q '^Error: reload failed' <<<"$out" || die "sluicectl reload of a broken config: no 'Error: reload failed': $out"
grep -qE "sluice\.toml:[0-9]+:[0-9]+: " <<<"$out" || die "sluicectl reload of a broken config: no file:line:column: $out"
ok "sluicectl reload of a broken config refused with file:line:column"
# shellcheck disable=SC2001 # indents every line of a multi-line value
sed 's/^/    /' <<<"$out"
log_lines="$(wc -l <"$SLUICED_LOG")"
kill -HUP "$SLUICED_PID"
wait_until 5 sh -c "tail -n +$((log_lines + 1)) '$SLUICED_LOG' | grep -q 'reload refused'" ||
  die "SIGHUP with a broken config: sluiced logged no 'reload refused'"
hup_out="$(tail -n +"$((log_lines + 1))" "$SLUICED_LOG")"
grep -qE "sluice\.toml:[0-9]+:[0-9]+: " <<<"$hup_out" || die "SIGHUP with a broken config: no file:line:column in the log: $hup_out"
ok "SIGHUP with a broken config refused with file:line:column"
# shellcheck disable=SC2001 # indents every line of a multi-line value
sed 's/^/    /' <<<"$hup_out"
sluiced_alive || die "sluiced died on a broken config"
[[ "$(info config_generation)" == "$gen_before" ]] ||
  die "config generation changed on a refused reload"
[[ "$(backend_row "$WEB2_4")" == "ready UP serving" ]] || die "web2 lost after a refused reload: $(backend_row "$WEB2_4")"
both_serve "after the refused reloads (old config kept)"

live_config "$TOPO_DIR/only-web1.toml"
log_lines="$(wc -l <"$SLUICED_LOG")"
kill -HUP "$SLUICED_PID"
wait_until 5 sh -c "tail -n +$((log_lines + 1)) '$SLUICED_LOG' | grep -q 'generation'" ||
  die "SIGHUP with a valid config: sluiced logged no new generation"
log "sluiced: $(tail -n +"$((log_lines + 1))" "$SLUICED_LOG" | grep generation | head -n 1)"
[[ -z "$(backend_row "$WEB2_4")" ]] || die "web2 still in show backends after a reload without it"
wait_until 3 dp_state_is "$WEB2_4" absent || die "dataplane still has web2 ('$(dp_state "$WEB2_4")') after a reload without it"
ok "SIGHUP with a valid config without web2: sluiced and the dataplane dropped web2"
all_to web1 "web2 removed by reload"

live_config "$TOPO_DIR/both.toml"
out="$(sluicectl_run reload 2>&1)" || die "sluicectl reload of a valid config failed: $out"
grep -q generation <<<"$out" || die "sluicectl reload: unexpected answer: $out"
ok "sluicectl reload with web1+web2: $out"
t="$(wait_row "$WEB2_4" '^ready UP serving$' 5)" || die "web2 not UP/serving after the reload that adds it: $t"
wait_until 3 dp_state_is "$WEB2_4" ready || die "dataplane has web2 as '$(dp_state "$WEB2_4")', want ready"
both_serve "web2 back by reload"

# === 8. privileges =======================================================================
sock="$(sluiced_socket)"
perm="$(stat -c '%a %U %G' "$sock")"
[[ "$perm" == "660 root root" ]] || die "runtime socket is '$perm', want '660 root root'"
ok "runtime socket $sock is 660 root:root"
cp "$SLUICECTL_BIN" "$TOPO_DIR/sluicectl"
chmod 755 "$TOPO_DIR/sluicectl"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$TOPO_DIR/sluicectl" -s "$sock" -t 5 "$@"; }
rc=0
out="$(as_nobody show info 2>&1)" || rc=$?
if ((rc != 2)) || ! grep -q 'Permission denied' <<<"$out"; then
  die "uid 65534 on a root:root 0660 socket: exit $rc, '$out'; want exit 2 and Permission denied"
fi
ok "uid 65534 cannot connect: $out"
chgrp nogroup "$sock"
out="$(as_nobody show backends www 2>&1)" || die "uid 65534 in the socket's group cannot read: $out"
grep -q "$WEB1_4" <<<"$out" || die "uid 65534: show backends gave '$out'"
ok "with the socket's group opened to uid 65534, it can read (show backends)"
for cmd in "set backend www $WEB2_4 state maint" "set backend www $WEB2_4 weight 0" "reload"; do
  rc=0
  # shellcheck disable=SC2086
  out="$(as_nobody $cmd 2>&1)" || rc=$?
  if ((rc != 1)) || [[ "$out" != "Permission denied"* ]]; then
    die "uid 65534: '$cmd' gave exit $rc, '$out'; want exit 1 and Permission denied"
  fi
  ok "uid 65534: '$cmd' -> $out"
done
chgrp root "$sock"
[[ "$(backend_row "$WEB2_4")" == "ready UP serving" ]] ||
  die "a refused set changed web2 anyway: $(backend_row "$WEB2_4")"
ok "refused commands changed nothing"

# === 9. unknown and malformed commands ===================================================
rc=0
out="$(sluicectl_run foo 2>&1)" || rc=$?
((rc == 1)) || die "sluicectl foo exited $rc, want 1: $out"
[[ "$(grep -c . <<<"$out")" -eq 1 && "$out" == "Unknown command"* ]] ||
  die "sluicectl foo: want one 'Unknown command' line, got: $out"
ok "sluicectl foo -> exit 1, '$out'"
# Raw lines on the socket: each malformed one gets exactly one error line, then the
# blank line; the last command (show info) still works on the same connection.
long="$(head -c 5000 /dev/zero | tr '\0' x)"
printf 'foo bar\nshow\nset backend www\nset backend www %s state bogus\nshow backends nosuchvip\n%s\n\001\002\377junk\nshow info\nquit\n' \
  "$WEB2_4" "$long" | timeout 10 socat -t 5 - "UNIX-CONNECT:$sock" >"$TOPO_DIR/raw.out" 2>&1 ||
  die "socat to the runtime socket failed: $(cat "$TOPO_DIR/raw.out")"
"$PY" "$REPO_ROOT/tests/lib/sluiced_raw_answers_check.py" "$TOPO_DIR/raw.out" ||
  die "malformed commands were not answered with one error line each"
ok "7 malformed/unknown command lines: one error line each; show info on the same connection still answered"
sluiced_alive || die "sluiced died on malformed commands"
[[ "$SLUICED_PID" == "$restart_pid" ]] || die "sluiced pid changed"
sluicectl_run show info >/dev/null || die "sluiced stopped answering after malformed commands"
ok "sluiced still running and answering"

if grep -q 'desired state refused' "$SLUICE_LOG"; then
  die "the dataplane refused a desired state from sluiced: $(grep -A3 'desired state refused' "$SLUICE_LOG")"
fi
ok "the dataplane accepted every desired state sluiced sent ($(grep -c 'published (sluiced)' "$SLUICE_LOG" || true) changes applied)"

# === end =================================================================================
sluiced_stop || die "sluiced exited with status $? on SIGTERM"
ok "sluiced stopped cleanly (SIGTERM)"
both_serve "sluiced stopped, dataplane keeps its last state"
sluice_stop || die "sluice-dataplane exited with status $? on SIGTERM"
ok "sluice-dataplane stopped cleanly"
log "failover: nginx stop -> web2 DOWN in $down_s s; nginx start -> web2 UP in $up_s s (interval 0.2 s, timeout 0.15 s, fall 2, rise 2)"
log "PASS in $((SECONDS - T_START)) s"
