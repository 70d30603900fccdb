#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Application-level comparison: the same HTTP client (wrk in the client namespace) and
# the same two nginx web servers (web1, web2 of scripts/lib/netns.sh), with in front of
# them, in turn:
#   sluice-busy   sluice-dataplane, dsr-l2, af_packet vdev on the lb veth, idle_sleep_us=0
#                 (pure busy polling: the worker lcore holds one of the box's cores)
#   sluice-idle   the same with idle_sleep_us=IDLE_SLEEP_US (50): the worker sleeps when
#                 its queue stayed empty for a while
#   sluice-xdp    sluice-idle on net_af_xdp with exception_path = "xdp": the XDP steering
#                 program hands sluice the VIP traffic; the lb kernel keeps LB_KERNEL4 on
#                 the same veth (the NIC shared with the host)
#   haproxy       Debian's HAProxy, mode tcp, balance roundrobin, listening on the VIP,
#                 which the lb namespace's kernel owns only while the proxy runs
#   nginx-stream  nginx's stream module (proxy_pass to an upstream of both servers,
#                 round robin), on the VIP too; skipped when the module is absent and
#                 cannot be installed (apt-get install libnginx-mod-stream)
# The proxies are not DSR: they connect to the servers' real addresses from
# LB_KERNEL4 (10.211.0.11), and the servers answer them. Their nginx listens on all
# addresses, so the same servers serve both paths.
#
# Per setup and round: start the front end, check one GET through it, warm up (wrk,
# WARMUP s), then measure:  wrk -t THREADS -c CONNECTIONS -d DURATION --latency
# Rounds are interleaved (each round runs every setup, order rotated by one per round) so
# that the load of a shared machine drifting over the run hits every setup alike. Per
# setup, the table gives the median over ROUNDS of requests/s, p50 and p99 latency (wrk's
# --latency distribution), req/s relative to HAProxy's, and the CPU that the front end's
# processes used during the measured DURATION (utime+stime from /proc/PID/stat of every
# process in the lb namespace: softirq work charged to other tasks is not in it). Also
# logged per run: TCP retransmissions in all namespaces (each is an RTO of >= 200 ms that
# lands in p99) and, for sluice, the frames its af_packet port lost (ethdev imissed etc.).
#
#   BUILD_DIR=build-app bench/app_compare.sh
#
# Environment: THREADS (2), CONNECTIONS (64), DURATION (10), WARMUP (3), ROUNDS (3),
# IDLE_SLEEP_US (50), SETUPS ("sluice-busy sluice-idle sluice-xdp haproxy nginx-stream"),
# MAX_SECONDS (1200: the whole run is killed, and cleaned up, after that),
# KEEP_RUN_DIR=1 keeps the wrk outputs and configs.
# Needs root; leaves no namespace, process, DPDK runtime directory or hugepage file.
set -euo pipefail
# shellcheck source=scripts/lib/netns.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/netns.sh"
# shellcheck source=scripts/lib/config.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/config.sh"
# shellcheck source=scripts/lib/telemetry.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/telemetry.sh"
# shellcheck source=scripts/lib/dataplane.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/dataplane.sh"

THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-3}"
ROUNDS="${ROUNDS:-3}"
IDLE_SLEEP_US="${IDLE_SLEEP_US:-50}"
SETUPS="${SETUPS:-sluice-busy sluice-idle sluice-xdp haproxy nginx-stream}"
MAX_SECONDS="${MAX_SECONDS:-1200}"
STREAM_MODULE=/usr/lib/nginx/modules/ngx_stream_module.so
CLK_TCK="$(getconf CLK_TCK)"

require_root
command -v wrk >/dev/null || die "wrk is not installed (scripts/setup.sh installs it)"
for s in $SETUPS; do
  case "$s" in
  sluice-busy | sluice-idle | sluice-xdp) sluice_require_bin ;;
  haproxy) command -v haproxy >/dev/null || die "haproxy is not installed (apt-get install haproxy)" ;;
  nginx-stream) ;;
  *) die "unknown setup '$s' (sluice-busy sluice-idle sluice-xdp haproxy nginx-stream)" ;;
  esac
done

