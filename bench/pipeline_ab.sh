#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# A/B of two pipeline_bench binaries on a noisy host.
#
#   bench/pipeline_ab.sh BASE_BENCH NEW_BENCH [FILTER] [ROUNDS]
#
# e.g. bench/pipeline_ab.sh /tmp/pipeline_bench.before build/bench/pipeline_bench \
#          '^(Established1M|HotFlow)/' 4
#
# On a shared VM the same binary moves by 10-20% from one process launch to the next, so
# absolute figures taken at different times do not compare. This alternates one launch of
# each binary, ROUNDS (4) times, every launch pinned to the last CPU with 3 repetitions, and
# prints per benchmark the least-disturbed sample and the median of pipeline_ns (ns per
# packet). Needs /usr/bin/python3 and taskset.
set -euo pipefail

[[ $# -ge 2 ]] || { sed -n '4,14p' "$0" >&2; exit 2; }
BASE=$1
NEW=$2
FILTER=${3:-'^(Established1M|NewFlows|HotFlow)/'}
ROUNDS=${4:-4}
for b in "$BASE" "$NEW"; do [[ -x $b ]] || { echo "pipeline_ab.sh: $b is not executable" >&2; exit 2; }; done
CPU=$(( $(nproc) - 1 ))
OUT=$(mktemp -d /tmp/pipeline-ab.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

for r in $(seq "$ROUNDS"); do
  for side in base new; do
    bin=$BASE
    [[ $side = new ]] && bin=$NEW
    timeout 1800 taskset -c "$CPU" "$bin" --benchmark_filter="$FILTER" --benchmark_repetitions=3 \
      --benchmark_format=json > "$OUT/$side.$r.json" 2>/dev/null
  done
done

/usr/bin/python3 "$(dirname "$0")/pipeline_ab_table.py" "$OUT"
