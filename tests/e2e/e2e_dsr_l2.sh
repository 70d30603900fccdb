#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: DSR by L2 rewrite through sluice-dataplane on net_af_packet.
#
# A client in its own namespace sends REQUESTS HTTP GETs to the VIP; sluice (in the lb
# namespace, no kernel address) answers ARP/ND for the VIP and forwards each flow to
# web1 or web2 by rewriting the destination MAC; nginx on the backends answers the
# client directly from the VIP on lo. The bridge ports of the client and of sluice are
# captured; the test checks
#   1. every request is answered, by web1 or web2, and both serve some;
#   2. every reply reaching the client comes from a backend's MAC, never sluice's;
#   3. every client->VIP segment is sent to sluice's MAC;
#   4. sluice transmits exactly the client->VIP segments (same count, each once, to a
#      backend MAC, unchanged but for the MAC addresses) plus ARP/ND, and nothing else;
#   5. its telemetry counters moved by exactly what the capture saw.
#
#   FAMILY=6 tests/e2e/e2e_dsr_l2.sh    the same over IPv6
#   BUILD_DIR=build-x                   where sluice-dataplane was built
set -euo pipefail
# shellcheck source=scripts/lib/netns.sh
source "$(dirname "$0")/../../scripts/lib/netns.sh"
# shellcheck source=scripts/lib/config.sh
source "$(dirname "$0")/../../scripts/lib/config.sh"
# shellcheck source=scripts/lib/telemetry.sh
source "$(dirname "$0")/../../scripts/lib/telemetry.sh"
# shellcheck source=scripts/lib/dataplane.sh
source "$(dirname "$0")/../../scripts/lib/dataplane.sh"
# shellcheck source=scripts/lib/e2e.sh
source "$(dirname "$0")/../../scripts/lib/e2e.sh"

FAMILY="${FAMILY:-4}"
REQUESTS="${REQUESTS:-40}"
[[ "$FAMILY" == 4 || "$FAMILY" == 6 ]] || die "FAMILY must be 4 or 6"
_sl_name="e2e_dsr_l2_v$FAMILY"

require_root
sluice_require_bin
e2e_traps

topo_up
topo_check_direct || die "topology broken before sluice even starts"
ok "client reaches web1 and web2 directly (IPv4 and IPv6)"

sluice_config web1 web2 >"$TOPO_DIR/dsr.toml"
sluice_start "$TOPO_DIR/dsr.toml"
URL="$(vip_url "$FAMILY")"
if [[ $FAMILY == 4 ]]; then VIP="$VIP4"; else VIP="$VIP6"; fi
vip_wait "$URL" 20 || die "VIP never answered"
ok "VIP $URL answers"
sleep 1 # let the warm-up connection finish its teardown before counting

# --- capture while the requests run -------------------------------------------------
if [[ $FAMILY == 4 ]]; then VIP_NAME=www; else VIP_NAME=www6; fi
# counters_snapshot: every leaf of /sluice/stats and /sluice/backends,<vip> as
# "/sluice/stats.forwarded=N", "/sluice/backends.10_211_0_21.packets=N", ...
counters_snapshot() {
  { sluice_stats | json_flat && sluice_telemetry "/sluice/backends,$VIP_NAME" | json_flat; } | sort
}
for port in client lb; do
  topo_bg sw "$TOPO_DIR/tcpdump-$port.log" \
    tcpdump -i "p-$port" -nn -U -s 256 -w "$TOPO_DIR/$port.pcap"
  eval "TCPDUMP_$port=$TOPO_LAST_PID"
  wait_until 10 grep -q 'listening on' "$TOPO_DIR/tcpdump-$port.log" ||
    die "tcpdump on p-$port did not start: $(cat "$TOPO_DIR/tcpdump-$port.log")"
done
# The capture spans both counter snapshots: whatever the counters saw, it saw too.
window_start_ns=$(date +%s%N)
counters_snapshot >"$TOPO_DIR/counters-before" 2>"$TOPO_DIR/counters-before.err" ||
  die "telemetry failed: $(cat "$TOPO_DIR/counters-before.err")"

declare -A served=()
bad=0
for ((i = 1; i <= REQUESTS; i++)); do
  who="$(www_get "$URL")" || bad=$((bad + 1))
  served[$who]=$((${served[$who]:-0} + 1))
done
sleep 1 # final ACKs
counters_snapshot >"$TOPO_DIR/counters-after" || die "telemetry failed after the requests"
window_ns=$(($(date +%s%N) - window_start_ns))
sleep 0.3
# shellcheck disable=SC2154
kill -INT "$TCPDUMP_client" "$TCPDUMP_lb"
wait_until 5 sh -c "! kill -0 $TCPDUMP_client 2>/dev/null && ! kill -0 $TCPDUMP_lb 2>/dev/null" ||
  die "tcpdump did not stop"

# --- 1. who served ------------------------------------------------------------------
summary="$(for k in "${!served[@]}"; do printf '%s=%s ' "$k" "${served[$k]}"; done)"
log "$REQUESTS GETs to $URL: $summary"
((bad == 0)) || die "$bad of $REQUESTS requests failed or were answered wrongly ($summary)"
[[ -n "${served[web1]:-}" && -n "${served[web2]:-}" ]] ||
  die "not both backends served: $summary"
ok "all $REQUESTS requests answered; web1 ${served[web1]}, web2 ${served[web2]}"

