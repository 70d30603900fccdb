#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: DSR by IPIP and GUE tunnels, decapsulated on the backends by sluice-decap.
#
# The kernel here has no ipip/fou modules, so without help web1/web2 cannot open the
# tunnels sluice sends them. sluice-decap attaches bpf/decap.bpf.c (XDP) on their eth0;
# it strips the outer headers of tunnel packets addressed to the backend and passes the
# inner packet (client -> VIP) to the stack, where nginx answers from the VIP on lo,
# straight to the client.
#
#   0. sluice in ipip mode, no decap program: requests through the VIP fail.
#   1. sluice-decap attach on web1/web2; then for each phase (a SIGHUP reload each)
#        ipip        VIP4 -> IPv4 backends (4in4), VIP6 -> IPv6 backends (6in6)
#        gue         the same in UDP to port 6080
#        ipip-4in6   VIP4 -> IPv6 backends (4in6); VIP6 6in6
#        gue-7000    VIP4 -> IPv6 backends over GUE port 7000 (decap re-attached with
#                    --gue-port 7000, replacing the program in place); VIP6 too
#      REQUESTS GETs per VIP family must all be answered, by both backends; nginx must
#      log the client's own address (the inner packet arrived unchanged); the backends'
#      decapsulated_<kind> counters together must have moved by exactly the packets
#      sluice forwarded, with no decap drops.
#   2. Over the whole run, every reply from the VIP reaching the client came from a
#      backend's MAC, never sluice's (direct server return), and sluice sent tunnel
#      packets only (IPIP / GUE), no plain VIP traffic.
#   3. sluice-decap detach leaves no XDP program on the backends.
#
#   BUILD_DIR=build-x tests/e2e/e2e_ipip_gue.sh
#   DECAP_MODE=generic                    attach in generic (skb) XDP mode; default: auto
#                                         (native on veth)
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

REQUESTS="${REQUESTS:-24}"
DECAP_BIN="${DECAP_BIN:-$BUILD_DIR/bpf/sluice-decap}"
ENCAP_SOURCE4="172.16.0.0/16"
ENCAP_SOURCE6="fd00:5c::/64"
BACKENDS=(web1 web2)

require_root
sluice_require_bin
[[ -x "$DECAP_BIN" ]] || die "sluice-decap not found at $DECAP_BIN (build it: meson setup $BUILD_DIR && ninja -C $BUILD_DIR)"

DECAP_ATTACHED=()
ipip_cleanup() {
  local rc=$? node
  set +e
  for node in "${DECAP_ATTACHED[@]}"; do
    in_ns "$node" "$DECAP_BIN" detach eth0 >/dev/null 2>&1
  done
  (exit "$rc")
  e2e_cleanup
}
e2e_traps
trap ipip_cleanup EXIT

# encap_config MODE V4_BACKEND_FAMILY [GUE_PORT]: the run's dataplane config with both
# VIPs (www VIP4 tcp/80, www6 VIP6 tcp/80) in MODE; www's backends are web1/web2 by
# their IPv4 (4) or IPv6 (6) addresses, www6's by their IPv6 addresses.
encap_config() {
  local mode="$1" fam4="$2" gue_port="${3:-}" vip node addr fam extra=""
  [[ -n "$gue_port" ]] && extra=$'\n'"gue_port = $gue_port"
  # The [dataplane] and [[port]] sections of the standard config, without its VIPs.
  sluice_config | sed '/^\[\[vip\]\]/,$d'
  for vip in "www|$VIP4|$fam4" "www6|$VIP6|6"; do
    IFS='|' read -r name addr fam <<<"$vip"
    cat <<EOF
[[vip]]
name = "$name"
address = "$addr"
protocol = "tcp"
port = 80
mode = "$mode"$extra
EOF
    if [[ $fam == 4 ]]; then
      echo "encap_source = \"$ENCAP_SOURCE4\""
    else
      echo "encap_source6 = \"$ENCAP_SOURCE6\""
    fi
    for node in "${BACKENDS[@]}"; do
      if [[ $fam == 4 ]]; then addr="${TOPO_IP4[$node]}"; else addr="${TOPO_IP6[$node]}"; fi
      printf '  [[vip.backend]]\n  address = "%s"\n' "$addr"
    done
    echo
  done
}

