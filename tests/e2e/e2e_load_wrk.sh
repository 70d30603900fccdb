#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end under load: wrk with CONNECTIONS keep-alive connections for DURATION
# seconds through the VIP to the two nginx backends. Checks
#   1. wrk saw no socket errors, timeouts or non-2xx answers, and a sane request count;
#   2. the backends' access logs together hold every request wrk completed (and at most
#      one unfinished request per connection more), both backends share the load;
#   3. sluice created exactly one flow per connection (SYN) it forwarded to each backend
#      (a capture of SYNs only on sluice's bridge port), every connection nginx served
#      requests on has its flow (keep-alive connections never move; wrk reconnects when
#      nginx closes one after keepalive_requests), and nothing was dropped.
# With SLUICE_WORKERS=2 (e2e_load_wrk_handoff.sh) sluice runs two workers on two af_packet
# queues without RSS, so flows are handed between them; then also
#   4. both workers handed frames to the other and forwarded some, and the flows the two
#      created add up to the connections (3. holds for the sum).
# It measures nothing: rates on a shared 2-core box mean little.
#
#   CONNECTIONS=32 DURATION=5 BUILD_DIR=build-x tests/e2e/e2e_load_wrk.sh
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

CONNECTIONS="${CONNECTIONS:-32}"
DURATION="${DURATION:-5}"
MIN_REQUESTS="${MIN_REQUESTS:-200}"

require_root
sluice_require_bin
command -v wrk >/dev/null || die "wrk is not installed (scripts/setup.sh installs it)"
e2e_traps

topo_up
topo_check_direct || die "topology broken before sluice even starts"
sluice_config web1 web2 >"$TOPO_DIR/load.toml"
sluice_start "$TOPO_DIR/load.toml"
vip_wait "$(vip_url 4)" 20 || die "VIP never answered"
ok "VIP answers"
sleep 1

access_lines() { wc -l <"$TOPO_DIR/$1/nginx/access.log"; }
# connections_since NODE LINE: distinct TCP connections in NODE's access log after LINE.
connections_since() {
  tail -n +"$(($2 + 1))" "$TOPO_DIR/$1/nginx/access.log" | awk '{print $3}' | sort -u | wc -l
}
backends_snapshot() { sluice_telemetry /sluice/backends,www | json_flat | sort; }
flat_stats() { sluice_stats | json_flat | sort; }
w1_before="$(access_lines web1)" w2_before="$(access_lines web2)"
flat_stats >"$TOPO_DIR/stats-before"
backends_snapshot >"$TOPO_DIR/backends-before"

# SYNs that sluice sends out (client SYNs forwarded to a backend), by destination MAC.
topo_bg sw "$TOPO_DIR/tcpdump.log" tcpdump -i p-lb -Q in -nn -e -U -l \
  "ether src ${TOPO_MAC[lb]} and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn"
TCPDUMP_PID="$TOPO_LAST_PID"
wait_until 10 grep -q 'listening on' "$TOPO_DIR/tcpdump.log" || die "tcpdump did not start"

log "wrk: $CONNECTIONS connections, ${DURATION} s, http://$VIP4/ (Host: $WWW_HOST)"
in_ns client timeout $((DURATION + 20)) wrk -t 2 -c "$CONNECTIONS" -d "${DURATION}s" \
  --timeout 2s -H "Host: $WWW_HOST" "http://$VIP4/" >"$TOPO_DIR/wrk.out" 2>&1 ||
  die "wrk failed: $(cat "$TOPO_DIR/wrk.out")"
sed 's/^/    /' "$TOPO_DIR/wrk.out"
sleep 1
flat_stats >"$TOPO_DIR/stats-after"
backends_snapshot >"$TOPO_DIR/backends-after"
sleep 0.3
kill -INT "$TCPDUMP_PID"
wait_until 5 sh -c "! kill -0 $TCPDUMP_PID 2>/dev/null" || die "tcpdump did not stop"
syns() { grep -c "> $1," "$TOPO_DIR/tcpdump.log" || true; }

# --- 1. wrk's own view ---------------------------------------------------------------
requests="$(awk '/requests in/ {print $1}' "$TOPO_DIR/wrk.out")"
[[ "$requests" =~ ^[0-9]+$ ]] || die "cannot read the request count from wrk's output"
if grep -q -e 'Socket errors' -e 'Non-2xx' "$TOPO_DIR/wrk.out"; then
  die "wrk reported errors: $(grep -e 'Socket errors' -e 'Non-2xx' "$TOPO_DIR/wrk.out")"
