# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# Shared helpers for scripts/*.sh and tests/e2e/*.sh. Source it; do not run it.
# Defines REPO_ROOT, BUILD_DIR, SLUICE_BIN, PY (the system python3 with scapy),
# logging (log/ok/fail/die) and a bounded wait (wait_until).

[[ -n "${_SLUICE_COMMON_SH:-}" ]] && return 0
_SLUICE_COMMON_SH=1

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Build directory holding dataplane/runtime/sluice-dataplane; relative to the repo.
BUILD_DIR="${BUILD_DIR:-build}"
[[ "$BUILD_DIR" = /* ]] || BUILD_DIR="$REPO_ROOT/$BUILD_DIR"
SLUICE_BIN="${SLUICE_BIN:-$BUILD_DIR/dataplane/runtime/sluice-dataplane}"
# The python3 first on PATH may be another interpreter without scapy.
# shellcheck disable=SC2034 # read by the scripts and libraries that source this file
PY=/usr/bin/python3

_sl_name="$(basename "${0:-sluice}")"
_sl_name="${_sl_name%.sh}"

log() { printf '[%s] %s\n' "$_sl_name" "$*"; }
ok() { printf '[%s] ok: %s\n' "$_sl_name" "$*"; }
fail() { printf '[%s] FAIL: %s\n' "$_sl_name" "$*" >&2; }
die() {
  fail "$*"
  exit 1
}

require_root() {
  [[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces, DPDK)"
}

# wait_until SECONDS CMD...: run CMD every 0.2 s until it succeeds or SECONDS pass.
wait_until() {
  local secs="$1"
  shift
  local deadline=$((SECONDS + secs))
  while true; do
    "$@" >/dev/null 2>&1 && return 0
    ((SECONDS >= deadline)) && return 1
    sleep 0.2
  done
}

# kill_pid PID [SECONDS]: SIGTERM, wait up to SECONDS (default 5), then SIGKILL.
kill_pid() {
  local pid="$1" secs="${2:-5}" i
  [[ -n "$pid" ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < secs * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# Decimal arithmetic for timings (EPOCHREALTIME stamps): le A B is A <= B; fcalc EXPR
# prints EXPR to 3 places; elapsed T0 [T1] prints T1 (default now) - T0 to 2 places;
# fsub A B prints A - B to 3 places.
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
fcalc() { awk "BEGIN { printf \"%.3f\", $1 }"; }
elapsed() { awk -v a="$1" -v b="${2:-$EPOCHREALTIME}" 'BEGIN { printf "%.2f", b - a }'; }
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }

# wait_for SECONDS CMD...: like wait_until, with a decimal deadline and a 50 ms period.
wait_for() {
  local deadline
  deadline="$(fcalc "$EPOCHREALTIME + $1")"
  shift
  while true; do
    "$@" >/dev/null 2>&1 && return 0
    le "$EPOCHREALTIME" "$deadline" || return 1
    sleep 0.05
  done
}