# --- 2..4. the captures -------------------------------------------------------------
"$PY" "$REPO_ROOT/tests/lib/dsr_l2_capture_check.py" "$TOPO_DIR/client.pcap" "$TOPO_DIR/lb.pcap" \
  "$VIP" "$FAMILY" "${TOPO_MAC[client]}" "${TOPO_MAC[lb]}" "${TOPO_MAC[web1]}" "${TOPO_MAC[web2]}" \
  >"$TOPO_DIR/pcap-check.out" 2>&1 || { cat "$TOPO_DIR/pcap-check.out"; die "capture checks failed"; }
sed 's/^/    /' "$TOPO_DIR/pcap-check.out"
ok "replies came straight from the backends; sluice forwarded exactly the client's segments"

# --- 5. telemetry -------------------------------------------------------------------
# What dsr_l2_capture_check.py counted in the captures.
declare client_to_vip to_web1 to_web2 lb_other lb_rx
# shellcheck source=/dev/null # written by dsr_l2_capture_check.py
source "$TOPO_DIR/client.pcap.counts"
log "counters that moved during the $REQUESTS requests:"
join -t= "$TOPO_DIR/counters-before" "$TOPO_DIR/counters-after" |
  awk -F= '$2 ~ /^[0-9]+$/ && $3 != $2 {printf "%s %d\n", $1, $3 - $2}' >"$TOPO_DIR/counters-delta"
sed 's/^/    /' "$TOPO_DIR/counters-delta"
delta() { awk -v k="$1" '$1 == k {d = $2} END {print d + 0}' "$TOPO_DIR/counters-delta"; }
log "capture: client sent $client_to_vip segments to the VIP; sluice sent $to_web1 to web1, $to_web2 to web2 and $lb_other ARP/ND frames"
b1="${WEB1_4//./_}" b2="${WEB2_4//./_}"
[[ $FAMILY == 6 ]] && b1="${WEB1_6//:/_}" b2="${WEB2_6//:/_}"
check_counter() { # NAME WANT
  local got
  got="$(delta "$1")"
  if [[ "$got" == "$2" ]]; then
    ok "counter $1 +$got (as captured)"
  else
    fail "counter $1 moved by $got, the capture says $2"
    counters_bad=1
  fi
}
counters_bad=0
check_counter /sluice/stats.forwarded "$client_to_vip"
check_counter "/sluice/backends.$b1.packets" "$to_web1"
check_counter "/sluice/backends.$b2.packets" "$to_web2"
# The capture spans the snapshots, so it may hold a few more ARP/ND frames than the
# counters saw, never fewer.
check_counter_between() { # NAME MIN MAX
  local got
  got="$(delta "$1")"
  if ((got >= $2 && got <= $3)); then
    ok "counter $1 +$got (capture: between $2 and $3)"
  else
    fail "counter $1 moved by $got, the capture says between $2 and $3"
    counters_bad=1
  fi
}
# The counter snapshots and the capture do not start and stop at the same instant, and the
# main lcore re-solicits each backend on its own timer: allow one solicitation and one
# answer per backend (and the odd IPv6 router solicitation) outside the capture window.
# Forwarded traffic above stays exact.
check_counter_between /sluice/stats.tx_packets "$((to_web1 + to_web2))" "$((to_web1 + to_web2 + lb_other + 2))"
check_counter_between /sluice/stats.rx_packets "$client_to_vip" "$((lb_rx + 4))"
check_counter /sluice/stats.flow_new "$REQUESTS"
check_counter "/sluice/backends.$b1.new_flows" "${served[web1]}"
check_counter "/sluice/backends.$b2.new_flows" "${served[web2]}"
# The worker was busy for a few bursts, a sliver of the window; counting its idle polls
# too would make it most of the window.
value_of() { awk -F= -v k="$1" '$1 == k {print $2}'; } # KEY, from key=value lines on stdin
tsc_hz=$(value_of /sluice/stats.tsc_hz <"$TOPO_DIR/counters-after")
busy_ns=$(($(delta /sluice/stats.busy_cycles) * 1000000000 / ${tsc_hz:-1}))
if ((busy_ns > 0 && busy_ns < window_ns / 2)); then
  ok "worker busy for $((busy_ns / 1000)) us of the $((window_ns / 1000000)) ms window"
else
  fail "worker busy for $busy_ns ns of a $window_ns ns window (tsc_hz ${tsc_hz:-missing})"
  counters_bad=1
fi
# /sluice/workers (one worker here) read between two /sluice/stats reads: its frames lie
# between theirs.
rx_total_before=$(sluice_stats | json_flat | value_of /sluice/stats.rx_packets)
worker0=$(sluice_telemetry /sluice/workers | json_flat)
rx_total_after=$(sluice_stats | json_flat | value_of /sluice/stats.rx_packets)
rx_worker=$(value_of /sluice/workers.worker0.rx_packets <<<"$worker0")
lcore_worker=$(value_of /sluice/workers.worker0.lcore <<<"$worker0")
if [[ -n $rx_worker && $lcore_worker == 1 ]] &&
  ((rx_total_before <= rx_worker && rx_worker <= rx_total_after && rx_worker > 0)); then
  ok "/sluice/workers: worker0 on lcore $lcore_worker received $rx_worker frames"
else
  fail "/sluice/workers: worker0 lcore '$lcore_worker' rx '$rx_worker', stats $rx_total_before..$rx_total_after"
  counters_bad=1
fi
while read -r k; do
  log "note: drop counter $k moved by $(delta "$k")"
done < <(awk '$1 ~ /drops\./ {print $1}' "$TOPO_DIR/counters-delta")
((counters_bad == 0)) || die "telemetry counters disagree with the capture"
ok "telemetry counters match the capture"

sluice_stop || die "sluice-dataplane exited with status $? on SIGTERM"
ok "sluice-dataplane stopped cleanly"
log "PASS"
