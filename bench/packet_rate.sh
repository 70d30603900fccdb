#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Packet rate of one sluice worker lcore against the cost of merely moving packets.
#
#   bench/packet_rate.sh [BUILD_DIR]      (default: build; needs root, DPDK, scapy for pcap)
#
# pcap scenarios (est*, syn*, synflood*). Both programs get exactly the same device: one
# net_pcap vdev that replays a capture forever (rx_pcap=FILE,infinite_rx=1) and, having no
# tx_pcap/tx_iface, drops what is transmitted on it (the PMD frees the mbufs and counts
# them as sent). No pcap write, no second port: both sides pay the same RX copy out of the
# capture and the same free on TX.
#   baselines dpdk-testpmd io, 5tswap, macswap, --port-topology=loop (RX port = TX port)
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
# memif scenarios (memif-*/MODE). sluice-pktgen (bench/pktgen) feeds the device under test
# over net_memif and counts what comes back:
#   generator  sluice-pktgen, memif client in zero-copy mode (its mbufs are the shared
#              buffers), one traffic lcore that transmits and receives: frames built from
#              a template patched per flow (bench/pktgen/README.md).
#   DUT        memif server; in turn dpdk-testpmd io, 5tswap and macswap forwarding (the
#              baselines) and sluice-dataplane with the VIPs 10.0.0.100 / fd00::100 tcp 80
#              in MODE, 100 backends each.
#   memif-est4, memif-est6
#                  MEMIF_FLOWS (65536) established TCP flows (ACKs), one packet per flow
#                  per round, flow table of the default 1M
#   memif-est1m4   1,048,576 established flows, flow table of 4M
#   memif-syn4     SYNs of 4,194,304 distinct tuples, flow table of 16K: every SYN misses
#                  and replaces the stalest half-open flow (a SYN flood)
# Lcores (2 CPUs): CPU 1 runs the generator's traffic lcore (its main lcore 0 sleeps on
# CPU 0); CPU 0 runs the DUT's forwarding/worker lcore 0, its main lcore 1 (sleeping) on
# CPU 1. The DUT rate is what the DUT transmitted (its port's opackets), sampled with the
# generator over the same window; also printed: the generator's TX rate (its ceiling: when
# the DUT rate is close to it, the generator set the rate).
#   gen        (no MODE) the generators alone: dpdk-testpmd --forward-mode=txonly
#              --txonly-multi-flow (256 flows) against sluice-pktgen (65,536 UDP flows,
#              64 bytes, --no-rx), each a zero-copy memif client feeding a dpdk-testpmd
#              rxonly server; printed: both TX rates and their ratio.
#   gen-null   the same two generators alone on net_null (which frees what it is given):
#              each one's own cost per packet, without a peer to wait for.
#
# Baselines, for every scenario: dpdk-testpmd io (moves frames, reads none), 5tswap (swaps
# the MACs, IP addresses and L4 ports: reads and writes L2-L4 like sluice) and macswap, on
# the same device as sluice. Every repetition runs the baselines and every MODE of a traffic
# in turn (interleaved); printed: each median rate and sluice's ratios to io and to 5tswap.
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
# baselines are testpmd io, 5tswap, macswap (--port-topology=loop, back out of the same port), so
# the generator's port gets back what it sent, MACs unchanged for testpmd and rewritten
# by sluice. Printed: each program's forwarded Mpps (the port's opackets), what the port
# was offered (ipackets + imissed: the NIC dropped the difference) and sluice's busy share.
# If testpmd forwards all it is offered, the generator, not testpmd, set the baseline.
#
# Each measurement runs REPEAT times, interleaved; the median is printed.
# Environment: DURATION (5), WARMUP (3), REPEAT (3), EST_FLOW_TABLE (flow_table_size of the
# established scenarios, 1048576), PCAP_DIR (/tmp/sluice-rate-pcaps, generated once with
# /usr/bin/python3 + scapy), SCENARIOS (default: all but ext; e.g. "est4/dsr-l2 memif-est4/gue"),
# PKTGEN (BUILD_DIR/bench/pktgen/sluice-pktgen), MEMIF_FLOWS (65536).
# Every process is bounded by timeout. Leaves no process, and removes its DPDK runtime
# directories, memif socket and hugepage files.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
BUILD=${1:-build}
[[ $BUILD = /* ]] || BUILD="$ROOT/$BUILD"
SLUICE="$BUILD/dataplane/runtime/sluice-dataplane"
PKTGEN=${PKTGEN:-$BUILD/bench/pktgen/sluice-pktgen}
MEMIF_FLOWS=${MEMIF_FLOWS:-65536}
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
               est4x2/dsr-l2 memif-est4/dsr-l2 memif-est4/ipip memif-est4/gue memif-est6/dsr-l2
               memif-est1m4/dsr-l2 memif-syn4/dsr-l2 gen gen-null"
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
# The captures (made with scapy) only for the pcap scenarios.
PCAP_SCENARIOS=""
for scenario in $SCENARIOS; do
  [[ $scenario = memif-* || $scenario = gen* || $scenario = ext/* ]] || PCAP_SCENARIOS+=" $scenario"
done
[[ -z $PCAP_SCENARIOS ]] || /usr/bin/python3 -c 'import scapy' 2>/dev/null ||
  die "/usr/bin/python3 has no scapy (apt-get install python3-scapy)"
[[ " $SCENARIOS " != *" memif-"* && " $SCENARIOS " != *" gen"* || -x $PKTGEN ]] ||
  die "$PKTGEN not built (ninja -C $BUILD bench/pktgen/sluice-pktgen)"

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

[[ -z $PCAP_SCENARIOS ]] || /usr/bin/python3 "$HERE/rate/make_pcaps.py" "$PCAP_DIR"

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
  until [[ -S $socket ]] && grep -qE "running|Press enter|Start automatic|stats-period|Port statistics|traffic lcore" "$log"; do
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

run_testpmd() {  # pcap mbufs forward-mode
  measure /ethdev/stats,0 "$WORK/testpmd.log" \
    "$TESTPMD" -l 0,1 --main-lcore=0 --no-huge -m "$(memory_for "$2")" --file-prefix="$PREFIX" --no-pci \
    --vdev="net_pcap0,rx_pcap=$1,infinite_rx=1" --log-level=lib.eal:notice -- \
    --total-num-mbufs="$2" --port-topology=loop --forward-mode="$3" --nb-cores=1 \
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

memif_server() { echo "net_memif0,role=server,id=0,socket=$MEMIF_SOCK,socket-abstract=no"; }
memif_client() { echo "net_memif0,role=client,id=0,socket=$MEMIF_SOCK,socket-abstract=no,zero-copy=yes"; }

# The flow set sluice-pktgen sends in a memif scenario.
memif_flows() {  # traffic
  case $1 in
    memif-est4) echo "proto=tcp,kind=established,flows=$MEMIF_FLOWS,dst=10.0.0.100,dport=80" ;;
    memif-est6) echo "proto=tcp,kind=established,flows=$MEMIF_FLOWS,dst=fd00::100,dport=80" ;;
    memif-est1m4) echo "proto=tcp,kind=established,flows=1048576,dst=10.0.0.100,dport=80" ;;
    memif-syn4) echo "proto=tcp,kind=syn,flows=4194304,dst=10.0.0.100,dport=80" ;;
    *) die "unknown memif scenario $1" ;;
  esac
}

# memif: the DUT (server) given as "$@" with its worker on CPU 0, then the generator
# GEN_CMD (a zero-copy client) on CPU 1. Prints one JSON line with gen.* (/ethdev/stats,0
# of the generator), dut.* (of the DUT) and, for sluice, sluice.* fields.
measure_memif() {  # extra DUT...
  local extra=$1
  shift
  rm -rf "$RUNDIR" "$GEN_RUNDIR"
  rm -f "$MEMIF_SOCK"
  local log
  log="$WORK/dut-$(basename "$1").log"
  start "$SOCK" "$log" "$@"
  start "$GEN_SOCK" "$WORK/generator-for-$(basename "$1").log" "${GEN_CMD[@]}"
  # Stopped DUT first: a memif peer that stays when the other leaves may segfault inside
  # librte_net_memif (22.11 unmaps the shared regions while its datapath still polls).
  CHILDREN=("${CHILDREN[1]}" "${CHILDREN[0]}")
  CHILD_NAMES=("the generator ($(basename "${GEN_CMD[0]}"), memif client)" "${CHILD_NAMES[0]}")
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

# GEN_CMD: sluice-pktgen as the zero-copy memif client, sending the flow set $1 until
# stopped.
pktgen_client() {  # flows [pktgen options...]
  local flows=$1
  shift
  GEN_CMD=("$PKTGEN" -l "0,1" --main-lcore=0 --no-huge -m 1024 --single-file-segments
    --file-prefix="$GEN_PREFIX" --no-pci --vdev="$(memif_client)" --log-level=lib.eal:notice --
    --flows "$flows" --drain-ms 0 "$@")
}

# DUT_CMD: testpmd as the memif server, forwarding in forward-mode.
testpmd_memif_server() {  # forward-mode
  DUT_CMD=("$TESTPMD" -l "0,1" --main-lcore=1 --no-huge -m 512 --file-prefix="$PREFIX" --no-pci
    --vdev="$(memif_server)" --log-level=lib.eal:notice --
    --total-num-mbufs="$MEMIF_MBUFS" --port-topology=loop --forward-mode="$1" --nb-cores=1
    --stats-period 1 --record-burst-stats)
}

run_memif_testpmd() {  # traffic forward-mode
  pktgen_client "$(memif_flows "$1")"
  testpmd_memif_server "$2"
  measure_memif "" "${DUT_CMD[@]}"
}

run_memif_sluice() {  # traffic mode
  local cfg="$WORK/sluice.toml" flows=${EST_FLOW_TABLE:-1048576} memory=1024
  [[ $1 = memif-est1m4 ]] && flows=4194304 memory=2048
  [[ $1 = memif-syn4 ]] && flows=16384
  pktgen_client "$(memif_flows "$1")"
  write_config "$cfg" "$(memif_server)" "$2" $MEMIF_MBUFS "$flows" 1 0 "$memory" 10.0.0.100 tcp 80 ""
  measure_memif /sluice/stats "$SLUICE" --config "$cfg"
}

# The generators alone on net_null (no peer: the device frees what it is given), so the
# rate is the generator's own cost per packet: txonly, then sluice-pktgen.
run_gen_null() {  # txonly|pktgen
  local device=(--no-pci --vdev=net_null0 --log-level=lib.eal:notice --)
  if [[ $1 = txonly ]]; then
    measure /ethdev/stats,0 "$WORK/gen-null.log" "$TESTPMD" -l "0,1" --main-lcore=0 --no-huge -m 512 \
      --file-prefix="$PREFIX" "${device[@]}" --total-num-mbufs="$MEMIF_MBUFS" \
      --forward-mode=txonly --txonly-multi-flow --tx-ip="198.18.0.1,$MEMIF_VIP" \
      --tx-udp="$MEMIF_PORT,$MEMIF_PORT" --eth-peer="0,02:00:00:00:00:10" --nb-cores=1 --stats-period 1
  else
    measure /ethdev/stats,0 "$WORK/gen-null.log" "$PKTGEN" -l "0,1" --main-lcore=0 --no-huge -m 1024 \
      --file-prefix="$PREFIX" "${device[@]}" \
      --flows "proto=udp,flows=65536,dst=$MEMIF_VIP,dport=$MEMIF_PORT,size=64" --no-rx --drain-ms 0
  fi
}

# The generators alone into a testpmd rxonly server: txonly, then sluice-pktgen.
run_gen() {  # txonly|pktgen
  if [[ $1 = txonly ]]; then
    GEN_CMD=("$TESTPMD" -l "0,1" --main-lcore=0 --no-huge -m 512 --single-file-segments
      --file-prefix="$GEN_PREFIX" --no-pci --vdev="$(memif_client)" --log-level=lib.eal:notice --
      --total-num-mbufs="$MEMIF_MBUFS" --forward-mode=txonly --txonly-multi-flow
      --tx-ip="198.18.0.1,$MEMIF_VIP" --tx-udp="$MEMIF_PORT,$MEMIF_PORT"
      --eth-peer="0,02:00:00:00:00:10" --nb-cores=1 --stats-period 1)
  else
    pktgen_client "proto=udp,flows=65536,dst=$MEMIF_VIP,dport=$MEMIF_PORT,size=64" --no-rx
  fi
  testpmd_memif_server rxonly
  measure_memif "" "${DUT_CMD[@]}"
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

run_ext_testpmd() {  # forward-mode
  local memory=(--no-huge -m 2048)
  [[ -n $HUGEPAGES ]] && memory=(-m 2048)
  # shellcheck disable=SC2046  # eal_device prints two words on purpose
  measure_ext "$WORK/testpmd.log" "" \
    "$TESTPMD" -l 0,1 --main-lcore=0 "${memory[@]}" --file-prefix="$PREFIX" \
    $(eal_device "$DEVICE") --log-level=lib.eal:notice -- --port-topology=loop \
    --forward-mode="$1" --nb-cores=1 --stats-period 1
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

BASELINES="io 5tswap macswap"

# One run of DUT (a baseline forwarding mode or sluice:MODE) on TRAFFIC, as one JSON line.
run_one() {  # traffic dut
  local traffic=$1 dut=$2 mode=${2#sluice:}
  case $traffic in
    ext)
      if [[ $dut = sluice:* ]]; then run_ext_sluice "$mode"; else run_ext_testpmd "$dut"; fi ;;
    memif-*)
      if [[ $dut = sluice:* ]]; then run_memif_sluice "$traffic" "$mode"; else run_memif_testpmd "$traffic" "$dut"; fi ;;
    gen) run_gen "$dut" ;;
    gen-null) run_gen_null "$dut" ;;
    *)
      local capture=${traffic%x2} workers=1 flows=${EST_FLOW_TABLE:-1048576} pcap packets
      [[ $traffic = *x2 ]] && workers=2
      [[ $traffic = syn* ]] && flows=16384
      [[ $traffic = est1m* ]] && flows=4194304
      pcap="$PCAP_DIR/$capture.pcap"
      packets=$(packets_in "$pcap")
      if [[ $dut = sluice:* ]]; then
        run_sluice "$pcap" "$mode" $((packets + 16384)) "$flows" "$workers"
      else
        run_testpmd "$pcap" $((packets + 16384)) "$dut"
      fi ;;
  esac
}

# The field a DUT's rate is read from, per traffic kind.
rate_field() {  # traffic dut
  case $1 in
    ext) echo port.opackets ;;
    gen-null) echo opackets ;;
    memif-* | gen) echo "$([[ $1 = gen ]] && echo gen || echo dut).opackets" ;;
    *) if [[ $2 = sluice:* ]]; then echo tx_packets; else echo opackets; fi ;;
  esac
}

# Traffics in order of first appearance, and each one's sluice modes.
declare -A MODES
TRAFFICS=()
for scenario in $SCENARIOS; do
  traffic=${scenario%/*}
  [[ -n ${MODES[$traffic]+set} ]] || TRAFFICS+=("$traffic")
  [[ $scenario = */* ]] && MODES[$traffic]+=" sluice:${scenario#*/}"
  MODES[$traffic]+=""