# The stream module: built in, or Debian's dynamic module, installed if need be.
SKIPPED=""
STREAM_LOAD=""
if [[ " $SETUPS " == *" nginx-stream "* ]]; then
  if nginx -V 2>&1 | grep -q -- '--with-stream\( \|$\)'; then
    :
  else
    if [[ ! -f "$STREAM_MODULE" ]] && nginx -V 2>&1 | grep -q -- '--with-stream=dynamic'; then
      log "nginx's stream module is not installed; trying apt-get install libnginx-mod-stream"
      DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -q --no-install-recommends \
        libnginx-mod-stream >/dev/null 2>&1 || log "note: apt-get install libnginx-mod-stream failed"
    fi
    if [[ -f "$STREAM_MODULE" ]]; then
      STREAM_LOAD="load_module $STREAM_MODULE;"
    else
      SKIPPED="nginx-stream (no stream module in this nginx, libnginx-mod-stream not installable)"
      SETUPS="${SETUPS//nginx-stream/}"
      log "skipping $SKIPPED"
    fi
  fi
fi

PROXY_PID=""
WATCHDOG_PID=""

# forget_pid PID: drop PID from topo_down's list once it is stopped (no kill of a reused
# pid at the end).
forget_pid() {
  local keep=() p
  for p in "${TOPO_PIDS[@]}"; do [[ "$p" == "$1" ]] || keep+=("$p"); done
  TOPO_PIDS=("${keep[@]}")
}

app_cleanup() {
  local rc=$?
  set +e
  if [[ -n "$WATCHDOG_PID" ]]; then
    kill "$WATCHDOG_PID" 2>/dev/null
    wait "$WATCHDOG_PID" 2>/dev/null
  fi
  [[ -n "$PROXY_PID" ]] && kill_pid "$PROXY_PID" 5
  [[ -n "$SLUICE_PID" ]] && sluice_stop
  topo_down "$rc"
}
trap app_cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# The whole run is bounded: after MAX_SECONDS the script gets SIGTERM (its trap cleans up;
# every wrk is bounded by timeout, so the trap runs within DURATION+20 s of that).
(
  trap 'kill "$nap" 2>/dev/null; exit 0' TERM
  sleep "$MAX_SECONDS" &
  nap=$!
  wait "$nap"
  echo "[app_compare] MAX_SECONDS=$MAX_SECONDS reached, stopping" >&2
  kill -TERM $$
) </dev/null 2>&1 &
WATCHDOG_PID=$!

# --- front ends -------------------------------------------------------------------------

lb_kernel_addresses_on() {
  # LB_KERNEL4 first: it is the primary address of the subnet, the source of the proxies'
  # connections to the servers (which hold the VIP on lo and must not answer it).
  in_ns lb ip addr add "$LB_KERNEL4/$NET4_PREFIX" dev "$LB_IFACE"
  in_ns lb ip addr add "$VIP4/32" dev "$LB_IFACE"
}
lb_kernel_addresses_off() { in_ns lb ip -4 addr flush dev "$LB_IFACE"; }

# The client's ARP entry for the VIP is re-learned for each front end.
client_forget_vip() { in_ns client ip neigh flush to "$VIP4" 2>/dev/null || true; }

haproxy_conf() {
  cat <<EOF
# SPDX-License-Identifier: BSD-3-Clause
# generated by bench/app_compare.sh for run $TOPO_ID
global
    maxconn 4000
defaults
    mode tcp
    timeout connect 2s
    timeout client 60s
    timeout server 60s
frontend www
    bind $VIP4:80
    default_backend web
backend web
    balance roundrobin
    source $LB_KERNEL4
    server web1 $WEB1_4:80
    server web2 $WEB2_4:80
EOF
}

nginx_stream_conf() {
  local dir="$1"
  cat <<EOF
# SPDX-License-Identifier: BSD-3-Clause
# generated by bench/app_compare.sh for run $TOPO_ID
$STREAM_LOAD
daemon off;
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
stream {
    upstream web {
        server $WEB1_4:80;
        server $WEB2_4:80;
    }
    server {
        listen $VIP4:80;
        proxy_pass web;
        proxy_bind $LB_KERNEL4;
        proxy_connect_timeout 2s;
        proxy_timeout 60s;
    }
}
EOF
}

