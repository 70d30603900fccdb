# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# The end of an e2e run: e2e_traps installs e2e_cleanup on EXIT (and exits on SIGTERM /
# SIGINT), which stops sluiced and the dataplane of every lb node lb_use touched, shows
# their log tails if the run failed, and tears the topology down (topo_down). Reads the
# pids and logs of dataplane.sh and sluiced.sh, and _LB_SAVED of lb2.sh.

[[ -n "${_SLUICE_E2E_SH:-}" ]] && return 0
_SLUICE_E2E_SH=1
# shellcheck source=scripts/lib/lb2.sh
source "$(dirname "${BASH_SOURCE[0]}")/lb2.sh"

# _e2e_stop_node RC: stop the current lb node's sluiced and dataplane; with RC != 0,
# show their log tails.
_e2e_stop_node() {
  local rc="$1"
  if [[ -n "$SLUICED_PID" ]]; then
    sluiced_stop
    if ((rc != 0)) && [[ -s "$SLUICED_LOG" ]]; then
      log "sluiced log tail ($SLUICED_LOG):"
      tail -n 30 "$SLUICED_LOG" | sed 's/^/    /'
    fi
  fi
  if [[ -n "$SLUICE_PID" ]]; then
    sluice_stop
    if ((rc != 0)) && [[ -s "$SLUICE_LOG" ]]; then
      log "dataplane log tail ($SLUICE_LOG):"
      tail -n 30 "$SLUICE_LOG" | sed 's/^/    /'
    fi
  fi
}

# e2e_cleanup: for `trap e2e_cleanup EXIT`: stop sluiced and the dataplane (of every lb
# node lb_use touched: lb, lb2, lb3), tear the topology down, keep the script's exit
# status.
e2e_cleanup() {
  local rc=$?
  set +e
  if ((${#_LB_SAVED[@]} > 0)); then
    lb_use lb2
    _e2e_stop_node "$rc"
    if [[ -n "${_LB_SAVED[lb3.SLUICE_SUBDIR]+set}" ]]; then
      lb_use lb3
      _e2e_stop_node "$rc"
    fi
    lb_use lb
  fi
  _e2e_stop_node "$rc"
  topo_down "$rc"
}

# e2e_traps: clean up on every exit, including SIGTERM (timeout) and SIGINT.
e2e_traps() {
  trap e2e_cleanup EXIT
  trap 'exit 143' TERM
  trap 'exit 130' INT
}
