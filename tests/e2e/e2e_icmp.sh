#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: sluice's own slow path. The client pings sluice's addresses (10.211.0.10,
# fd00:211::10) and the VIPs (10.211.0.100, fd00:211::100): every address must resolve
# (ARP/ND) to sluice's MAC, not a backend's (they hold the VIP on lo), every echo request
# must be answered, and echo_replies must move by exactly the replies the client got.
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

COUNT="${COUNT:-3}"

require_root
sluice_require_bin
e2e_traps

topo_up
sluice_config web1 web2 >"$TOPO_DIR/icmp.toml"
sluice_start "$TOPO_DIR/icmp.toml"
vip_wait "$(vip_url 4)" 20 || die "VIP never answered"

before="$(stat_get echo_replies)"
total=0
for target in "$LB4" "$LB6" "$VIP4" "$VIP6"; do
  out="$(in_ns client ping -n -c "$COUNT" -i 0.2 -W 1 "$target" 2>&1)" ||
    die "ping $target failed: $(tail -n 2 <<<"$out" | tr '\n' ' ')"
  got="$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$out")"
  [[ "$got" == "$COUNT" ]] || die "ping $target: $got of $COUNT replies"
  mac="$(in_ns client ip neigh show "$target" | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}')"
  [[ "$mac" == "${TOPO_MAC[lb]}" ]] || die "client resolved $target to $mac, not sluice's ${TOPO_MAC[lb]}"
  ok "ping $target: $got/$COUNT replies, resolved to sluice's MAC"
  total=$((total + got))
done
moved=$(($(stat_get echo_replies) - before))
[[ "$moved" == "$total" ]] || die "echo_replies moved by $moved, the client got $total replies"
ok "echo_replies +$moved, as the client counted"

sluice_stop || die "sluice-dataplane exited with status $? on SIGTERM"
ok "sluice-dataplane stopped cleanly"
log "PASS"
