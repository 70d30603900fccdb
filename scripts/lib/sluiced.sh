# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# sluiced, the control-plane daemon, of the current lb node (lb_node.sh): start it next
# to the dataplane on the same config, talk to it with sluicectl, stop it; give the
# node's kernel the address sluiced's health checks leave from (LB_KERNEL4). Owns
# SLUICED_BIN, SLUICECTL_BIN, SLUICED_PID and SLUICED_LOG; reads BUILD_DIR, SLUICE_CONF
# (the dataplane's live config, sluiced's default), SLUICE_NODE, SLUICE_SUBDIR, LB_IFACE,
# LB_KERNEL4.

[[ -n "${_SLUICE_SLUICED_SH:-}" ]] && return 0
_SLUICE_SLUICED_SH=1
# shellcheck source=scripts/lib/dataplane.sh
source "$(dirname "${BASH_SOURCE[0]}")/dataplane.sh"

SLUICED_BIN="${SLUICED_BIN:-$BUILD_DIR/controlplane/sluiced/sluiced}"
SLUICECTL_BIN="${SLUICECTL_BIN:-$BUILD_DIR/controlplane/api/sluicectl}"
SLUICED_PID=""
SLUICED_LOG=""

sluiced_require_bin() {
  [[ -x "$SLUICED_BIN" && -x "$SLUICECTL_BIN" ]] ||
    die "sluiced/sluicectl not found under $BUILD_DIR/controlplane (build: meson setup $BUILD_DIR && ninja -C $BUILD_DIR)"
}

# sluiced_socket: the runtime API socket of the run (SLUICED_CONTROLPLANE=1 configs).
sluiced_socket() { echo "$(sluice_dir)/sluiced.sock"; }

# lb_kernel_address: give the lb namespace's kernel LB_KERNEL4 on the veth (with
# lb_use lb2: lb2's kernel LB2_KERNEL4).
lb_kernel_address() {
  in_ns "$SLUICE_NODE" ip addr add "$LB_KERNEL4/$NET4_PREFIX" dev "$LB_IFACE" ||
    die "cannot add $LB_KERNEL4 to the $SLUICE_NODE namespace"
}

# sluicectl_run ARGS...: sluicectl against the run's sluiced (5 s answer timeout).
sluicectl_run() { "$SLUICECTL_BIN" -s "$(sluiced_socket)" -t 5 "$@"; }

sluiced_alive() { [[ -n "$SLUICED_PID" ]] && kill -0 "$SLUICED_PID" 2>/dev/null; }

# sluiced_start [CONFIG]: start sluiced in the lb namespace on CONFIG (default: the
# dataplane's live config, SLUICE_CONF, so both read the same file); its log is
# appended to TOPO_DIR/sluiced.log. Waits (bounded) until the runtime API answers.
# shellcheck disable=SC2120 # CONFIG is optional
sluiced_start() {
  sluiced_require_bin
  local conf="${1:-$SLUICE_CONF}" deadline=$((SECONDS + 15))
  SLUICED_LOG="$(sluice_dir)/sluiced.log"
  ip netns exec "$(ns_name "$SLUICE_NODE")" "$SLUICED_BIN" --config "$conf" >>"$SLUICED_LOG" 2>&1 </dev/null &
  SLUICED_PID=$!
  TOPO_PIDS+=("$SLUICED_PID")
  while ! sluicectl_run show info >/dev/null 2>&1; do
    if ! sluiced_alive; then
      fail "sluiced exited during startup; its log:"
      tail -n 20 "$SLUICED_LOG" | sed 's/^/    /' >&2
      return 1
    fi
    if ((SECONDS >= deadline)); then
      fail "sluiced (pid $SLUICED_PID) did not answer on $(sluiced_socket) within 15 s"
      return 1
    fi
    sleep 0.1
  done
  log "sluiced${SLUICE_SUBDIR:+ in $SLUICE_NODE} up (pid $SLUICED_PID, config $conf, log $SLUICED_LOG)"
}

# sluiced_stop [SIGNAL]: send SIGNAL (default TERM), wait up to 10 s (then SIGKILL);
# returns sluiced's exit status.
# shellcheck disable=SC2120 # SIGNAL is optional
sluiced_stop() {
  [[ -n "$SLUICED_PID" ]] || return 0
  local pid="$SLUICED_PID" sig="${1:-TERM}" i rc=0
  SLUICED_PID=""
  # stderr off while it dies: bash would report a killed job ("Killed ...") there
  {
    kill -"$sig" "$pid" || true
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" || break
      sleep 0.1
    done
  } 2>/dev/null
  if kill -0 "$pid" 2>/dev/null; then
    fail "sluiced did not exit within 10 s of SIG$sig; killing it"
    kill -KILL "$pid" 2>/dev/null
  fi
  { wait "$pid" || rc=$?; } 2>/dev/null
  return "$rc"
}