done

/usr/bin/python3 "$HERE/rate/report.py" header
for traffic in "${TRAFFICS[@]}"; do
  if [[ $traffic = gen* ]]; then duts="txonly pktgen"; else duts="$BASELINES${MODES[$traffic]}"; fi
  for _ in $(seq "$REPEAT"); do  # interleaved: every DUT once per repetition
    for dut in $duts; do
      run_one "$traffic" "$dut" >>"$WORK/runs.$traffic.${dut/:/.}"
    done
  done
  declare -A MEDIAN=()
  for dut in $duts; do
    MEDIAN[$dut]=$(median "$(rate_field "$traffic" "$dut")" <"$WORK/runs.$traffic.${dut/:/.}")
  done
  if [[ $traffic = gen* ]]; then
    /usr/bin/python3 "$HERE/rate/report.py" "$traffic" "${MEDIAN[txonly]}" "${MEDIAN[pktgen]}"
    continue
  fi
  kind=pcap
  [[ $traffic = memif-* ]] && kind=memif
  [[ $traffic = ext ]] && kind=ext
  packets=0
  [[ $kind = pcap ]] && packets=$(packets_in "$PCAP_DIR/${traffic%x2}.pcap")
  for dut in ${MODES[$traffic]}; do
    /usr/bin/python3 "$HERE/rate/report.py" "$kind" "${MEDIAN[io]}" "${MEDIAN[5tswap]}" \
      "${MEDIAN[macswap]}" "${MEDIAN[$dut]}" "$traffic/${dut#sluice:}" "$packets"
  done
done