# decap_counter NODE NAME: packets of one sluice-decap counter on NODE's eth0.
decap_counter() {
  in_ns "$1" "$DECAP_BIN" stats eth0 | awk -v n="$2" '$1 == n {print $2; found=1} END {if (!found) print "?"}'
}
# decap_drops NODE: sum of the dropped_* counters on NODE.
decap_drops() {
  in_ns "$1" "$DECAP_BIN" stats eth0 | awk '$1 ~ /^dropped_/ {s += $2} END {print s + 0}'
}
decap_attach() { # NODE [ARGS...]
  local node="$1" out
  shift
  out="$(in_ns "$node" "$DECAP_BIN" attach eth0 --mode "${DECAP_MODE:-auto}" "$@" 2>&1)" || die "sluice-decap attach on $node failed: $out"
  [[ " ${DECAP_ATTACHED[*]} " == *" $node "* ]] || DECAP_ATTACHED+=("$node")
  log "$node: $(head -n 1 <<<"$out")"
}
access_lines() { # NODE CLIENT_ADDR: nginx log lines with that remote address
  grep -c "^$2 " "$TOPO_DIR/$1/nginx/access.log" 2>/dev/null || true
}

topo_up
topo_check_direct || die "topology broken before sluice even starts"
ok "client reaches web1 and web2 directly (IPv4 and IPv6)"

# Capture the client's and sluice's bridge ports for the whole run.
for port in client lb; do
  topo_bg sw "$TOPO_DIR/tcpdump-$port.log" tcpdump -i "p-$port" -nn -U -s 160 -w "$TOPO_DIR/$port.pcap"
  eval "TCPDUMP_$port=$TOPO_LAST_PID"
  wait_until 10 grep -q 'listening on' "$TOPO_DIR/tcpdump-$port.log" ||
    die "tcpdump on p-$port did not start: $(cat "$TOPO_DIR/tcpdump-$port.log")"
done

# --- 0. tunnels without the decap program go nowhere --------------------------------------
encap_config ipip 4 >"$TOPO_DIR/ipip.toml"
sluice_start "$TOPO_DIR/ipip.toml"
wait_until 10 sluice_all_resolved || die "backends not resolved: $(sluice_telemetry /sluice/neighbors)"
# A first SYN may still meet an unresolved neighbor: try up to 3 GETs (2 s each) until
# sluice has forwarded something; none may succeed.
for ((try = 1; try <= 3; try++)); do
  if who="$(www_get "$(vip_url 4)")"; then
    die "a GET through the ipip VIP succeeded ($who) before any backend could decapsulate"
  fi
  (($(stat_get forwarded) > 0)) && break
done
(($(stat_get forwarded) > 0)) || die "sluice forwarded nothing for $((try - 1)) failed GETs"
ok "ipip without sluice-decap on the backends: no answer (the kernel has no ipip module), as expected"

# --- 1. with sluice-decap -------------------------------------------------------------------
for node in "${BACKENDS[@]}"; do decap_attach "$node"; done
vip_wait "$(vip_url 4)" 20 || die "the ipip VIP never answered with sluice-decap attached"
ok "ipip VIP answers once sluice-decap is attached on web1 and web2"

