#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Soak: wrk keeps CONNECTIONS (1000) keep-alive connections busy through the www VIP for
# SOAK_SECONDS (60 here; the issue's figure is 600) while sluiced health-checks web1 and
# web2 and a chaos loop, every CHAOS_EVERY (4) s and at most SOAK_SECONDS / CHAOS_EVERY
# times, does in rotation:
#   1. reload by SIGHUP: web1's weight 1 -> 3          6. reload by SIGHUP: web1 state
#   2. flap: web2's nginx stopped until sluiced says      "drain" in the config
#      DOWN, 2 s, started again until sluiced says UP  7. sluiced restarted (SIGTERM)
#   3. sluiced restarted (SIGKILL)                      8. `sluicectl reload` of the base
#   4. `sluicectl reload`: VIP soak2 (tcp/8080) added      config (soak2 gone, weight 1,
#   5. `set backend www web2 state drain`, 2 s, `ready`    web1 ready)
#                                                       9. flap again
# (web1 is never drained or stopped while web2 flaps: the VIP always has a backend.)
# A sampler (tests/lib/soak_sampler.py, every SAMPLE_EVERY = 0.3 s) records what sluiced
# says (`sluicectl --json show info;show vips;show backends`), what the dataplane has and
# did (telemetry /sluice/vips, /sluice/backends,VIP, /sluice/stats), both processes'
# VmRSS and the client's TCP counters. At the end (tests/lib/soak_check.py and
# tests/lib/soak_accounting.py):
#   1. no VIP sluiced lists as serving (serving > 0) was ever missing from the dataplane,
#      and every backend of such a VIP was there in the state sluiced's `effective` asks
#      for -- counting a mismatch only when the last change (a chaos step, or sluiced's
#      answer changing) is more than GRACE_S = 1 s old: the snapshot push is asynchronous.
#      While sluiced is down its last answer stands (the dataplane keeps its state).
#   2. every frame accounted for, exactly: rx_packets = the sum of the outcome counters
#      (role kOutcome in dataplane/pipeline/counters.h: forwarded, the local answers,
#      neighbor_answers, to_host, the drops of a received frame), on the telemetry at the
#      end and on the exit summary; neighbor_answers = the answers to the dataplane's own
#      solicitations tcpdump saw on their way to it (less what af_packet's ring dropped);
#      ethdev ipackets/opackets = rx/tx_packets; and the kernel's counters of the lb veth
#      (ip -s link) agree: rx + the lb kernel's own tx = ipackets + the port's kernel_drops.
#   3. RSS flat: the dataplane's at the end at most RSS_SLACK_KIB (8 MiB) above its value
#      after WARMUP_S (10) s of load; each sluiced process at most SLUICED_RSS_SLACK_KIB
#      (1 MiB) above its value 3 s after it started (a restart starts a new baseline).
#   4. errors, dated by the samples. Disturbances: the flaps (from the nginx stop to 2 s
#      after sluiced says UP again) and any health failure of web1 (on a saturated box the
#      backend left alone in a flap can miss its check; the VIP then has no backend, as
#      sluiced asks). Outside them the client's kernel sees no failed connection attempt
#      and no reset. Always: the dataplane forwards in every sample interval -- a sluiced
#      reload, restart or SIGKILL costs nothing -- and drops nothing but the lb kernel's
#      own traffic (not_for_us), host frames (host_unhandled) and, in a health failure of
#      web1, vip_no_backend; no non-2xx answer; wrk's connect + read + write errors at most
#      the client's failures in disturbances plus CONNECTIONS per flap (an nginx stop ends
#      each connection it holds, some with a FIN, not a reset); wrk's timeouts at most
#      CONNECTIONS per flap, health failure and stall of the box (a sample interval over
#      1 s; the client's retransmission timeouts are printed for the same reason, not
#      judged).
# The port's af_packet ring has AF_PACKET_FRAMES (4096) frames, about what 1000
# closed-loop connections can have in flight: with the PMD's default 512 about 8 % of the
# frames were lost in the ring on this busy 2-core box, with 4096 a few hundred in ten
# minutes. The dataplane counts them (port_lan0_kernel_drops, read from the kernel's
# PACKET_STATISTICS; DPDK 22.11's af_packet PMD leaves imissed at 0).
#
# Defects this test found, fixed since: sluiced stopped delivering changes while `show
# info` said connected (the dataplane's channel closed a client that had just sent, 269d254;
# sluiced never registered a reconnection that got the old fd number, 5a353df); answers to
# the dataplane's own solicitations ended in no outcome counter (now neighbor_answers).
#
# SOAK_SECONDS is 60 by default, for scripts/test.sh (the whole script then takes about
# 70 s here; E2E_TIMEOUT allows 300 s). The issue's figure is 600:
#   SOAK_SECONDS=600 TOPO_ID=s$$ tests/e2e/e2e_soak.sh   (KEEP_RUN_DIR=1 keeps the samples,
#                                                          events and logs)
set -euo pipefail
# Each nginx must hold every connection on its own while the other is away.
export NGINX_WORKER_CONNECTIONS=4096
# shellcheck source=scripts/lib/netns.sh
source "$(dirname "$0")/../../scripts/lib/netns.sh"
# shellcheck source=scripts/lib/config.sh
source "$(dirname "$0")/../../scripts/lib/config.sh"
# shellcheck source=scripts/lib/telemetry.sh
source "$(dirname "$0")/../../scripts/lib/telemetry.sh"
# shellcheck source=scripts/lib/dataplane.sh
source "$(dirname "$0")/../../scripts/lib/dataplane.sh"
# shellcheck source=scripts/lib/sluiced.sh
source "$(dirname "$0")/../../scripts/lib/sluiced.sh"
# shellcheck source=scripts/lib/e2e.sh
source "$(dirname "$0")/../../scripts/lib/e2e.sh"