proxy_listening() { in_ns lb ss -Hltn "sport = :80" | grep -q .; }

# front_start SETUP: start the front end, wait (bounded) until a GET through it works.
front_start() {
  local setup="$1" dir="$TOPO_DIR/$1"
  mkdir -p "$dir"
  client_forget_vip
  case "$setup" in
  sluice-busy | sluice-idle)
    [[ -z "$(in_ns lb ip -4 -o addr show dev "$LB_IFACE")" ]] ||
      die "the lb kernel still has an address; sluice must own the VIP alone"
    local idle=0
    [[ "$setup" == sluice-idle ]] && idle="$IDLE_SLEEP_US"
    sluice_config web1 web2 |
      sed "s/^idle_sleep_us = .*/idle_sleep_us = $idle/" >"$dir/sluice.toml"
    grep -q "^idle_sleep_us = $idle\$" "$dir/sluice.toml" || die "could not set idle_sleep_us"
    sluice_start "$dir/sluice.toml" || die "sluice-dataplane did not start"
    vip_wait "$(vip_url 4)" 20 || die "VIP never answered through $setup"
    ;;
  sluice-xdp)
    mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
    in_ns lb ip addr add "$LB_KERNEL4/$NET4_PREFIX" dev "$LB_IFACE"
    sluice_config web1 web2 |
      sed -e "s/^idle_sleep_us = .*/idle_sleep_us = $IDLE_SLEEP_US/" \
        -e "s|^device = .*|device = \"net_af_xdp0,iface=$LB_IFACE\"\nexception_path = \"xdp\"|" \
        >"$dir/sluice.toml"
    grep -q '^exception_path = "xdp"' "$dir/sluice.toml" || die "could not select af_xdp"
    sluice_start "$dir/sluice.toml" || die "sluice-dataplane did not start"
    vip_wait "$(vip_url 4)" 20 || die "VIP never answered through $setup"
    ;;
  haproxy)
    haproxy_conf >"$dir/haproxy.cfg"
    haproxy -c -q -f "$dir/haproxy.cfg" || die "haproxy rejects $dir/haproxy.cfg"
    lb_kernel_addresses_on
    topo_bg lb "$dir/haproxy.log" haproxy -db -f "$dir/haproxy.cfg"
    PROXY_PID="$TOPO_LAST_PID"
    wait_until 10 proxy_listening || die "haproxy is not listening: $(tail -n 5 "$dir/haproxy.log")"
    wait_until 10 www_get "$(vip_url 4)" || die "no GET through haproxy"
    ;;
  nginx-stream)
    nginx_stream_conf "$dir" >"$dir/nginx.conf"
    lb_kernel_addresses_on # before the test: nginx -t binds the listen address
    in_ns lb nginx -t -q -e "$dir/error.log" -c "$dir/nginx.conf" 2>"$dir/nginx-t.log" ||
      die "nginx rejects $dir/nginx.conf: $(cat "$dir/nginx-t.log")"
    topo_bg lb "$dir/nginx.log" nginx -e "$dir/error.log" -c "$dir/nginx.conf"
    PROXY_PID="$TOPO_LAST_PID"
    wait_until 10 proxy_listening || die "nginx stream is not listening: $(tail -n 5 "$dir/error.log")"
    wait_until 10 www_get "$(vip_url 4)" || die "no GET through nginx stream"
    ;;
  esac
}

front_stop() {
  local setup="$1" pid
  case "$setup" in
  sluice-busy | sluice-idle | sluice-xdp)
    pid="$SLUICE_PID"
    sluice_stop || log "note: sluice-dataplane exited with status $? on SIGTERM"
    forget_pid "$pid"
    [[ "$setup" == sluice-xdp ]] && lb_kernel_addresses_off
    ;;
  *)
    kill_pid "$PROXY_PID" 10
    wait "$PROXY_PID" 2>/dev/null || true
    forget_pid "$PROXY_PID"
    PROXY_PID=""
    lb_kernel_addresses_off
    ;;
  esac
  # Nothing of this front end may survive into the next one.
  wait_until 10 sh -c "[ -z \"\$(ip netns pids $(ns_name lb))\" ]" ||
    die "processes left in the lb namespace after $setup: $(ip netns pids "$(ns_name lb)" | tr '\n' ' ')"
}