# run_phase NAME KIND: REQUESTS GETs per family; check answers, nginx logs and counters.
run_phase() {
  local name="$1" kind="$2" fam url who i fwd0 fwd1 dec0=0 dec1=0 drops node
  local -A served=()
  local log4_0 log6_0 log4_1 log6_1
  sleep 0.5 # let earlier connections finish their teardown before counting
  fwd0="$(stat_get forwarded)"
  for node in "${BACKENDS[@]}"; do dec0=$((dec0 + $(decap_counter "$node" "decapsulated_$kind"))); done
  log4_0=$(($(access_lines web1 "$CLIENT4") + $(access_lines web2 "$CLIENT4")))
  log6_0=$(($(access_lines web1 "$CLIENT6") + $(access_lines web2 "$CLIENT6")))
  for fam in 4 6; do
    url="$(vip_url "$fam")"
    for ((i = 0; i < REQUESTS; i++)); do
      who="$(www_get "$url")" || die "$name: GET $url failed ($who)"
      served[$fam-$who]=$((${served[$fam-$who]:-0} + 1))
    done
    for node in "${BACKENDS[@]}"; do
      [[ -n "${served[$fam-$node]:-}" ]] ||
        die "$name: $node served none of the $REQUESTS GETs to $url ($(declare -p served));" \
          "dataplane backends: $(sluice_telemetry "/sluice/backends,www$([[ $fam == 6 ]] && echo 6)")"
    done
    ok "$name: $REQUESTS GETs to $url answered (web1 ${served[$fam-web1]}, web2 ${served[$fam-web2]})"
  done
  sleep 1 # final ACKs and FINs
  fwd1="$(stat_get forwarded)"
  for node in "${BACKENDS[@]}"; do dec1=$((dec1 + $(decap_counter "$node" "decapsulated_$kind"))); done
  log4_1=$(($(access_lines web1 "$CLIENT4") + $(access_lines web2 "$CLIENT4")))
  log6_1=$(($(access_lines web1 "$CLIENT6") + $(access_lines web2 "$CLIENT6")))
  ((log4_1 - log4_0 == REQUESTS && log6_1 - log6_0 == REQUESTS)) ||
    die "$name: nginx logged $((log4_1 - log4_0)) requests from $CLIENT4 and $((log6_1 - log6_0)) from $CLIENT6, want $REQUESTS each"
  ok "$name: nginx saw the client's own addresses ($CLIENT4, $CLIENT6): inner packets delivered unchanged"
  ((dec1 - dec0 == fwd1 - fwd0)) ||
    die "$name: backends decapsulated $((dec1 - dec0)) $kind packets, sluice forwarded $((fwd1 - fwd0))"
  ((fwd1 - fwd0 > 0)) || die "$name: sluice forwarded nothing"
  ok "$name: decapsulated_$kind on the backends +$((dec1 - dec0)) = sluice forwarded +$((fwd1 - fwd0))"
  for node in "${BACKENDS[@]}"; do
    drops="$(decap_drops "$node")"
    ((drops == 0)) || die "$name: sluice-decap on $node dropped $drops packets: $(in_ns "$node" "$DECAP_BIN" stats eth0)"
  done
}

run_phase "ipip (4in4, 6in6)" ipip

encap_config gue 4 >"$TOPO_DIR/gue.toml"
sluice_reload "$TOPO_DIR/gue.toml"
run_phase "gue (4 in UDP/IPv4, 6 in UDP/IPv6)" gue

encap_config ipip 6 >"$TOPO_DIR/ipip-4in6.toml"
sluice_reload "$TOPO_DIR/ipip-4in6.toml"
run_phase "ipip (4in6, 6in6)" ipip

for node in "${BACKENDS[@]}"; do decap_attach "$node" --gue-port 7000; done
encap_config gue 6 7000 >"$TOPO_DIR/gue-7000.toml"
sluice_reload "$TOPO_DIR/gue-7000.toml"
run_phase "gue port 7000 (4 in UDP/IPv6, 6 in UDP/IPv6)" gue

for node in "${BACKENDS[@]}"; do
  log "sluice-decap stats on $node:"
  in_ns "$node" "$DECAP_BIN" stats eth0 | sed 's/^/    /'
done

# --- 2. direct server return, tunnels only --------------------------------------------------
sleep 0.3
# shellcheck disable=SC2154
kill -INT "$TCPDUMP_client" "$TCPDUMP_lb"
wait_until 5 sh -c "! kill -0 $TCPDUMP_client 2>/dev/null && ! kill -0 $TCPDUMP_lb 2>/dev/null" ||
  die "tcpdump did not stop"
"$PY" "$REPO_ROOT/tests/lib/ipip_gue_capture_check.py" "$TOPO_DIR/client.pcap" "$TOPO_DIR/lb.pcap" \
  "$VIP4" "$VIP6" "${TOPO_MAC[lb]}" "${TOPO_MAC[web1]}" "${TOPO_MAC[web2]}" \
  >"$TOPO_DIR/pcap-check.out" 2>&1 || { cat "$TOPO_DIR/pcap-check.out"; die "capture checks failed"; }
sed 's/^/    /' "$TOPO_DIR/pcap-check.out"
ok "every reply came straight from a backend; sluice sent only tunnel packets and ARP/ND"

# --- 3. detach -------------------------------------------------------------------------------
for node in "${BACKENDS[@]}"; do
  in_ns "$node" "$DECAP_BIN" detach eth0 >/dev/null || die "sluice-decap detach on $node failed"
  in_ns "$node" ip link show dev eth0 | grep -q 'prog/xdp' && die "an XDP program is still on $node eth0"
done
DECAP_ATTACHED=()
ok "sluice-decap detached from web1 and web2"

sluice_stop || die "sluice-dataplane exited with status $? on SIGTERM"
ok "sluice-dataplane stopped cleanly"
log "PASS"
