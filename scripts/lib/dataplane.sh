# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# sluice-dataplane of the current lb node (lb_node.sh): start it in the node's namespace
# on net_af_packet over its veth, reload it (SIGHUP), stop it, and wait for the VIP to
# answer through it. Owns SLUICE_PID, SLUICE_CONF, SLUICE_LOG and SLUICE_RELOAD_OUTPUT;
# reads SLUICE_BIN, BUILD_DIR, SLUICE_NODE and SLUICE_SUBDIR.

[[ -n "${_SLUICE_DATAPLANE_SH:-}" ]] && return 0
_SLUICE_DATAPLANE_SH=1
# shellcheck source=scripts/lib/lb_node.sh
source "$(dirname "${BASH_SOURCE[0]}")/lb_node.sh"
# shellcheck source=scripts/lib/telemetry.sh
source "$(dirname "${BASH_SOURCE[0]}")/telemetry.sh"

SLUICE_PID=""
SLUICE_CONF=""       # the live config file: SIGHUP makes the dataplane re-read it
SLUICE_LOG=""
SLUICE_RELOAD_OUTPUT="" # what the dataplane logged after the last sluice_reload

sluice_require_bin() {
  [[ -x "$SLUICE_BIN" ]] || die "sluice-dataplane not found at $SLUICE_BIN (build it: meson setup $BUILD_DIR && ninja -C $BUILD_DIR)"
}

# sluice_start CONFIG: start the dataplane in the lb namespace with a copy of CONFIG
# as its live config; wait (bounded) until its telemetry socket is up.
sluice_start() {
  sluice_require_bin
  SLUICE_CONF="$(sluice_dir)/sluice.toml"
  SLUICE_LOG="$(sluice_dir)/sluice.log"
  cp "$1" "$SLUICE_CONF"
  topo_bg "$SLUICE_NODE" "$SLUICE_LOG" "$SLUICE_BIN" --config "$SLUICE_CONF"
  SLUICE_PID="$TOPO_LAST_PID"
  if ! wait_until 30 test -S "$(sluice_telemetry_socket)"; then
    kill -0 "$SLUICE_PID" 2>/dev/null || {
      fail "sluice-dataplane exited during startup; its log:"
      sed 's/^/    /' "$SLUICE_LOG" >&2
      return 1
    }
    fail "sluice-dataplane (pid $SLUICE_PID) runs but its telemetry socket $(sluice_telemetry_socket) did not appear in 30 s"
    return 1
  fi
  log "sluice-dataplane${SLUICE_SUBDIR:+ in $SLUICE_NODE} up (pid $SLUICE_PID, config $SLUICE_CONF, log $SLUICE_LOG)"
  # Backends are resolved by ARP/ND first (an IPv6 address still in DAD answers nothing);
  # until then new flows' first packets are dropped (neighbor_unresolved).
  wait_until 5 sluice_all_resolved ||
    log "note: some backend MAC still unresolved 5 s after start: $(sluice_telemetry /sluice/neighbors)"
}

sluice_alive() { [[ -n "$SLUICE_PID" ]] && kill -0 "$SLUICE_PID" 2>/dev/null; }

_sluice_log_grew() { (($(wc -l <"$SLUICE_LOG") > $1)); }

# sluice_reload CONFIG: replace the live config with CONFIG and send SIGHUP; wait
# (bounded) until the dataplane has logged something about it.
sluice_reload() {
  sluice_alive || die "sluice_reload: dataplane not running"
  local before
  before="$(wc -l <"$SLUICE_LOG")"
  cp "$1" "$SLUICE_CONF.new" && mv "$SLUICE_CONF.new" "$SLUICE_CONF"
  kill -HUP "$SLUICE_PID"
  wait_until 5 _sluice_log_grew "$before" ||
    log "note: dataplane logged nothing within 5 s of SIGHUP"
  sleep 0.2
  # A backend that (re)appears is resolved by ARP/ND first; until then its new flows'
  # first packets are dropped (neighbor_unresolved) and clients retransmit after 1 s.
  wait_until 5 sluice_all_resolved ||
    log "note: some backend MAC still unresolved 5 s after SIGHUP: $(sluice_telemetry /sluice/neighbors)"
  sluice_alive || die "dataplane died after SIGHUP; log tail: $(tail -n 20 "$SLUICE_LOG")"
  SLUICE_RELOAD_OUTPUT="$(tail -n +"$((before + 1))" "$SLUICE_LOG")"
  log "reloaded; dataplane said:"
  # shellcheck disable=SC2001 # indents every line of a multi-line value
  sed 's/^/    /' <<<"$SLUICE_RELOAD_OUTPUT"
}

# sluice_stop: SIGTERM, wait up to 10 s; returns the dataplane's exit status
# (137 if it had to be killed).
sluice_stop() {
  [[ -n "$SLUICE_PID" ]] || return 0
  local pid="$SLUICE_PID" i rc=0
  SLUICE_PID=""
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    fail "dataplane did not exit within 10 s of SIGTERM; killing it"
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null || rc=$?
  return "$rc"
}

# vip_wait [URL] [SECONDS]: wait until a GET through the VIP succeeds.
vip_wait() {
  local url="${1:-$(vip_url 4)}" secs="${2:-20}"
  local deadline=$((SECONDS + secs))
  while ((SECONDS < deadline)); do
    www_get "$url" >/dev/null && return 0
    sluice_alive || {
      fail "dataplane exited; log tail:"
      tail -n 20 "$SLUICE_LOG" | sed 's/^/    /' >&2
      return 1
    }
    sleep 0.5
  done
  fail "$url did not answer within $secs s"
  return 1
}
