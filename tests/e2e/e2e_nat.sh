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
LOCAL4=10.211.0.50
LOCAL6=fd00:211::50
TOPO_PLAIN_BACKENDS=1

require_root
sluice_require_bin
e2e_traps

topo_up
topo_check_direct || die "topology broken before sluice even starts"
ok "client reaches the stock web1 and web2 directly (IPv4 and IPv6)"

# nat_config MODE: the run's config with both VIPs in MODE and a [nat] section.
nat_config() {
  sluice_config web1 web2 | sed "s/^mode = \"dsr-l2\"/mode = \"$1\"/"
  printf '\n[nat]\nlocal_addresses = ["%s", "%s"]\n' "$LOCAL4" "$LOCAL6"
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
sluice_stop || die "sluice-dataplane exited with status $? on SIGTERM"
log "PASS"
