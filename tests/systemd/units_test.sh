#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# configs/systemd/*.service.in, with @BINDIR@ pointing at this build's binaries, must pass
# `systemd-analyze verify` without a single message (it exits 0 on many warnings, so any
# output fails the test), and a unit whose binary is missing must be reported.
#   units_test.sh UNITS_SRC_DIR SLUICE_DATAPLANE SLUICED
set -euo pipefail
src="$1" dataplane="$(realpath "$2")" sluiced="$(realpath "$3")"
command -v systemd-analyze >/dev/null || { echo "systemd-analyze not installed: skipped"; exit 77; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin" "$work/units" "$work/broken"
ln -s "$dataplane" "$work/bin/sluice-dataplane"
ln -s "$sluiced" "$work/bin/sluiced"
units=()
for in in "$src"/*.service.in; do
  unit="$(basename "$in" .in)"
  sed "s|@BINDIR@|$work/bin|g" "$in" >"$work/units/$unit"
  sed "s|@BINDIR@|$work/missing|g" "$in" >"$work/broken/$unit"
  units+=("$unit")
done
[[ ${#units[@]} -eq 2 ]] || { echo "expected 2 units, found: ${units[*]}"; exit 1; }

cd "$work/units"
out="$(systemd-analyze verify --man=no "${units[@]/#/./}" 2>&1)" || true
if [[ -n "$out" ]]; then
  echo "systemd-analyze verify reported:"
  echo "$out"
  exit 1
fi
echo "ok: ${units[*]} verify cleanly"

cd "$work/broken"
out="$(systemd-analyze verify --man=no "${units[@]/#/./}" 2>&1)" || true
for unit in "${units[@]}"; do
  grep -q "$unit.*$work/missing/.* is not executable" <<<"$out" || {
    echo "a unit with a missing binary was not reported for $unit:"
    echo "$out"
    exit 1
  }
done
echo "ok: a missing binary is reported for every unit"
