#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Coverage-guided fuzzing of the targets in tests/fuzz with clang's libFuzzer, under the
# address and undefined-behaviour sanitizers (scripts/test.sh replays them and fuzzes each
# for 10 s).
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS per target (default 300); TARGET packet_path, control_inputs and/or
# http_listener (default all). Installs clang if it is missing, builds the targets in
# build-fuzz (clang, -Dfuzz=true, ASan/UBSan: scripts/lib/fuzz_build.sh), seeds each corpus from
# tests/fuzz/make_seeds.py and runs one libFuzzer job per CPU. Corpora stay in
# build-fuzz/corpus/TARGET for the next run; an input that fails is written to
# build-fuzz/crashes/ and the script exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/fuzz_build.sh
source scripts/lib/fuzz_build.sh

SECONDS_PER_TARGET=${1:-300}
shift || true
TARGETS=("$@")
((${#TARGETS[@]})) || TARGETS=(packet_path control_inputs http_listener)
BUILD=build-fuzz

if ! command -v clang++ >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang
fi
executables=()
for target in "${TARGETS[@]}"; do executables+=("tests/fuzz/${target}_fuzz"); done
fuzz_build "$BUILD" "${executables[@]}" || exit 1

seeds=$(mktemp -d /tmp/sluice-fuzz-seeds.XXXXXX)
trap 'rm -rf "$seeds"' EXIT
/usr/bin/python3 tests/fuzz/make_seeds.py "$seeds"
mkdir -p "$BUILD/crashes"
status=0
for target in "${TARGETS[@]}"; do
  corpus="$BUILD/corpus/$target"
  mkdir -p "$corpus"
  echo "fuzzing $target for ${SECONDS_PER_TARGET} s on $(nproc) jobs (corpus $corpus)"
  if ! "$BUILD/tests/fuzz/${target}_fuzz" -max_total_time="$SECONDS_PER_TARGET" \
      -jobs="$(nproc)" -workers="$(nproc)" -max_len=9002 -print_final_stats=1 \
      -artifact_prefix="$BUILD/crashes/$target-" "$corpus" "$seeds/$target" \
      >"$BUILD/$target.log" 2>&1; then
    status=1
  fi
  grep -h '^Done' fuzz-*.log 2>/dev/null || true
  rm -f fuzz-*.log
  if compgen -G "$BUILD/crashes/$target-*" >/dev/null; then
    echo "$target: failing inputs in $BUILD/crashes (replay: $BUILD/tests/fuzz/${target}_fuzz FILE)"
    status=1
  fi
done
exit "$status"
