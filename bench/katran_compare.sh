#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# sluice's packet path against Katran's XDP balancer on this machine, per packet, in one
# run: Katran's balancer_ingress under BPF_PROG_TEST_RUN (bench/katran/katran_bench.cc)
# and sluice's pipeline_bench in ipip mode (what Katran does: IPIP to the backend), IPv4,
# for one hot flow, 1M established flows and new flows; ROUNDS alternating launches, the
# median of each printed with sluice's ratio to Katran.
#
#   bench/katran_compare.sh [BUILD_DIR] [ROUNDS]        (as root)
#
# Katran's source: KATRAN_DIR (a checkout of github.com/facebookincubator/katran), or a
# shallow clone into /tmp/sluice-katran made once. Its balancer.bpf.o is built with clang
# and llc as Katran's Makefile-bpf does (default defines). CPU (1): where both run.
set -euo pipefail

BUILD_DIR=${1:-build}
ROUNDS=${2:-3}
CPU=${CPU:-1}
KATRAN_DIR=${KATRAN_DIR:-/tmp/sluice-katran}
WORK=$(mktemp -d /tmp/sluice-katran-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

if [[ ! -f $KATRAN_DIR/katran/lib/bpf/balancer.bpf.c ]]; then
  git clone -q --depth 1 https://github.com/facebookincubator/katran "$KATRAN_DIR"
fi
mkdir -p "$WORK/include"
cp "$KATRAN_DIR"/katran/lib/linux_includes/* "$WORK/include/"
clang -I"$WORK/include" -I"$KATRAN_DIR" -D__KERNEL__ -Wno-unused-value -Wno-pointer-sign \
  -Wno-compare-distinct-pointer-types -O2 -emit-llvm -c -g \
  "$KATRAN_DIR/katran/lib/bpf/balancer.bpf.c" -o - 2>"$WORK/clang.log" |
  llc -march=bpf -filetype=obj -o "$WORK/balancer.bpf.o"
echo "katran $(git -C "$KATRAN_DIR" log -1 --format='%h %cs' 2>/dev/null || echo '(not a git checkout)')"

for round in $(seq "$ROUNDS"); do
  taskset -c "$CPU" "$BUILD_DIR/bench/katran/katran_bench" "$WORK/balancer.bpf.o" "$CPU" \
    >"$WORK/katran.$round"
  taskset -c "$CPU" "$BUILD_DIR/bench/pipeline_bench" \
    --benchmark_filter='^(HotFlow|Established1M|NewFlows)/ipip/ipv4/min' \
    --benchmark_format=json >"$WORK/sluice.$round" 2>/dev/null
done

/usr/bin/python3 - "$WORK" "$ROUNDS" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
katran = {k: [] for k in ("HotFlow", "Established1M", "NewFlows")}
sluice = {k: [] for k in katran}
for r in range(1, rounds + 1):
    for line in open(f"{work}/katran.{r}"):
        name = line.split()[0] if line.split() else ""
        if name in katran:
            katran[name].append(float(line.split()[1]))
    for b in json.load(open(f"{work}/sluice.{r}"))["benchmarks"]:
        sluice[b["name"].split("/")[0]].append(b["pipeline_ns"])
print(f"ns per packet, medians of {rounds}   katran  sluice ipip  sluice/katran")
for k in katran:
    kat, slu = statistics.median(katran[k]), statistics.median(sluice[k])
    print(f"{k:<30} {kat:8.1f} {slu:12.1f} {slu / kat:14.3f}")
PY