# lb_cpu_ticks: utime+stime (clock ticks) of every process in the lb namespace, all
# threads included (what the front end used; its children for nginx).
lb_cpu_ticks() {
  local total=0 pid rest
  for pid in $(ip netns pids "$(ns_name lb)"); do
    rest="$(cat "/proc/$pid/stat" 2>/dev/null)" || continue
    rest="${rest##*) }" # after "pid (comm) "; fields from 3 on
    # shellcheck disable=SC2086
    set -- $rest
    total=$((total + ${12} + ${13})) # fields 14 (utime) and 15 (stime)
  done
  echo "$total"
}

loadavg1() { cut -d' ' -f1 /proc/loadavg; }

# tcp_retrans: TCP segments retransmitted, summed over the client, lb and server
# namespaces (a lost segment costs an RTO, >= 200 ms: it shows in p99).
tcp_retrans() {
  local node total=0 n
  for node in client lb web1 web2; do
    # shellcheck disable=SC2016 # awk's own $ fields
    n="$(in_ns "$node" awk '$1 == "Tcp:" && $2 ~ /^[0-9]+$/ {print $13}' /proc/net/snmp)"
    total=$((total + ${n:-0}))
  done
  echo "$total"
}

# port_drops SETUP: for sluice, frames its port lost (imissed: the af_packet RX ring was
# full because the worker was not running; rx_nombuf; oerrors), from DPDK telemetry;
# "-" for the proxies.
port_drops() {
  [[ "$1" == sluice-* ]] || {
    echo -
    return
  }
  sluice_telemetry /ethdev/stats,0 | "$PY" "$REPO_ROOT/tests/lib/telemetry_answer.py" port-drops
}

# wrk_run OUT SECONDS: the client's wrk against the VIP; its output in OUT.
wrk_run() {
  in_ns client timeout $(($2 + 20)) wrk -t "$THREADS" -c "$CONNECTIONS" -d "${2}s" --latency \
    -H "Host: $WWW_HOST" "http://$VIP4/" >"$1" 2>&1 || die "wrk failed: $(cat "$1")"
}

# to_ms VALUE: a wrk duration (812.00us, 1.23ms, 1.02s, 1.50m) in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else printf "nan" }'
}

# wrk_parse OUT: "rps p50_ms p99_ms requests errors"
wrk_parse() {
  local out="$1" rps p50 p99 req err
  rps="$(awk '/^Requests\/sec:/ {print $2}' "$out")"
  p50="$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")"
  p99="$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")"
  req="$(awk '/requests in/ {print $1}' "$out")"
  err="$(awk '/Socket errors:/ {gsub(/,/, ""); e += $4 + $6 + $8 + $10}
              /Non-2xx/ {e += $NF} END {print e + 0}' "$out")"
  [[ -n "$rps" && -n "$req" && "$p50" != nan && "$p99" != nan ]] ||
    die "cannot parse wrk's output: $(cat "$out")"
  echo "$rps $p50 $p99 $req $err"
}

access_total() { cat "$TOPO_DIR"/web{1,2}/nginx/access.log | wc -l; }
access_of() { wc -l <"$TOPO_DIR/$1/nginx/access.log"; }

# --- the run ----------------------------------------------------------------------------

topo_up
topo_check_direct || die "topology broken before any front end starts"

