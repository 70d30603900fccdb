#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: configuration reload (SIGHUP) with a connection open.
#
#   0. sluice with web1+web2 behind VIP:80 (nginx) and VIP:7000 (socat echo servers
#      that greet with their name). A long-lived TCP connection to VIP:7000 is opened
#      from the client; its greeting says which backend (B) holds it, the other is O.
#   1. SIGHUP with a config without O: every new HTTP request and new echo connection
#      goes to B, and the long-lived connection still echoes.
#   2. SIGHUP with a broken config: the dataplane stays up with the previous state
#      (new connections still all to B, the long-lived connection still echoes).
#   3. SIGHUP with a config with only O (B removed): new connections all go to O.
#      What then happens to the long-lived connection (pinned to a removed backend) is
#      reported, not checked.
#
#   BUILD_DIR=build-x tests/e2e/e2e_reload.sh
set -euo pipefail
# shellcheck source=scripts/lib/netns.sh
source "$(dirname "$0")/../../scripts/lib/netns.sh"
# shellcheck source=scripts/lib/config.sh
source "$(dirname "$0")/../../scripts/lib/config.sh"
# shellcheck source=scripts/lib/telemetry.sh
source "$(dirname "$0")/../../scripts/lib/telemetry.sh"
# shellcheck source=scripts/lib/dataplane.sh
source "$(dirname "$0")/../../scripts/lib/dataplane.sh"
# shellcheck source=scripts/lib/e2e.sh
source "$(dirname "$0")/../../scripts/lib/e2e.sh"

PROBES="${PROBES:-20}"
export SLUICE_ECHO_VIP=1

require_root
sluice_require_bin
e2e_traps

topo_up
echo_start web1 "$ECHO_PORT"
echo_start web2 "$ECHO_PORT"
topo_check_direct || die "topology broken before sluice even starts"
ok "client reaches web1 and web2 directly"

sluice_config web1 web2 >"$TOPO_DIR/both.toml"
sluice_start "$TOPO_DIR/both.toml"
vip_wait "$(vip_url 4)" 20 || die "VIP never answered"
ok "VIP answers with web1+web2"

# echo_greeting: open a new connection to VIP:ECHO_PORT, print the greeting (the
# backend's name) and close.
echo_greeting() {
  in_ns client timeout 3 socat -T 2 - "TCP:$VIP4:$ECHO_PORT,connect-timeout=1" </dev/null 2>/dev/null |
    head -n 1 || true
}

# probe_all_to WANT WHAT: PROBES new HTTP requests and PROBES/4 new echo connections
# must all reach WANT.
probe_all_to() {
  local want="$1" what="$2" i who bad=0 seen=""
  for ((i = 0; i < PROBES; i++)); do
    who="$(www_get "$(vip_url 4)")" || true
    [[ "$who" == "$want" ]] || { bad=$((bad + 1)); seen+=" http:$who"; }
  done
  for ((i = 0; i < PROBES / 4; i++)); do
    who="$(echo_greeting)"
    [[ "$who" == "$want" ]] || { bad=$((bad + 1)); seen+=" echo:${who:-none}"; }
  done
  ((bad == 0)) || die "$what: $bad of $((PROBES + PROBES / 4)) new connections not served by $want:$seen"
  ok "$what: $PROBES new HTTP requests and $((PROBES / 4)) new echo connections all served by $want"
}

# --- the long-lived connection ------------------------------------------------------
coproc LONG { exec ip netns exec "$(ns_name client)" socat -T 120 - "TCP:$VIP4:$ECHO_PORT,connect-timeout=2" 2>&1; }
TOPO_PIDS+=("$LONG_PID")
LONG_IN="${LONG[1]}" LONG_OUT="${LONG[0]}"
read -r -t 5 B <&"$LONG_OUT" || die "long-lived connection to $VIP4:$ECHO_PORT got no greeting"
case "$B" in
web1) O=web2 ;;
web2) O=web1 ;;
*) die "long-lived connection greeted with '$B', want web1 or web2" ;;
esac
ok "long-lived connection to $VIP4:$ECHO_PORT is held by $B (the other backend is $O)"

# long_echo WORD: send WORD on the long-lived connection, expect it back within 3 s.
long_echo() {
  local got=""
  printf '%s\n' "$1" 1>&"$LONG_IN" 2>/dev/null || return 1
  read -r -t 3 got <&"$LONG_OUT" || return 1
  [[ "$got" == "$1" ]]
}
long_echo "before-reload" || die "long-lived connection does not echo even before any reload"
ok "long-lived connection echoes"

# --- 1. remove O ------------------------------------------------------------------------
sluice_config "$B" >"$TOPO_DIR/only-$B.toml"
log "reload 1: SIGHUP with only $B (removes $O)"
sluice_reload "$TOPO_DIR/only-$B.toml"
probe_all_to "$B" "after removing $O"
long_echo "after-reload-1" || die "long-lived connection to $B broken by removing $O"
ok "long-lived connection to $B still echoes after removing $O"

# --- 2. broken config ---------------------------------------------------------------
{
  sluice_config "$O"
  printf '\n[[vip]]\nname = "broken"\naddress = "not-an-address"\nport = 99999\n'
} >"$TOPO_DIR/broken.toml"
log "reload 2: SIGHUP with an invalid config (bad address, port out of range)"
sluice_reload "$TOPO_DIR/broken.toml"
sluice_alive || die "dataplane died on an invalid config"
grep -q "sluice.toml:[0-9]*:[0-9]*" <<<"$SLUICE_RELOAD_OUTPUT" ||
  die "the dataplane did not report the invalid config with file:line:column"
ok "the dataplane reported the invalid config with file:line:column"
probe_all_to "$B" "after the invalid config"
long_echo "after-reload-2" || die "long-lived connection broken by an invalid config"
ok "invalid config rejected, previous state kept"

# --- 3. remove B ------------------------------------------------------------------------
sluice_config "$O" >"$TOPO_DIR/only-$O.toml"
log "reload 3: SIGHUP with only $O (removes $B, the long-lived connection's backend)"
resched_before="$(stat_get flow_rescheduled)"
sluice_reload "$TOPO_DIR/only-$O.toml"
probe_all_to "$O" "after removing $B"
if long_echo "after-reload-3"; then
  log "info: the long-lived connection still echoes after its backend $B was removed"
else
  log "info: the long-lived connection stopped working after its backend $B was removed"
fi
log "info: flow_rescheduled moved by $(($(stat_get flow_rescheduled) - resched_before))"

sluice_stop || die "sluice-dataplane exited with status $? on SIGTERM"
ok "sluice-dataplane stopped cleanly"
log "PASS"
