#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Packet rate of one sluice worker lcore against the cost of merely moving packets.
#
#   bench/packet_rate.sh [BUILD_DIR]      (default: build; needs root, DPDK, scapy)
#
# pcap scenarios (est*, syn*, synflood*). Both programs get exactly the same device: one
# net_pcap vdev that replays a capture forever (rx_pcap=FILE,infinite_rx=1) and, having no
# tx_pcap/tx_iface, drops what is transmitted on it (the PMD frees the mbufs and counts
# them as sent). No pcap write, no second port: both sides pay the same RX copy out of the
# capture and the same free on TX.
#   baseline  dpdk-testpmd, io forwarding, --port-topology=loop (RX port = TX port)
#   sluice    sluice-dataplane, the same vdev as its only port (it transmits out of the
#             port it received on), one VIP per family with 100 backends, static neighbors
# Lcores: main 0 + one forwarding/worker lcore 1 for both; --no-huge -m 2048.
#   est4, est6     65536 distinct TCP ACK tuples, one packet per flow per pass, flow table
#                  of the default 1M
#   syn4, syn6     262144 distinct SYNs; flow table of 16K, so every SYN misses and replaces
#                  the stalest half-open flow: the steady state of a sustained new-flow rate
#   est1m4, est1m6 1048576 distinct TCP ACK tuples (1M active flows), flow table of 4M;
#                  the replay holds every frame in an mbuf, so both programs get ~6 GB
#   synflood4, synflood6
#                  32768 established flows (ACKs) then 262144 SYNs, per pass; flow table of
#                  16K, so the ACKs fill it with established flows and the SYNs find it
#                  full. Also printed: how many established flows hit the table per pass
#                  (constant if none is ever displaced) and the SYNs' refused inserts.
#   est4x2         est4 with two sluice workers on the one-queue device (flow handoff):
#                  worker lcore 1 (CPU 1) receives and sends everything and hands every
#                  frame to worker lcore 2 (CPU 0, beside the sleeping main lcore), which
#                  owns the flows. testpmd keeps one core: compare sluice's rate with
#                  est4's. busy adds both workers; drops are frames the owner's full ring
#                  refused (handoff_full).
# Rates come from DPDK telemetry sampled twice DURATION seconds apart after WARMUP seconds:
# /ethdev/stats,0 opackets for testpmd, /sluice/stats tx_packets for sluice. "busy" is the
# share of the sample sluice's worker spent in polls that received packets (busy_cycles
# over tsc_hz): under 100% means the traffic source, not sluice, set the rate.
#
# memif scenarios (memif4/MODE). A generator feeds the device under test over net_memif:
#   generator  dpdk-testpmd --forward-mode=txonly --txonly-multi-flow, memif client in
#              zero-copy mode (its mbufs are the shared buffers: no copy on its side, which
#              took it from 15 to 26-38 Mpps). 64-byte UDP 198.18.X.101:9 -> 198.18.0.100:9:
#              in DPDK 22.11 multi-flow varies only the source address, (dst | X << 8) +
#              lcore id for X = 0..255, so there are 256 flows.
#   DUT        memif server; in turn dpdk-testpmd io forwarding (baseline) and
#              sluice-dataplane with a UDP VIP 198.18.0.100:9 in MODE.
# Lcores (2 CPUs): CPU 1 runs the generator's TX lcore (its main lcore 0 sleeps on CPU 0);
# CPU 0 runs the DUT's forwarding/worker lcore 0, its main lcore 1 (sleeping) on CPU 1.
# txonly never reads its RX ring, so once the DUT has sent one ring (1024 frames) every
# DUT transmit finds the return ring full and the PMD refuses it; both DUTs pay that alike.
# So the DUT rate is frames received and handed to TX: ipackets for testpmd io, which
# hands every frame to TX, and the `forwarded` counter for sluice. All three processes are
# sampled over the same window. Even so, testpmd io outruns the one-core generator: its
# rate is the generator's (VERBOSE=1 prints testpmd's RX burst sizes, mostly empty polls),
# so the memif ratio compares sluice with the generator's ceiling, an upper bound of the
# true ratio. The generator's rate is bimodal from launch to launch (about 10 or 26-38
# Mpps, with both vCPUs' placement on the host as the likely cause): VERBOSE=1 prints every
# run.
#
# ext scenarios (ext/MODE): a real NIC, or any device, fed by your own generator
# (pktgen-dpdk, TRex, a hardware tester), which this script neither starts nor stops.
#   DEVICE     the DPDK device both programs open in turn: a PCI address bound to vfio-pci
#              (0000:3b:00.0) or a vdev string. Required; no default.
#   EXT_VIP, EXT_VIP6, EXT_PROTO, EXT_PORT
#              the destinations the generator sends to (default 198.18.0.100 and
#              fd00::100, udp, 9: what `dpdk-testpmd --forward-mode=txonly` sends), sluice's
#              two VIPs in MODE with 100 backends each behind static neighbors. Send from many source addresses or ports:
#              a NIC's RSS and sluice's flow table both work per flow. Any destination MAC
#              does: both programs run the port promiscuous.
#   HUGEPAGES  1 to run both programs on hugepages (2 GB each; a PCI NIC needs them for
#              DMA); the default is --no-huge, as for the vdevs above.
# Lcores as for pcap: main 0, one forwarding/worker lcore 1, one RX/TX queue pair. The
# baseline is testpmd io forwarding (--port-topology=loop, back out of the same port), so
# the generator's port gets back what it sent, MACs unchanged for testpmd and rewritten
# by sluice. Printed: each program's forwarded Mpps (the port's opackets), what the port
# was offered (ipackets + imissed: the NIC dropped the difference) and sluice's busy share.
# If testpmd forwards all it is offered, the generator, not testpmd, set the baseline.
#
# Each measurement runs REPEAT times; the median is printed.
# Environment: DURATION (5), WARMUP (3), REPEAT (3), EST_FLOW_TABLE (flow_table_size of the
# established scenarios, 1048576), PCAP_DIR (/tmp/sluice-rate-pcaps, generated once with
# /usr/bin/python3 + scapy), SCENARIOS (default: all below; e.g. "est4/dsr-l2 memif4/gue").
# Every process is bounded by timeout. Leaves no process, and removes its DPDK runtime
# directories, memif socket and hugepage files.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
BUILD=${1:-build}
[[ $BUILD = /* ]] || BUILD="$ROOT/$BUILD"
SLUICE="$BUILD/dataplane/runtime/sluice-dataplane"
TESTPMD=${TESTPMD:-dpdk-testpmd}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-3}
REPEAT=${REPEAT:-3}
PCAP_DIR=${PCAP_DIR:-/tmp/sluice-rate-pcaps}
PREFIX="slrate$$"
GEN_PREFIX="slrategen$$"
RUNDIR="/var/run/dpdk/$PREFIX"
GEN_RUNDIR="/var/run/dpdk/$GEN_PREFIX"
SOCK="$RUNDIR/dpdk_telemetry.v2"
GEN_SOCK="$GEN_RUNDIR/dpdk_telemetry.v2"
WORK=$(mktemp -d /tmp/sluice-rate.XXXXXX)
[[ -n ${KEEP_LOGS:-} ]] && echo "logs in $WORK" >&2
MEMIF_SOCK="$WORK/memif.sock"
ALL_SCENARIOS="est4/dsr-l2 est4/ipip est4/gue est6/dsr-l2 est6/ipip est6/gue
               syn4/dsr-l2 syn4/ipip syn4/gue syn6/dsr-l2 syn6/ipip syn6/gue
               synflood4/dsr-l2 synflood4/ipip synflood4/gue
               synflood6/dsr-l2 synflood6/ipip synflood6/gue
               est1m4/dsr-l2 est1m4/ipip est1m4/gue est1m6/dsr-l2 est1m6/ipip est1m6/gue
               est4x2/dsr-l2 memif4/dsr-l2 memif4/ipip memif4/gue"
SCENARIOS=${SCENARIOS:-$ALL_SCENARIOS}
DEVICE=${DEVICE:-}
EXT_VIP=${EXT_VIP:-198.18.0.100}
EXT_VIP6=${EXT_VIP6:-fd00::100}
EXT_PROTO=${EXT_PROTO:-udp}
EXT_PORT=${EXT_PORT:-9}
HUGEPAGES=${HUGEPAGES:-}
RUN_LIMIT=$((WARMUP + DURATION + 90))  # hard bound on one process, startup included

die() { echo "packet_rate.sh: $*" >&2; exit 1; }
[[ $(id -u) = 0 ]] || die "needs root (DPDK runtime directory, telemetry socket)"
[[ -x $SLUICE ]] || die "$SLUICE not built (meson setup $BUILD && ninja -C $BUILD)"
command -v "$TESTPMD" >/dev/null || die "$TESTPMD not found (apt-get install dpdk)"
/usr/bin/python3 -c 'import scapy' 2>/dev/null || die "/usr/bin/python3 has no scapy (apt-get install python3-scapy)"

CHILDREN=()
CHILD_NAMES=()
# Stops the processes started last first (a memif DUT before its generator).
stop_children() {
  local k pid
  for ((k = ${#CHILDREN[@]} - 1; k >= 0; k--)); do
    pid=${CHILDREN[k]}
    kill -INT "$pid" 2>/dev/null || true
    for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
    local rc=0
    wait "$pid" 2>/dev/null || rc=$?
    # 130: stopped by the SIGINT above. Anything else after the sample is only reported.
    ((rc == 0 || rc == 130)) || echo "packet_rate.sh: note: ${CHILD_NAMES[k]} exited with status $rc while stopping" >&2
  done
  CHILDREN=()
  CHILD_NAMES=()
  rm -rf "$RUNDIR" "$GEN_RUNDIR"
  rm -f "$MEMIF_SOCK"
}
cleanup() {
  stop_children
  [[ -n ${KEEP_LOGS:-} ]] || rm -rf "$WORK"
  rm -f /dev/hugepages/"$PREFIX"map_* /dev/hugepages/"$GEN_PREFIX"map_* 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[[ " $SCENARIOS " != *" ext/"* || -n $DEVICE ]] ||
  die "ext scenarios need DEVICE (a PCI address or a vdev string) and a generator sending to it"

/usr/bin/python3 "$HERE/rate/make_pcaps.py" "$PCAP_DIR"

# packets in a capture: file size minus the 24-byte header, over the fixed record size
packets_in() {
  local size frame
  size=$(stat -c %s "$1")
  case $(basename "$1") in *4.pcap) frame=60 ;; *) frame=74 ;; esac
  echo $(((size - 24) / (16 + frame)))
}

# Starts "$@" in the background (bounded by timeout) and waits until its telemetry socket
# SOCKET exists and its log LOG says it forwards.
start() {
  local socket=$1 log=$2
  shift 2
  timeout -k 5 "$RUN_LIMIT" "$@" >"$log" 2>&1 </dev/null &
  CHILDREN+=($!)
  CHILD_NAMES+=("$(basename "$1")")
  local pid=$! waited=0
  until [[ -S $socket ]] && grep -qE "running|Press enter|Start automatic|stats-period|Port statistics" "$log"; do
    sleep 0.5
    waited=$((waited + 1))
    if ! kill -0 "$pid" 2>/dev/null || ((waited > 120)); then
      cat "$log" >&2
      die "process did not start: $*"
    fi
  done
}

# Runs "$@" alone, samples COMMAND on its telemetry after WARMUP, stops it. Prints the
# telemetry_rate.py JSON.
measure() {
  local command=$1 log=$2
  shift 2
  rm -rf "$RUNDIR"
  start "$SOCK" "$log" "$@"
  sleep "$WARMUP"
  /usr/bin/python3 "$HERE/rate/telemetry_rate.py" "$SOCK" "$command" "$DURATION"
  stop_children
}

# memory_for MBUFS: DPDK memory (MB) for MBUFS replayed frames: 2176-byte buffers, the
# pcap PMD's replay ring and the rest (1M frames needed ~6 GB; 4.2 GB failed in the ring).
memory_for() { local m=$(($1 * 5000 / 1048576 + 1024)); echo $((m > 2048 ? m : 2048)); }

run_testpmd() {  # pcap mbufs
  measure /ethdev/stats,0 "$WORK/testpmd.log" \
    "$TESTPMD" -l 0,1 --main-lcore=0 --no-huge -m "$(memory_for "$2")" --file-prefix="$PREFIX" --no-pci \
    --vdev="net_pcap0,rx_pcap=$1,infinite_rx=1" --log-level=lib.eal:notice -- \
    --total-num-mbufs="$2" --port-topology=loop --forward-mode=io --nb-cores=1 \
    --stats-period 1
}

MEMIF_VIP=198.18.0.100
MEMIF_PORT=9
MEMIF_MBUFS=32768

# worker_lcores: "1" or "1, 2"; lcores: an EAL --lcores placement, or empty. From the
# environment: CONFIG_HUGEPAGES (non-empty: hugepages = true), CONFIG_VIP6 (fd00::100).
write_config() {  # file device mode mbufs flow_table_size main_lcore worker_lcores memory vip4 protocol port lcores
  /usr/bin/python3 "$HERE/rate/write_config.py" "$@" "$PREFIX" "${CONFIG_HUGEPAGES:-}" "${CONFIG_VIP6:-fd00::100}"
  "$SLUICE" --config "$1" --check >/dev/null || die "generated config $1 rejected"
}

run_sluice() {  # pcap mode mbufs flows workers
  local cfg="$WORK/sluice.toml" workers=1 lcores=""
  [[ $5 = 2 ]] && workers="1, 2" lcores="0@0,1@1,2@0"
  write_config "$cfg" "net_pcap0,rx_pcap=$1,infinite_rx=1" "$2" "$3" "$4" 0 "$workers" \
    "$(memory_for "$3")" 10.0.0.100 tcp 80 "$lcores"
  measure /sluice/stats "$WORK/sluice.log" "$SLUICE" --config "$cfg"
}

# memif: the DUT (server) given as "$@" with its worker on CPU 0, then the generator
# (zero-copy client) on CPU 1. Prints one JSON line with gen.*, dut.* (/ethdev/stats,0 of
# the DUT) and, for sluice, sluice.* fields.
measure_memif() {
  local extra=$1
  shift
  rm -rf "$RUNDIR" "$GEN_RUNDIR"
  rm -f "$MEMIF_SOCK"
  local log
  log="$WORK/dut-$(basename "$1").log"
  start "$SOCK" "$log" "$@"
  start "$GEN_SOCK" "$WORK/generator-for-$(basename "$1").log" \
    "$TESTPMD" -l 0,1 --main-lcore=0 --no-huge -m 512 --single-file-segments \
    --file-prefix="$GEN_PREFIX" --no-pci \
    --vdev="net_memif0,role=client,id=0,socket=$MEMIF_SOCK,socket-abstract=no,zero-copy=yes" \
    --log-level=lib.eal:notice -- --total-num-mbufs=$MEMIF_MBUFS --forward-mode=txonly \
    --txonly-multi-flow --tx-ip=198.18.0.1,$MEMIF_VIP --tx-udp=$MEMIF_PORT,$MEMIF_PORT \
    --eth-peer=0,02:00:00:00:00:10 --nb-cores=1 --stats-period 1
  # Stopped DUT first: a memif peer that stays when the other leaves may segfault inside
  # librte_net_memif (22.11 unmaps the shared regions while its datapath still polls).
  CHILDREN=("${CHILDREN[1]}" "${CHILDREN[0]}")
  CHILD_NAMES=("the generator (dpdk-testpmd txonly, memif client)" "${CHILD_NAMES[0]}")
  sleep "$WARMUP"
  local targets=("gen=$GEN_SOCK=/ethdev/stats,0" "dut=$SOCK=/ethdev/stats,0")
  [[ -n $extra ]] && targets+=("sluice=$SOCK=$extra")
  /usr/bin/python3 "$HERE/rate/telemetry_rate.py" "$DURATION" "${targets[@]}"
  stop_children
  # testpmd's own account of its RX polls (whole run): mostly empty polls mean the DUT
  # waited for the generator, i.e. the rate is the generator's.
  if [[ -n ${VERBOSE:-} ]] && grep -q 'RX-bursts' "$log"; then
    echo "  testpmd DUT RX polls:$(grep 'RX-bursts' "$log" | tail -1 | cut -d: -f2-)" >&2
  fi
}

memif_server() { echo "net_memif0,role=server,id=0,socket=$MEMIF_SOCK,socket-abstract=no"; }

run_memif_testpmd() {
  measure_memif "" \
    "$TESTPMD" -l 0,1 --main-lcore=1 --no-huge -m 512 --file-prefix="$PREFIX" --no-pci \
    --vdev="$(memif_server)" --log-level=lib.eal:notice -- \
    --total-num-mbufs=$MEMIF_MBUFS --port-topology=loop --forward-mode=io --nb-cores=1 \
    --stats-period 1 --record-burst-stats
}

run_memif_sluice() {  # mode
  local cfg="$WORK/sluice.toml"
  write_config "$cfg" "$(memif_server)" "$1" $MEMIF_MBUFS "${EST_FLOW_TABLE:-1048576}" 1 0 \
    1024 $MEMIF_VIP udp $MEMIF_PORT ""
  measure_memif /sluice/stats "$SLUICE" --config "$cfg"
}

# EAL arguments that open DEVICE: -a for a PCI address, --vdev otherwise.
eal_device() {
  if [[ $1 =~ ^([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7] ]]; then
    echo "-a $1"
  else
    echo "--no-pci --vdev=$1"
  fi
}

# Starts the DUT "$@" on DEVICE, samples its port (and, for sluice, /sluice/stats) after
# WARMUP, stops it. Prints one JSON line with port.* and sluice.* fields.
measure_ext() {
  local log=$1 extra=$2
  shift 2
  rm -rf "$RUNDIR"
  start "$SOCK" "$log" "$@"
  sleep "$WARMUP"
  local targets=("port=$SOCK=/ethdev/stats,0")
  [[ -n $extra ]] && targets+=("sluice=$SOCK=$extra")
  /usr/bin/python3 "$HERE/rate/telemetry_rate.py" "$DURATION" "${targets[@]}"
  stop_children
}

run_ext_testpmd() {
  local memory=(--no-huge -m 2048)
  [[ -n $HUGEPAGES ]] && memory=(-m 2048)
  # shellcheck disable=SC2046  # eal_device prints two words on purpose
  measure_ext "$WORK/testpmd.log" "" \
    "$TESTPMD" -l 0,1 --main-lcore=0 "${memory[@]}" --file-prefix="$PREFIX" \
    $(eal_device "$DEVICE") --log-level=lib.eal:notice -- --port-topology=loop \
    --forward-mode=io --nb-cores=1 --stats-period 1
}

run_ext_sluice() {  # mode
  local cfg="$WORK/sluice.toml"
  CONFIG_HUGEPAGES=$HUGEPAGES CONFIG_VIP6=$EXT_VIP6 write_config "$cfg" "$DEVICE" "$1" 32768 "${EST_FLOW_TABLE:-1048576}" 0 1 2048 \
    "$EXT_VIP" "$EXT_PROTO" "$EXT_PORT" ""
  measure_ext "$WORK/sluice.log" /sluice/stats "$SLUICE" --config "$cfg"
}

# median of the field $1 over JSON lines on stdin, and the median line's other fields; every
# run's line goes to stderr when VERBOSE is set
median() {
  /usr/bin/python3 "$HERE/rate/median.py" "$1" "${VERBOSE:-}"
}

report_pcap() {  # baseline-json sluice-json scenario pcap-packets
  /usr/bin/python3 "$HERE/rate/report.py" pcap "$1" "$2" "$3" "$4"
}

report_memif() {  # baseline-json sluice-json scenario
  /usr/bin/python3 "$HERE/rate/report.py" memif "$1" "$2" "$3"
}

report_ext() {  # baseline-json sluice-json scenario
  /usr/bin/python3 "$HERE/rate/report.py" ext "$1" "$2" "$3"
}

declare -A BASELINE
printf '%-18s %12s %12s %8s %10s %9s %6s\n' scenario testpmd_Mpps sluice_Mpps ratio sluice_ns new_flows busy
for scenario in $SCENARIOS; do
  traffic=${scenario%/*}
  mode=${scenario#*/}
  if [[ $traffic = ext ]]; then
    if [[ -z ${BASELINE[ext]:-} ]]; then
      BASELINE[ext]=$(for _ in $(seq "$REPEAT"); do run_ext_testpmd; done | median port.opackets)
    fi
    result=$(for _ in $(seq "$REPEAT"); do run_ext_sluice "$mode"; done | median port.opackets)
    report_ext "${BASELINE[ext]}" "$result" "$scenario"
    continue
  fi
  if [[ $traffic = memif4 ]]; then
    if [[ -z ${BASELINE[$traffic]:-} ]]; then
      BASELINE[$traffic]=$(for _ in $(seq "$REPEAT"); do run_memif_testpmd; done |
        median dut.ipackets)
    fi
    result=$(for _ in $(seq "$REPEAT"); do run_memif_sluice "$mode"; done |
      median sluice.forwarded)
    report_memif "${BASELINE[$traffic]}" "$result" "$scenario"
    continue
  fi
  capture=${traffic%x2}
  workers=1
  [[ $traffic = *x2 ]] && workers=2
  pcap="$PCAP_DIR/$capture.pcap"
  packets=$(packets_in "$pcap")
  mbufs=$((packets + 16384))
  flows=${EST_FLOW_TABLE:-1048576}
  [[ $traffic = syn* ]] && flows=16384
  [[ $traffic = est1m* ]] && flows=4194304
  if [[ -z ${BASELINE[$capture]:-} ]]; then
    BASELINE[$capture]=$(for _ in $(seq "$REPEAT"); do run_testpmd "$pcap" "$mbufs"; done |
      median opackets)
  fi
  result=$(for _ in $(seq "$REPEAT"); do
    run_sluice "$pcap" "$mode" "$mbufs" "$flows" "$workers"
  done | median tx_packets)
  report_pcap "${BASELINE[$capture]}" "$result" "$scenario" "$packets"
done
