#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: the NAT modes (docs/nat.md) through sluice-dataplane on net_af_packet, to
# stock nginx web servers: no VIP on lo, no sysctls, no decapsulation
# (TOPO_PLAIN_BACKENDS).
#
# 1. fullnat: REQUESTS GETs to the VIP over IPv4 and over IPv6; every one is answered,
#    both backends serve, and their access logs show the [nat] local address (the
#    source sluice gave the connections), never the client's.
# 2. nat: the web servers route the client's address through sluice (a host route via
#    the dataplane's address: sluice is their gateway for it); the same GETs are
#    answered, and the access logs show the client's own address.
# In both, the dataplane's counters show the connections and their translated answers.
# Then, in both, fragments (docs/nat.md, "IP fragments"): the client's link has an MTU of
# 1400, so its kernel cuts each 4000-byte UDP request to the IPv6 VIP (port UDP_PORT) in
# three; sluice translates every fragment, and the backends' kernels reassemble them into
# the datagram the client sent (tests/lib/udp_fragments.py answers with its length and
# hash, back through sluice): COUNT flows, each with a small datagram too, both answered
# intact by one backend, both backends used, fragments_forwarded moved by exactly the
# fragments the client's kernel made. IPv6 only: DPDK 22.11's af_packet PMD has the kernel
# reassemble IPv4 fragments before sluice reads them (docs/fragments.md).
#
#   BUILD_DIR=build-x   where sluice-dataplane was built
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

REQUESTS="${REQUESTS:-20}"
COUNT="${COUNT:-12}"
UDP_PORT=5353
SIZE=4000
CLIENT_MTU=1400
LOCAL4=10.211.0.50
LOCAL6=fd00:211::50
TOPO_PLAIN_BACKENDS=1

require_root
sluice_require_bin
e2e_traps

topo_up
topo_check_direct || die "topology broken before sluice even starts"
ok "client reaches the stock web1 and web2 directly (IPv4 and IPv6)"
in_ns client ip link set eth0 mtu "$CLIENT_MTU"
for node in web1 web2; do
  topo_bg "$node" "$TOPO_DIR/$node/udp.log" "$PY" "$REPO_ROOT/tests/lib/udp_fragments.py" \
    serve "$node" "$UDP_PORT" "${TOPO_IP6[$node]}"
  wait_until 5 in_ns "$node" sh -c "ss -Hlun 'sport = :$UDP_PORT' | grep -q ." ||
    die "the UDP service on $node did not start: $(cat "$TOPO_DIR/$node/udp.log")"
done
ok "client MTU $CLIENT_MTU; a UDP service on web1's and web2's own IPv6 addresses"

# nat_config MODE: the run's config with both VIPs in MODE, a UDP VIP on the IPv6 VIP's
# address (port UDP_PORT) in MODE too, and a [nat] section.
nat_config() {
  local node
  sluice_config web1 web2 | sed "s/^mode = \"dsr-l2\"/mode = \"$1\"/"
  printf '\n[[vip]]\nname = "udp6"\naddress = "%s"\nprotocol = "udp"\nport = %s\nmode = "%s"\n' \
    "$VIP6" "$UDP_PORT" "$1"
  for node in web1 web2; do
    printf '  [[vip.backend]]\n  address = "%s"\n' "${TOPO_IP6[$node]}"
  done
  printf '\n[nat]\nlocal_addresses = ["%s", "%s"]\n' "$LOCAL4" "$LOCAL6"
}

drop_get() { sluice_stats | json_flat | awk -F= -v n="/sluice/stats.drops.$1" '$1 == n {print $2}'; }

# fragments MODE: COUNT flows of fragmented requests to the UDP VIP (see the top).
fragments() {
  local out per fwd0 fwd1
  fwd0="$(stat fragments_forwarded)"
  out="$(in_ns client "$PY" "$REPO_ROOT/tests/lib/udp_fragments.py" send "$VIP6" "$UDP_PORT" \
    "$COUNT" "$SIZE" "$CLIENT_MTU")" || die "$1: the client failed: $out"
  "$PY" - "$out" "$COUNT" <<'PYEOF' || die "$1: fragmented requests: $out"
import json, sys
r, count = json.loads(sys.argv[1]), int(sys.argv[2])
ok = (r["answered"] == r["sent"] == 2 * count and r["intact"] == r["sent"]
      and not r["split"] and len(r["backends"]) == 2)
sys.exit(0 if ok else 1)
PYEOF
  per="$("$PY" -c 'import json, sys; print(json.loads(sys.argv[1])["fragments_per_datagram"])' "$out")"
  fwd1="$(stat fragments_forwarded)"
  ((fwd1 - fwd0 == COUNT * per)) ||
    die "$1: fragments_forwarded +$((fwd1 - fwd0)), the client's kernel made $((COUNT * per))"
  [[ "$(drop_get fragment_timeout)" == 0 && "$(drop_get nat_fragment)" == 0 ]] ||
    die "$1: fragments dropped: timeout $(drop_get fragment_timeout), nat_fragment $(drop_get nat_fragment)"
  ok "$1: $((2 * COUNT)) datagrams over IPv6 ($COUNT of $SIZE bytes in $per fragments, fragments_forwarded +$((COUNT * per))) answered intact, each flow by one backend: $out"
}