SOAK_SECONDS="${SOAK_SECONDS:-60}"
CONNECTIONS="${CONNECTIONS:-1000}"
CHAOS_EVERY="${CHAOS_EVERY:-4}"
SAMPLE_EVERY="${SAMPLE_EVERY:-0.3}"
WARMUP_S="${WARMUP_S:-10}"
RSS_SLACK_KIB="${RSS_SLACK_KIB:-8192}"
SLUICED_RSS_SLACK_KIB="${SLUICED_RSS_SLACK_KIB:-1024}"
AF_PACKET_FRAMES="${AF_PACKET_FRAMES:-4096}"
GRACE_S=1.0     # a mismatch younger than this after a change is the push in flight
STALL_S=1.0     # a sample interval longer than this: the box itself was held up
CHAOS_START_S=3 # the first chaos step, once the connections are up
FLAP_DOWN_S=2   # how long web2's nginx stays stopped once sluiced says DOWN
FLAP_TAIL_S=2   # a flap's errors may show up to this long after web2 is UP again
QUIET_S=5       # no chaos step starts in the last QUIET_S + ACTION_MAX_S s of load
ACTION_MAX_S=6  # the longest chaos step (a flap: ~1.5 s to DOWN + 2 s + ~1.5 s to UP)
export SLUICED_CONTROLPLANE=1
# The fast check of the other tests (0.15 s timeout) fails under this load now and then;
# one that waits 1 s for an answer still sees a stopped nginx within 1.5 s (refused at
# once: a check every second, then every 0.2 s while the state changes, fall 3). Even so
# the backend left alone in a flap may miss it on a saturated box: check 4 allows for it.
export SLUICED_WWW_CHECK="type = \"http\"
port = 80
path = \"/\"
host = \"$WWW_HOST\"
status = \"200-399\"
interval = 1
fast_interval = 0.2
timeout = 1
rise = 2
fall = 3"
T_START=$SECONDS

((SOAK_SECONDS >= 30)) || die "SOAK_SECONDS must be at least 30 (warm-up, chaos, a quiet end)"
require_root
sluice_require_bin
sluiced_require_bin
command -v wrk >/dev/null || die "wrk is not installed (scripts/setup.sh installs it)"
e2e_traps

sluicectl_answer() { "$PY" "$REPO_ROOT/tests/lib/sluicectl_answer.py" "$@"; }
# backend_field ADDR FIELD: FIELD of backend ADDR of www in `sluicectl --json show backends`.
backend_field() {
  sluicectl_run --json show backends www 2>/dev/null | sluicectl_answer backend "$1" "$2"
}
backend_field_is() { [[ "$(backend_field "$1" "$2")" == "$3" ]]; }
info_field() { sluicectl_run --json show info 2>/dev/null | sluicectl_answer info "$1"; }
generation_above() { (($(info_field config_generation) > $1)); }
dp_ready() { [[ "$(dataplane_backend_state www "$1")" == ready ]]; }

EVENTS=""
CHAOS_DONE=0
# event KIND [DETAIL]: one line of the chaos log the checks date their grace and flaps by.
event() { printf '%s %s %s\n' "$EPOCHREALTIME" "$1" "${2:-}" >>"$EVENTS"; }