read -r -a setup_list <<<"$SETUPS"
n_setups=${#setup_list[@]}
((n_setups > 0)) || die "nothing to measure"
# setup round rps p50 p99 requests errors cpu_s load1_before load1_after retransmits port_drops
RAW="$TOPO_DIR/raw.tsv"
: >"$RAW"
LOADS=()
started="$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
log "start $started; load average $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs"
log "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency, warm-up ${WARMUP}s, $ROUNDS interleaved rounds; setups: ${setup_list[*]}"

for ((round = 1; round <= ROUNDS; round++)); do
  for ((k = 0; k < n_setups; k++)); do
    setup="${setup_list[$(((k + round - 1) % n_setups))]}"
    front_start "$setup"
    wrk_run "$TOPO_DIR/$setup/warmup-$round.out" "$WARMUP"
    w1="$(access_of web1)" w2="$(access_of web2)"
    l0="$(loadavg1)"
    r0="$(tcp_retrans)" p0="$(port_drops "$setup")"
    c0="$(lb_cpu_ticks)"
    wrk_run "$TOPO_DIR/$setup/wrk-$round.out" "$DURATION"
    c1="$(lb_cpu_ticks)"
    r1="$(tcp_retrans)" p1="$(port_drops "$setup")"
    retrans=$((r1 - r0)) pdrops=-
    [[ "$p0" == - ]] || pdrops=$((p1 - p0))
    l1="$(loadavg1)"
    LOADS+=("$l0" "$l1")
    parsed="$(wrk_parse "$TOPO_DIR/$setup/wrk-$round.out")"
    read -r rps p50 p99 req err <<<"$parsed"
    cpu="$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" 'BEGIN {printf "%.2f", t / hz}')"
    d1=$(($(access_of web1) - w1)) d2=$(($(access_of web2) - w2))
    printf '%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$setup" "$round" "$rps" "$p50" \
      "$p99" "$req" "$err" "$cpu" "$l0" "$l1" "$retrans" "$pdrops" >>"$RAW"
    log "round $round $setup: $rps req/s, p50 ${p50} ms, p99 ${p99} ms, $req requests, $err errors, LB CPU ${cpu} s, TCP retransmits $retrans, port drops $pdrops, web1/web2 $d1/$d2, load $l0 -> $l1"
    ((err == 0)) || log "note: wrk reported $err errors for $setup round $round"
    ((d1 > 0 && d2 > 0)) || log "note: not both servers served requests ($d1/$d2)"
    front_stop "$setup"
  done
done
ended="$(date -u '+%Y-%m-%d %H:%M:%S UTC')"

# --- the table ----------------------------------------------------------------------------

median() { sort -g | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
col() { awk -F'\t' -v s="$1" -v c="$2" '$1 == s {print $c}' "$RAW" | median; }

haproxy_rps=""
[[ " ${setup_list[*]} " == *" haproxy "* ]] && haproxy_rps="$(col haproxy 3)"
loads_sorted="$(printf '%s\n' "${LOADS[@]}" | sort -g)"
echo
echo "app_compare: $started -> $ended, $(nproc) CPUs, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency,"
echo "median of $ROUNDS interleaved rounds; 1-min load average $(head -n 1 <<<"$loads_sorted")-$(tail -n 1 <<<"$loads_sorted") around the measurements"
echo
echo "| setup | req/s | p50 ms | p99 ms | req/s vs HAProxy | LB CPU s per ${DURATION} s run | LB CPU µs per request | wrk errors | TCP retransmits (sum) |"
echo "|---|---|---|---|---|---|---|---|---|"
for setup in "${setup_list[@]}"; do
  rps="$(col "$setup" 3)" p50="$(col "$setup" 4)" p99="$(col "$setup" 5)" cpu="$(col "$setup" 8)"
  errs="$(awk -F'\t' -v s="$setup" '$1 == s {e += $7} END {print e + 0}' "$RAW")"
  rtx="$(awk -F'\t' -v s="$setup" '$1 == s {e += $11} END {print e + 0}' "$RAW")"
  per_req="$(awk -F'\t' -v s="$setup" '$1 == s {print $8 * 1e6 / $6}' "$RAW" | median)"
  ratio="—"
  [[ -n "$haproxy_rps" ]] && ratio="$(awk -v a="$rps" -v b="$haproxy_rps" 'BEGIN {printf "%.2f", a / b}')"
  printf '| %s | %.0f | %.2f | %.2f | %s | %.2f | %.1f | %s | %s |\n' "$setup" "$rps" "$p50" \
    "$p99" "$ratio" "$cpu" "$per_req" "$errs" "$rtx"
done
[[ -n "$SKIPPED" ]] && echo && echo "skipped: $SKIPPED"
echo
echo "per run (setup round req/s p50_ms p99_ms requests errors lb_cpu_s load1_before load1_after tcp_retransmits sluice_port_drops):"
sort -k1,1 -k2,2n "$RAW" | sed 's/^/    /'