# stat NAME: one counter of /sluice/stats.
stat() { sluice_stats | json_flat | awk -F= -v k="/sluice/stats.$1" '$1 == k {print $2}'; }

# requests FAMILY: REQUESTS GETs to the VIP; both backends must serve, none may fail.
requests() {
  local url who bad=0
  url="$(vip_url "$1")"
  declare -A served=()
  for ((i = 1; i <= REQUESTS; i++)); do
    who="$(www_get "$url")" || bad=$((bad + 1))
    served[$who]=$((${served[$who]:-0} + 1))
  done
  ((bad == 0)) || die "$bad of $REQUESTS GETs to $url failed ($(declare -p served))"
  [[ -n "${served[web1]:-}" && -n "${served[web2]:-}" ]] ||
    die "not both backends served $url: $(declare -p served)"
  ok "$REQUESTS GETs to $url answered: web1 ${served[web1]}, web2 ${served[web2]}"
}

# sources: the client addresses the web servers' access logs show, sorted and unique.
sources() {
  cat "$TOPO_DIR"/web{1,2}/nginx/access.log | awk '{print $1}' | sort -u | tr '\n' ' '
}

# --- 1. fullnat -----------------------------------------------------------------------
nat_config fullnat >"$TOPO_DIR/fullnat.toml"
sluice_start "$TOPO_DIR/fullnat.toml"
vip_wait "$(vip_url 4)" 20 || die "the fullnat VIP never answered"
: >"$TOPO_DIR/web1/nginx/access.log"
: >"$TOPO_DIR/web2/nginx/access.log"
requests 4
requests 6
seen="$(sources)"
[[ "$seen" == "$LOCAL4 $LOCAL6 " ]] ||
  die "fullnat: the access logs show the sources '$seen', want only $LOCAL4 and $LOCAL6"
ok "fullnat: the web servers saw only the local addresses ($seen)"
connections="$(stat nat_connections)" replies="$(stat nat_replies)"
((connections >= 2 * REQUESTS && replies >= 2 * REQUESTS * 3)) ||
  die "fullnat: nat_connections $connections, nat_replies $replies for $((2 * REQUESTS)) GETs"
ok "fullnat: $connections connections, $replies answers translated"
fragments fullnat
sluice_stop || die "sluice-dataplane exited with status $? on SIGTERM"

# --- 2. nat ---------------------------------------------------------------------------
for node in web1 web2; do
  in_ns "$node" ip route add "$CLIENT4/32" via "$LB4"
  in_ns "$node" ip -6 route add "$CLIENT6/128" via "$LB6"
done
nat_config nat >"$TOPO_DIR/nat.toml"
sluice_start "$TOPO_DIR/nat.toml"
vip_wait "$(vip_url 4)" 20 || die "the nat VIP never answered"
: >"$TOPO_DIR/web1/nginx/access.log"
: >"$TOPO_DIR/web2/nginx/access.log"
requests 4
requests 6
seen="$(sources)"
[[ "$seen" == "$CLIENT4 $CLIENT6 " ]] ||
  die "nat: the access logs show the sources '$seen', want only the client's $CLIENT4 and $CLIENT6"
ok "nat: the web servers saw the client's own addresses ($seen)"
connections="$(stat nat_connections)" replies="$(stat nat_replies)"
((connections >= 2 * REQUESTS && replies >= 2 * REQUESTS * 3)) ||
  die "nat: nat_connections $connections, nat_replies $replies for $((2 * REQUESTS)) GETs"
ok "nat: $connections connections, $replies answers translated"
fragments nat
sluice_stop || die "sluice-dataplane exited with status $? on SIGTERM"
log "PASS"