# --- configs -------------------------------------------------------------------------------
# with_web1 KEY VALUE: the config on stdin with KEY = VALUE added to web1 of www (the only
# backend with WEB1_4's address: www6 has IPv6 ones, soak2 comes after this).
with_web1() { sed "/^  address = \"${WEB1_4//./\\.}\"\$/a\\  $1 = $2"; }
soak2_vip() {
  printf '\n[[vip]]\nname = "soak2"\naddress = "%s"\nprotocol = "tcp"\nport = 8080\nmode = "dsr-l2"\n' "$VIP4"
  printf '  [[vip.backend]]\n  address = "%s"\n' "$WEB1_4" "$WEB2_4"
}
write_configs() {
  sluice_config web1 web2 |
    sed "s/^\(device = \"net_af_packet0,[^\"]*\)\"/\1,framecnt=$AF_PACKET_FRAMES\"/" >"$TOPO_DIR/base.toml"
  with_web1 weight 3 <"$TOPO_DIR/base.toml" >"$TOPO_DIR/weight.toml"
  { cat "$TOPO_DIR/weight.toml"; soak2_vip; } >"$TOPO_DIR/soak2.toml"
  { with_web1 state '"drain"' <"$TOPO_DIR/weight.toml"; soak2_vip; } >"$TOPO_DIR/drain.toml"
  local c
  for c in base weight soak2 drain; do
    "$SLUICED_BIN" --config "$TOPO_DIR/$c.toml" --check >/dev/null ||
      die "sluiced --check refuses the soak's $c config: $("$SLUICED_BIN" --config "$TOPO_DIR/$c.toml" --check 2>&1)"
  done
  if ! grep -q "framecnt=$AF_PACKET_FRAMES\"" "$TOPO_DIR/base.toml" ||
    ! grep -q 'weight = 3' "$TOPO_DIR/weight.toml" || ! grep -q 'state = "drain"' "$TOPO_DIR/drain.toml"; then
    die "the config variants did not get their change"
  fi
}
live_config() { cp "$TOPO_DIR/$1.toml" "$SLUICE_CONF.new" && mv "$SLUICE_CONF.new" "$SLUICE_CONF"; }

# --- chaos steps ----------------------------------------------------------------------------
reload_hup() {
  local gen
  gen="$(info_field config_generation)"
  live_config "$1"
  event reload-hup "$1"
  kill -HUP "$SLUICED_PID"
  wait_for 5 generation_above "$gen" ||
    die "SIGHUP with the $1 config: sluiced's config generation stayed $gen"
}
reload_ctl() {
  local out
  live_config "$1"
  event reload-ctl "$1"
  out="$(sluicectl_run reload 2>&1)" || die "sluicectl reload of the $1 config failed: $out"
  grep -q generation <<<"$out" || die "sluicectl reload of the $1 config answered '$out'"
}
flap() {
  local master t0
  master="$(cat "$TOPO_DIR/web2/nginx/nginx.pid")"
  t0="$EPOCHREALTIME"
  event flap-begin web2
  kill -TERM "$master"
  wait_for 5 backend_field_is "$WEB2_4" health DOWN ||
    die "flap: web2 not DOWN within 5 s of stopping its nginx"
  event flap-down "web2 DOWN after $(elapsed "$t0") s"
  nginx_stop web2
  sleep "$FLAP_DOWN_S"
  t0="$EPOCHREALTIME"
  event flap-start web2
  nginx_start web2
  wait_for 5 backend_field_is "$WEB2_4" health UP ||
    die "flap: web2 not UP within 5 s of starting its nginx"
  event flap-end "web2 UP after $(elapsed "$t0") s"
}
drain_ready() {
  local out
  event drain web2
  out="$(sluicectl_run set backend www "$WEB2_4" state drain 2>&1)" || die "set ... state drain: $out"
  sleep 2
  event ready web2
  out="$(sluicectl_run set backend www "$WEB2_4" state ready 2>&1)" || die "set ... state ready: $out"
}
restart_sluiced() {
  local sig="$1" rc=0 old="$SLUICED_PID"
  event "restart-$sig" "pid $old"
  sluiced_stop "$sig" || rc=$?
  if [[ "$sig" == TERM ]]; then
    ((rc == 0)) || die "sluiced exited with status $rc on SIGTERM"
  else
    ((rc == 137)) || die "sluiced SIGKILLed exited with status $rc, want 137"
  fi
  sluiced_start || die "sluiced did not start again after SIG$sig"
  event sluiced-up "pid $SLUICED_PID"
}
chaos_step() {
  case $(($1 % 9)) in
  0) reload_hup weight ;;
  1) flap ;;
  2) restart_sluiced KILL ;;
  3) reload_ctl soak2 ;;
  4) drain_ready ;;
  5) reload_hup drain ;;
  6) restart_sluiced TERM ;;
  7) reload_ctl base ;;
  8) flap ;;
  esac
}