fi
((requests >= MIN_REQUESTS)) || die "only $requests requests in ${DURATION} s (want >= $MIN_REQUESTS)"
ok "$requests requests, no socket errors, timeouts or non-2xx answers"

# --- 2. the backends' view -------------------------------------------------------------
w1=$(($(access_lines web1) - w1_before)) w2=$(($(access_lines web2) - w2_before))
log "access logs: web1 $w1, web2 $w2 requests"
((w1 + w2 >= requests && w1 + w2 <= requests + CONNECTIONS)) ||
  die "backends served $((w1 + w2)) requests, wrk completed $requests"
((w1 > 0 && w2 > 0)) || die "not both backends served (web1 $w1, web2 $w2)"
ok "backends served every request ($((w1 + w2)) for wrk's $requests), both took a share"

# --- 3. sluice's view ----------------------------------------------------------------
join -t= "$TOPO_DIR/stats-before" "$TOPO_DIR/stats-after" |
  awk -F= '$2 ~ /^[0-9]+$/ && $3 != $2 {printf "%s %d\n", $1, $3 - $2}' >"$TOPO_DIR/stats-delta"
join -t= "$TOPO_DIR/backends-before" "$TOPO_DIR/backends-after" |
  awk -F= '$2 ~ /^[0-9]+$/ && $3 != $2 {printf "%s %d\n", $1, $3 - $2}' >>"$TOPO_DIR/stats-delta"
delta() { awk -v k="/sluice/$1" '$1 == k {d = $2} END {print d + 0}' "$TOPO_DIR/stats-delta"; }
log "sluice: forwarded +$(delta stats.forwarded), flow_new +$(delta stats.flow_new), flow_hits +$(delta stats.flow_hits)"
c1="$(connections_since web1 "$w1_before")" c2="$(connections_since web2 "$w2_before")"
f1="$(delta "backends.${WEB1_4//./_}.new_flows")" f2="$(delta "backends.${WEB2_4//./_}.new_flows")"
s1="$(syns "${TOPO_MAC[web1]}")" s2="$(syns "${TOPO_MAC[web2]}")"
log "SYNs forwarded: web1 $s1, web2 $s2; sluice new flows: web1 $f1, web2 $f2; connections with requests in nginx's logs: web1 $c1, web2 $c2"
[[ "$f1" == "$s1" && "$f2" == "$s2" && "$(delta stats.flow_new)" == "$((s1 + s2))" ]] ||
  die "sluice's new flows (web1 $f1, web2 $f2, total $(delta stats.flow_new)) differ from the SYNs it forwarded (web1 $s1, web2 $s2)"
((c1 <= f1 && c2 <= f2)) || die "nginx served requests on more connections than sluice has flows"
ok "one flow per connection, on the backend that served it ($((s1 + s2)) connections)"
bad_drops="$(awk '$1 ~ /drops\./ && $1 !~ /host_unhandled/' "$TOPO_DIR/stats-delta")"
[[ -z "$bad_drops" ]] || die "sluice dropped packets under load: ${bad_drops//$'\n'/ }"
ok "no drops on the forwarding path"

if [[ "${SLUICE_WORKERS:-1}" == 2 ]]; then
  grep -q "lan0: 2 queue(s) without RSS for 2 workers: each flow is handed to its worker" \
    "$SLUICE_LOG" || die "the dataplane did not announce the flow handoff: $(head -n 20 "$SLUICE_LOG")"
  workers="$(sluice_telemetry /sluice/workers | json_flat)"
  worker_value() { awk -F= -v k="/sluice/workers.$1" '$1 == k {print $2}' <<<"$workers"; }
  for w in worker0 worker1; do
    log "$w: forwarded $(worker_value "$w.forwarded"), handed off $(worker_value "$w.handed_off"), flows created $(worker_value "$w.flow_new")"
    (($(worker_value "$w.forwarded") > 0 && $(worker_value "$w.handed_off") > 0)) ||
      die "$w did not both forward and hand off: $workers"
  done
  created=$(($(worker_value worker0.flow_new) + $(worker_value worker1.flow_new)))
  total_new="$(sluice_stats | json_flat | awk -F= '$1 == "/sluice/stats.flow_new" {print $2}')"
  ((created == total_new)) || die "the workers created $created flows, stats say $total_new"
  ok "two workers: both handed frames over and forwarded, $created flows between them"
fi

sluice_stop || die "sluice-dataplane exited with status $? on SIGTERM"
ok "sluice-dataplane stopped cleanly"
log "PASS"
