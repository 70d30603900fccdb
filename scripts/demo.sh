#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# sluice in front of www.foobar.com, on one machine: a client, sluice and two nginx
# web servers in network namespaces. sluice answers ARP for the VIP and spreads the
# client's connections over web1 and web2 by rewriting the destination MAC (DSR); the
# web servers answer the client directly. Everything is removed on exit.
#
#   sudo scripts/demo.sh                 20 requests (REQUESTS=n to change)
#   BUILD_DIR=build-x scripts/demo.sh    use another build directory
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/netns.sh
source scripts/lib/netns.sh
# shellcheck source=scripts/lib/config.sh
source scripts/lib/config.sh
# shellcheck source=scripts/lib/telemetry.sh
source scripts/lib/telemetry.sh
# shellcheck source=scripts/lib/dataplane.sh
source scripts/lib/dataplane.sh

REQUESTS="${REQUESTS:-20}"
REQUESTS6="${REQUESTS6:-6}"

require_root

banner() { printf '\n== %s\n' "$*"; }

cleanup() {
  local rc=$?
  set +e
  if [[ -n "$SLUICE_PID" ]]; then
    banner "stopping sluice-dataplane"
    sluice_stop
    log "its final counters (non-zero lines):"
    tail -n 45 "$SLUICE_LOG" | grep -v ' 0$' | sed 's/^/    /'
  fi
  topo_down "$rc"
  [[ $(ip netns list | grep -c "^$TOPO_ID-") -eq 0 ]] && log "namespaces removed"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ ! -x "$SLUICE_BIN" ]]; then
  banner "building sluice (no $SLUICE_BIN yet)"
  bash scripts/setup.sh
  if [[ ! -d "$BUILD_DIR/meson-info" ]]; then
    meson setup "$BUILD_DIR" --buildtype=release
  fi
  ninja -C "$BUILD_DIR"
  sluice_require_bin
fi

banner "network namespaces: client, sluice (lb), web1, web2 on one bridge"
topo_up
topo_check_direct || exit 1
log "client reaches web1 ($WEB1_4) and web2 ($WEB2_4) directly"

banner "starting sluice-dataplane: VIP $VIP4:80 and [$VIP6]:80 -> web1, web2 (dsr-l2)"
sluice_config web1 web2 >"$TOPO_DIR/demo.toml"
log "config $TOPO_DIR/demo.toml, first VIP:"
sed -n '/^\[\[vip\]\]/,/^$/p' "$TOPO_DIR/demo.toml" | sed -e '/^$/,$d' -e 's/^/    /'
sluice_start "$TOPO_DIR/demo.toml"
vip_wait "$(vip_url 4)" 20 || exit 1
log "the VIP answers"
if [[ $SLUICE_HUGEPAGES == true ]]; then
  log "to watch its port meanwhile (hugepages on, so dpdk-dumpcap can attach):"
  log "    dpdk-dumpcap --file-prefix $TOPO_FILE_PREFIX -i net_af_packet0 -w /tmp/sluice.pcapng"
else
  log "no free hugepages (scripts/setup.sh reserves them): dpdk-dumpcap cannot attach to this run"
fi

declare -A tally=()
run_requests() {
  local url="$1" n="$2" i who
  for ((i = 1; i <= n; i++)); do
    who="$(www_get "$url")" || true
    printf '    request %2d  %-26s -> %s\n' "$i" "$url" "$who"
    tally[$who]=$((${tally[$who]:-0} + 1))
  done
}

banner "$REQUESTS requests: curl -H 'Host: $WWW_HOST' $(vip_url 4)  (from the client)"
run_requests "$(vip_url 4)" "$REQUESTS"
if ((REQUESTS6 > 0)); then
  banner "$REQUESTS6 requests over IPv6: $(vip_url 6)"
  run_requests "$(vip_url 6)" "$REQUESTS6"
fi

banner "who answered"
for who in $(printf '%s\n' "${!tally[@]}" | sort); do
  printf '    %-8s %3d\n' "$who" "${tally[$who]}"
done

banner "sluice counters (DPDK telemetry: /sluice/stats, /sluice/vips, /sluice/backends,www)"
if stats="$(sluice_stats 2>&1)" && vips="$(sluice_telemetry /sluice/vips 2>&1)" &&
  backends="$(sluice_telemetry /sluice/backends,www 2>&1)"; then
  "$PY" tests/lib/telemetry_summary.py "$stats" "$vips" "$backends"
  log "(read them yourself: dpdk-telemetry.py -f $TOPO_FILE_PREFIX, then /sluice/stats)"
else
  log "telemetry unavailable: $stats $vips $backends"
fi

failed=0
for who in "${!tally[@]}"; do
  [[ "$who" == web1 || "$who" == web2 ]] || failed=1
done
if ((failed)) || [[ -z "${tally[web1]:-}" || -z "${tally[web2]:-}" ]]; then
  banner "demo FAILED: expected every request served, by both web1 and web2"
  exit 1
fi
banner "demo OK: both web servers served through the VIP"