# --- counters -------------------------------------------------------------------------------
# snapshot FILE: the dataplane's counters, its port's and the kernel's for the lb veth.
snapshot() {
  local stats ethdev link
  stats="$(sluice_telemetry /sluice/stats)" || return 1
  ethdev="$(sluice_telemetry /ethdev/stats,0)" || return 1
  link="$(ip -n "$(ns_name lb)" -s -j link show "$LB_IFACE")" || return 1
  printf '{"stats":%s,"ethdev":%s,"link":%s}\n' "$stats" "$ethdev" "$link" >"$1"
}
# wire_answers: the answers to the dataplane's solicitations tcpdump has seen so far.
wire_answers() { grep -cE 'Reply|neighbor advertisement' "$TOPO_DIR/neighbor-answers.txt" || true; }
# quiet_snapshot FILE: the counters at a moment nothing moves: a snapshot, 0.5 s, a
# snapshot, until the two agree (at most 20 tries). Halfway between them the answers on
# the wire are counted into FILE.wire: every one of those has reached the dataplane by the
# second snapshot, and nothing reached it in between.
quiet_snapshot() {
  local i
  for ((i = 0; i < 20; i++)); do
    snapshot "$1.prev" || return 1
    sleep 0.25
    wire_answers >"$1.wire"
    sleep 0.25
    snapshot "$1" || return 1
    "$PY" "$REPO_ROOT/tests/lib/soak_accounting.py" same "$1.prev" "$1" && return 0
  done
  return 1
}

# === setup ===================================================================================
topo_up
lb_kernel_address
topo_check_direct || die "topology broken before sluice even starts"
EVENTS="$TOPO_DIR/events"
: >"$EVENTS"
write_configs

# Answers to the dataplane's own ARP / ND solicitations, as they reach its veth (check 2).
topo_bg sw "$TOPO_DIR/neighbor-answers.txt" tcpdump -i p-lb -Q out -nn -l -U \
  "(arp dst host $LB4 and arp[6:2] = 2) or (icmp6 and ip6 dst host $LB6 and ip6[40] = 136)"
TCPDUMP_PID="$TOPO_LAST_PID"
wait_until 10 grep -q 'listening on' "$TOPO_DIR/neighbor-answers.txt" || die "tcpdump did not start"

sluice_start "$TOPO_DIR/base.toml"
vip_wait "$(vip_url 4)" 20 || die "VIP never answered"
quiet_snapshot "$TOPO_DIR/counters-before.json" || die "the dataplane's counters never stood still"
sluiced_start || die "sluiced did not start"
event sluiced-up "pid $SLUICED_PID"
for a in "$WEB1_4" "$WEB2_4"; do
  wait_for 10 backend_field_is "$a" effective serving || die "$a not serving within 10 s"
  wait_until 5 dp_ready "$a" || die "dataplane has $a as not ready"
done
ok "dataplane, sluiced and both backends up; $(grep -c . "$TOPO_DIR/neighbor-answers.txt" || true) lines of tcpdump so far"

# A process in the client's namespace for the sampler to read its TCP counters through.
topo_bg client /dev/null sleep $((SOAK_SECONDS + 300))
CLIENT_PID="$TOPO_LAST_PID"

# === load, sampler, chaos ====================================================================
"$PY" "$REPO_ROOT/tests/lib/soak_sampler.py" --sluicectl "$SLUICECTL_BIN" \
  --socket "$(sluiced_socket)" --telemetry "$(sluice_telemetry_socket)" \
  --dataplane-pid "$SLUICE_PID" --client-pid "$CLIENT_PID" --out "$TOPO_DIR/samples.jsonl" \
  --interval "$SAMPLE_EVERY" --stop-file "$TOPO_DIR/stop-sampler" \
  --max-seconds $((SOAK_SECONDS + 60)) --sluiced-log "$TOPO_DIR/sluiced.log" \
  2>"$TOPO_DIR/sampler.log" &
SAMPLER_PID=$!
TOPO_PIDS+=("$SAMPLER_PID")

