#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Packet rate of one sluice worker lcore against the cost of merely moving packets.
#
#   bench/packet_rate.sh [BUILD_DIR]      (default: build; needs root, DPDK, scapy)
#
# Both programs get exactly the same device: one net_pcap vdev that replays a capture
# forever (rx_pcap=FILE,infinite_rx=1) and, having no tx_pcap/tx_iface, drops what is
# transmitted on it (the PMD frees the mbufs and counts them as sent). No pcap write, no
# second port: both sides pay the same RX copy out of the capture and the same free on TX.
#   baseline  dpdk-testpmd, io forwarding, --port-topology=loop (RX port = TX port)
#   sluice    sluice-dataplane, the same vdev as its only port (it transmits out of the
#             port it received on), one VIP per family with 100 backends, static neighbors
# Lcores: main 0 + one forwarding/worker lcore 1 for both; --no-huge -m 2048.
#
# Scenarios: established flows (65536 distinct TCP ACK tuples, one packet per flow per pass,
# flow table of the default 1M) and new flows (262144 distinct SYNs; flow table of 16K,
# so every SYN misses and replaces the stalest half-open flow: the steady state of a
# sustained new-flow rate), IPv4 and IPv6, each forwarding mode. Rates come from DPDK
# telemetry sampled twice DURATION seconds apart after WARMUP seconds: /ethdev/stats,0
# opackets for testpmd, /sluice/stats tx_packets for sluice. Each measurement runs REPEAT
# times; the median is printed.
#
# Environment: DURATION (5), WARMUP (3), REPEAT (3), EST_FLOW_TABLE (flow_table_size of the
# established scenarios, 1048576), PCAP_DIR (/tmp/sluice-rate-pcaps,
# generated once with /usr/bin/python3 + scapy), SCENARIOS (all; e.g. "est4/dsr-l2 syn6/gue").
# Leaves no process, and removes its DPDK runtime directory and hugepage files.
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
RUNDIR="/var/run/dpdk/$PREFIX"
SOCK="$RUNDIR/dpdk_telemetry.v2"
WORK=$(mktemp -d /tmp/sluice-rate.XXXXXX)
ALL_SCENARIOS="est4/dsr-l2 est4/ipip est4/gue est6/dsr-l2 est6/ipip est6/gue
               syn4/dsr-l2 syn4/ipip syn4/gue syn6/dsr-l2 syn6/ipip syn6/gue"
SCENARIOS=${SCENARIOS:-$ALL_SCENARIOS}
RUN_LIMIT=$((WARMUP + DURATION + 90))  # hard bound on one process, startup included

die() { echo "packet_rate.sh: $*" >&2; exit 1; }
[[ $(id -u) = 0 ]] || die "needs root (DPDK runtime directory, telemetry socket)"
[[ -x $SLUICE ]] || die "$SLUICE not built (meson setup $BUILD && ninja -C $BUILD)"
command -v "$TESTPMD" >/dev/null || die "$TESTPMD not found (apt-get install dpdk)"
/usr/bin/python3 -c 'import scapy' 2>/dev/null || die "/usr/bin/python3 has no scapy (apt-get install python3-scapy)"

CHILD=""
cleanup() {
  if [[ -n $CHILD ]] && kill -0 "$CHILD" 2>/dev/null; then
    kill -INT "$CHILD" 2>/dev/null || true
    sleep 2
    kill -KILL "$CHILD" 2>/dev/null || true
    wait "$CHILD" 2>/dev/null || true
  fi
  rm -rf "$RUNDIR" "$WORK"
  rm -f /dev/hugepages/"$PREFIX"map_* 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

/usr/bin/python3 "$HERE/rate/make_pcaps.py" "$PCAP_DIR"

# packets in a capture: file size minus the 24-byte header, over the fixed record size
packets_in() {
  local size frame
  size=$(stat -c %s "$1")
  case $(basename "$1") in *4.pcap) frame=60 ;; *) frame=74 ;; esac
  echo $(((size - 24) / (16 + frame)))
}

# Runs "$@" in the background (bounded by timeout), waits for its telemetry socket and
# WARMUP, samples COMMAND, stops it. Prints the telemetry_rate.py JSON.
measure() {
  local command=$1 log=$2
  shift 2
  rm -rf "$RUNDIR"
  timeout -k 5 "$RUN_LIMIT" "$@" >"$log" 2>&1 </dev/null &
  CHILD=$!
  local waited=0
  until [[ -S $SOCK ]] && grep -qE "running|Press enter|Start automatic|stats-period|Port statistics" "$log"; do
    sleep 0.5
    waited=$((waited + 1))
    if ! kill -0 "$CHILD" 2>/dev/null || ((waited > 120)); then
      cat "$log" >&2
      die "process did not start: $*"
    fi
  done
  sleep "$WARMUP"
  /usr/bin/python3 "$HERE/rate/telemetry_rate.py" "$SOCK" "$command" "$DURATION"
  kill -INT "$CHILD" 2>/dev/null || true
  local i
  for i in $(seq 20); do kill -0 "$CHILD" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$CHILD" 2>/dev/null || true
  wait "$CHILD" 2>/dev/null || true
  CHILD=""
  rm -rf "$RUNDIR"
}

