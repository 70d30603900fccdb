#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The project's test command (run as root, fresh Debian 12 is fine):
#   1. scripts/setup.sh            packages, hugepages, bpffs
#   2. meson setup + ninja         release build in $BUILD_DIR (default: build)
#   3. meson test                  unit, fixture and other registered suites
#   4. tests/e2e/e2e_*.sh          network-namespace end-to-end tests, one by one
# and ends with one line "N passed, M failed" (meson tests + e2e scripts; a failed
# setup or build counts as one failure). Exit status 0 only if nothing failed.
#
#   BUILD_DIR=build-x scripts/test.sh     build and test elsewhere
#   E2E_TIMEOUT=300                       seconds allowed per e2e script
#   SKIP_E2E=1                            only setup, build and meson test
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib/fuzz_build.sh
source scripts/lib/fuzz_build.sh

BUILD_DIR="${BUILD_DIR:-build}"
FUZZ_BUILD_DIR="${FUZZ_BUILD_DIR:-build-fuzz}"
E2E_TIMEOUT="${E2E_TIMEOUT:-300}"
export BUILD_DIR

passed=0
failed=0
failures=()
section() { printf '\n===== %s\n' "$*"; }

summary() {
  section "summary"
  if ((${#failures[@]} > 0)); then
    printf 'failed: %s\n' "${failures[@]}"
  fi
  printf '%d passed, %d failed\n' "$passed" "$failed"
  ((failed == 0))
  exit $?
}

if [[ $(id -u) -ne 0 ]]; then
  echo "scripts/test.sh must run as root (packages, hugepages, network namespaces)" >&2
  exit 1
fi

section "setup"
if ! bash scripts/setup.sh; then
  failed=$((failed + 1))
  failures+=("setup")
  summary
fi

section "build ($BUILD_DIR)"
if [[ -d "$BUILD_DIR/meson-info" ]]; then
  meson_cmd=(meson setup --reconfigure "$BUILD_DIR" --buildtype=release)
else
  meson_cmd=(meson setup "$BUILD_DIR" --buildtype=release)
fi
echo "+ ${meson_cmd[*]}"
if ! "${meson_cmd[@]}" >"/tmp/sluice-meson-setup.$$.log" 2>&1; then
  cat "/tmp/sluice-meson-setup.$$.log"
  rm -f "/tmp/sluice-meson-setup.$$.log"
  failed=$((failed + 1))
  failures+=("meson setup")
  summary
fi
tail -n 3 "/tmp/sluice-meson-setup.$$.log"
rm -f "/tmp/sluice-meson-setup.$$.log"
echo "+ ninja -C $BUILD_DIR"
if ! ninja -C "$BUILD_DIR"; then
  failed=$((failed + 1))
  failures+=("build")
  summary
fi

# Runs `meson test` in build directory $1 (further arguments go to meson test) and counts
# its results from meson's own log, one JSON object per test.
run_meson_tests() {
  local dir="$1"
  shift
  meson test -C "$dir" --print-errorlogs "$@"
  local rc=$? testlog="$dir/meson-logs/testlog.json"
  if [[ -s "$testlog" ]]; then
    local counts m_ok m_bad m_skip m_names m_failed
    counts="$(/usr/bin/python3 tests/lib/meson_tests.py counts "$testlog")"
    read -r m_ok m_bad m_skip m_names <<<"$counts"
    passed=$((passed + m_ok))
    failed=$((failed + m_bad))
    if [[ -n "${m_names:-}" ]]; then
      read -r -a m_failed <<<"$m_names"
      failures+=("${m_failed[@]}")
    fi
    echo "meson test ($dir): $m_ok passed, $m_bad failed, $m_skip skipped"
    if ((rc != 0 && m_bad == 0)); then
      failed=$((failed + 1))
      failures+=("meson test $dir (exit $rc)")
    fi
  elif ((rc != 0)); then
    failed=$((failed + 1))
    failures+=("meson test $dir (exit $rc, no test log)")
  fi
}

section "meson test"
run_meson_tests "$BUILD_DIR"

# The fuzz targets need clang (libFuzzer) and the sanitizers on every library they link:
# a second build of just them, replayed on their seeds and mutations, then fuzzed briefly.
section "fuzz targets ($FUZZ_BUILD_DIR: clang, ASan/UBSan, libFuzzer)"
if fuzz_build "$FUZZ_BUILD_DIR"; then
  run_meson_tests "$FUZZ_BUILD_DIR" --suite fuzz --no-rebuild
else
  failed=$((failed + 1))
  failures+=("fuzz build")
fi

if [[ -n "${SKIP_E2E:-}" ]]; then
  summary
fi

section "end-to-end (network namespaces)"
# Scripts that tests/meson.build already runs were counted above.
registered="$(meson introspect --tests "$BUILD_DIR" 2>/dev/null |
  /usr/bin/python3 tests/lib/meson_tests.py e2e-scripts 2>/dev/null || true)"
logdir="$BUILD_DIR/e2e-logs"
mkdir -p "$logdir"
for script in tests/e2e/e2e_*.sh; do
  [[ -f "$script" ]] || continue
  name="$(basename "$script" .sh)"
  if grep -qx "$name.sh" <<<"$registered"; then
    echo "--- $name: run by meson test, not again"
    continue
  fi
  echo "--- $name"
  # The script's namespaces, DPDK prefix and run directory are named after TOPO_ID;
  # only those are checked for leftovers (other runs may share the machine).
  n_e2e=$((${n_e2e:-0} + 1))
  export TOPO_ID="t$$-$n_e2e"
  start=$SECONDS
  timeout -k 15 "$E2E_TIMEOUT" bash "$script" 2>&1 | tee "$logdir/$name.log"
  rc=${PIPESTATUS[0]}
  took=$((SECONDS - start))
  leaked="$(ip netns list | awk -v p="$TOPO_ID-" 'index($1, p) == 1 {print $1}')"
  if [[ -n "$leaked" ]]; then
    echo "--- $name left namespaces behind: ${leaked//$'\n'/ }; removing them"
    for ns in $leaked; do
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
      ip netns del "$ns" 2>/dev/null
    done
    ((rc == 0)) && rc=1
  fi
  if compgen -G "/dev/hugepages/${TOPO_ID}map_*" >/dev/null; then
    echo "--- $name left hugepage files behind; removing them"
    rm -f /dev/hugepages/"${TOPO_ID}"map_*
    ((rc == 0)) && rc=1
  fi
  if ((rc == 0)); then
    echo "--- $name: PASS (${took} s)"
    passed=$((passed + 1))
  else
    ((rc == 124)) && echo "--- $name: timed out after $E2E_TIMEOUT s"
    echo "--- $name: FAIL (exit $rc, ${took} s; log $logdir/$name.log)"
    failed=$((failed + 1))
    failures+=("e2e:$name")
  fi
done

summary