LOAD_START="$EPOCHREALTIME"
log "wrk: $CONNECTIONS connections, $SOAK_SECONDS s, http://$VIP4/ (Host: $WWW_HOST); chaos every $CHAOS_EVERY s"
ip netns exec "$(ns_name client)" timeout $((SOAK_SECONDS + 30)) wrk -t 2 -c "$CONNECTIONS" \
  -d "${SOAK_SECONDS}s" --timeout 2s -H "Host: $WWW_HOST" "http://$VIP4/" \
  >"$TOPO_DIR/wrk.out" 2>&1 &
WRK_PID=$!
TOPO_PIDS+=("$WRK_PID")

sleep "$CHAOS_START_S"
chaos_max=$((SOAK_SECONDS / CHAOS_EVERY))
chaos_until="$(fcalc "$LOAD_START + $SOAK_SECONDS - $QUIET_S - $ACTION_MAX_S")"
next="$EPOCHREALTIME"
for ((i = 0; i < chaos_max; i++)); do
  le "$EPOCHREALTIME" "$chaos_until" || break
  if ! kill -0 "$WRK_PID" 2>/dev/null; then
    rc=0
    wait "$WRK_PID" || rc=$?
    die "wrk ended early, exit status $rc$( ((rc > 128)) && echo " (signal $((rc - 128)))"): $(cat "$TOPO_DIR/wrk.out")"
  fi
  chaos_step "$i"
  CHAOS_DONE=$((CHAOS_DONE + 1))
  next="$(fcalc "$next + $CHAOS_EVERY")"
  wait_s="$(fsub "$next" "$EPOCHREALTIME")"
  if le 0 "$wait_s"; then sleep "$wait_s"; else next="$EPOCHREALTIME"; fi
done
log "chaos: $CHAOS_DONE steps"

rc=0
wait "$WRK_PID" || rc=$?
((rc == 0)) || die "wrk exited with status $rc: $(cat "$TOPO_DIR/wrk.out")"
sed 's/^/    /' "$TOPO_DIR/wrk.out"
touch "$TOPO_DIR/stop-sampler"
wait "$SAMPLER_PID" || die "the sampler failed: $(tail -n 5 "$TOPO_DIR/sampler.log")"
sluiced_alive || die "sluiced is not running at the end"
rc=0
sluiced_stop TERM || rc=$?
((rc == 0)) || die "sluiced exited with status $rc on SIGTERM at the end"

# === the end's counters ======================================================================
quiet_snapshot "$TOPO_DIR/counters-after.json" ||
  die "the dataplane's counters never stood still after the load"
rc=0
sluice_stop || rc=$?
((rc == 0)) || die "sluice-dataplane exited with status $rc on SIGTERM"
kill -INT "$TCPDUMP_PID"
wait_until 5 sh -c "! kill -0 $TCPDUMP_PID 2>/dev/null" || die "tcpdump did not stop"

# === checks ==================================================================================
failed=()
log "1, 3, 4: sluiced vs the dataplane, RSS, errors ($(wc -l <"$TOPO_DIR/samples.jsonl") samples)"
"$PY" "$REPO_ROOT/tests/lib/soak_check.py" "$TOPO_DIR/samples.jsonl" "$EVENTS" \
  "$TOPO_DIR/wrk.out" --load-start "$LOAD_START" \
  --load-end "$(fcalc "$LOAD_START + $SOAK_SECONDS - 0.5")" --grace "$GRACE_S" \
  --warmup "$WARMUP_S" --connections "$CONNECTIONS" --rss-slack-kib "$RSS_SLACK_KIB" \
  --sluiced-rss-slack-kib "$SLUICED_RSS_SLACK_KIB" --flap-tail "$FLAP_TAIL_S" --stall "$STALL_S" \
  --flapped "$WEB2_4" --summary "$TOPO_DIR/summary" || failed+=("1/3/4")
log "2: where every frame went"
"$PY" "$REPO_ROOT/tests/lib/soak_accounting.py" check "$TOPO_DIR/counters-before.json" \
  "$TOPO_DIR/counters-after.json" "$SLUICE_LOG" \
  --wire-neighbor-answers "$(cat "$TOPO_DIR/counters-after.json.wire")" \
  --summary "$TOPO_DIR/summary" || failed+=("2")

log "summary: $SOAK_SECONDS s of load, $CONNECTIONS connections, $CHAOS_DONE chaos steps"
sed 's/^/    /' "$TOPO_DIR/summary"
((${#failed[@]} == 0)) ||
  die "soak checks failed: ${failed[*]} after $((SECONDS - T_START)) s (run files in $TOPO_DIR)"
log "PASS in $((SECONDS - T_START)) s"