run_testpmd() {  # pcap mbufs
  measure /ethdev/stats,0 "$WORK/testpmd.log" \
    "$TESTPMD" -l 0,1 --main-lcore=0 --no-huge -m 2048 --file-prefix="$PREFIX" --no-pci \
    --vdev="net_pcap0,rx_pcap=$1,infinite_rx=1" --log-level=lib.eal:notice -- \
    --total-num-mbufs="$2" --port-topology=loop --forward-mode=io --nb-cores=1 \
    --stats-period 1
}

write_config() {  # file pcap mode mbufs flow_table_size
  /usr/bin/python3 - "$@" "$PREFIX" <<'EOF'
import sys
path, pcap, mode, mbufs, flows, prefix = sys.argv[1:]
out = ["# SPDX-License-Identifier: BSD-3-Clause", "# generated by bench/packet_rate.sh",
       "[dataplane]", "main_lcore = 0", "worker_lcores = [1]", "hugepages = false",
       "memory_mb = 2048", 'file_prefix = "%s"' % prefix,
       "mbufs_per_port = %s" % mbufs, "flow_table_size = %s" % flows, "",
       "[[port]]", 'name = "p0"', 'device = "net_pcap0,rx_pcap=%s,infinite_rx=1"' % pcap,
       'addresses = ["10.0.0.10/16", "fd00::10/64"]', 'mac = "02:00:00:00:00:10"']
backends4 = ["10.0.1.%d" % i for i in range(1, 101)]
backends6 = ["fd00::1:%x" % i for i in range(1, 101)]
for i, (b4, b6) in enumerate(zip(backends4, backends6), 1):
    out += ["[[neighbor]]", 'address = "%s"' % b4, 'mac = "02:00:00:00:04:%02x"' % i,
            "[[neighbor]]", 'address = "%s"' % b6, 'mac = "02:00:00:00:06:%02x"' % i]
for name, address, backends, source in (
        ("www4", "10.0.0.100", backends4, 'encap_source = "172.16.0.0/16"'),
        ("www6", "fd00::100", backends6, 'encap_source6 = "2001:db8:ffff::/64"')):
    out += ["[[vip]]", 'name = "%s"' % name, 'address = "%s"' % address, 'protocol = "tcp"',
            "port = 80", 'mode = "%s"' % mode]
    if mode != "dsr-l2":
        out.append(source)
    for b in backends:
        out += ["  [[vip.backend]]", '  address = "%s"' % b]
open(path, "w").write("\n".join(out) + "\n")
EOF
  "$SLUICE" --config "$1" --check >/dev/null || die "generated config $1 rejected"
}

run_sluice() {  # pcap mode mbufs flows
  local cfg="$WORK/sluice.toml"
  write_config "$cfg" "$1" "$2" "$3" "$4"
  measure /sluice/stats "$WORK/sluice.log" "$SLUICE" --config "$cfg"
}

# median of the field $1 over JSON lines on stdin, and the median line's other fields
median() {
  /usr/bin/python3 -c '
import json, sys
field = sys.argv[1]
rows = sorted((json.loads(l) for l in sys.stdin if l.strip()), key=lambda r: r[field])
print(json.dumps(rows[len(rows) // 2]))' "$1"
}

declare -A BASELINE
printf '%-16s %12s %12s %8s %10s %9s\n' scenario testpmd_Mpps sluice_Mpps ratio sluice_ns new_flows
for scenario in $SCENARIOS; do
  traffic=${scenario%/*}
  mode=${scenario#*/}
  pcap="$PCAP_DIR/$traffic.pcap"
  mbufs=$(($(packets_in "$pcap") + 16384))
  flows=${EST_FLOW_TABLE:-1048576}
  [[ $traffic = syn* ]] && flows=16384
  if [[ -z ${BASELINE[$traffic]:-} ]]; then
    BASELINE[$traffic]=$(for r in $(seq "$REPEAT"); do run_testpmd "$pcap" "$mbufs"; done |
      median opackets)
  fi
  result=$(for r in $(seq "$REPEAT"); do run_sluice "$pcap" "$mode" "$mbufs" "$flows"; done |
    median tx_packets)
  /usr/bin/python3 -c '
import json, sys
base, res, name = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
b, s = base["opackets"], res["tx_packets"]
new = res["flow_new"] / res["rx_packets"] if res["rx_packets"] else 0
drops = sum(v for k, v in res.items() if k.startswith("drops."))
print("%-16s %12.2f %12.2f %8.3f %10.1f %9.3f%s" % (name, b / 1e6, s / 1e6, s / b if b else 0,
      1e9 / s if s else 0, new, "  (drops %.0f/s)" % drops if drops else ""))
' "${BASELINE[$traffic]}" "$result" "$scenario"
done
