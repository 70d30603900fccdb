#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: the TAP exception path. The lb namespace's veth has no kernel address and
# the dataplane owns it; with exception_path = "tap" the dataplane creates a TAP
# interface whose kernel side carries the host's own address (10.211.0.11, not the port's:
# the port's host_addresses). Traffic for that address (ARP, TCP) reaches the kernel only
# through the dataplane, and the kernel's answers leave through the dataplane's port.
# Meanwhile the VIP keeps being served.
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

HOST4=10.211.0.11
HOST_PORT=8080

require_root
sluice_require_bin
e2e_traps

topo_up
sluice_config web1 web2 |
  sed "/^device = /a exception_path = \"tap\"\ntap_name = \"sl-lan0\"\nhost_addresses = [\"$HOST4\"]" \
    >"$TOPO_DIR/tap.toml"
grep -q "host_addresses = \[\"$HOST4\"\]" "$TOPO_DIR/tap.toml" || die "could not enable the TAP in the config"
sluice_start "$TOPO_DIR/tap.toml"
wait_until 10 in_ns lb ip link show sl-lan0 || die "the dataplane created no TAP interface sl-lan0"
ok "the dataplane created TAP sl-lan0 in the lb namespace"
tap_mac="$(in_ns lb cat /sys/class/net/sl-lan0/address)"
[[ "$tap_mac" == "${TOPO_MAC[lb]}" ]] || die "TAP MAC $tap_mac is not the port's ${TOPO_MAC[lb]}"
ok "the TAP carries the port's MAC ($tap_mac)"
port_info="$(sluice_telemetry /sluice/ports | json_flat | sort | tr '\n' ' ')"
[[ "$port_info" == *"/sluice/ports.lan0.exception_path=tap "* && "$port_info" == *"/sluice/ports.lan0.queues=1 "* ]] ||
  die "/sluice/ports does not show lan0 with one queue and the TAP exception path: $port_info"
ok "/sluice/ports: $port_info"

in_ns lb ip addr add "$HOST4/24" dev sl-lan0
in_ns lb ip link set sl-lan0 up
# af_packet only taps the veth: its kernel side must not answer ARP for the host by
# itself, so the client can learn the host's MAC only through the TAP, and its strict
# reverse-path filter drops the IP packets that come in there (the client is reached
# through the TAP), so the host's traffic reaches the kernel only through sluice. The
# kernel's route to the client is the TAP too, so its answers leave only through sluice.
in_ns lb sysctl -qw "net.ipv4.conf.$LB_IFACE.arp_ignore=8" "net.ipv4.conf.$LB_IFACE.rp_filter=1" \
  net.ipv4.conf.all.rp_filter=1
host_http_start lb "$HOST4" "$HOST_PORT"

before_to="$(stat_get to_host)" before_nobody="$(stat_get not_for_us)"
body="$(host_http_get "$HOST4" "$HOST_PORT")"
[[ "$body" == "host-side" ]] || die "the host's own HTTP server at $HOST4 was not reachable through the TAP"
ok "client reached the host's own server at $HOST4 through the dataplane and the TAP"
mac="$(in_ns client ip neigh show "$HOST4" | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}')"
[[ "$mac" == "${TOPO_MAC[lb]}" ]] || die "client resolved $HOST4 to $mac, not the port's ${TOPO_MAC[lb]}"
ok "the kernel's ARP reply for $HOST4 left through the dataplane's port"
after_to="$(stat_get to_host)"
((after_to > before_to)) || die "to_host did not move ($before_to -> $after_to)"
ok "to_host counted the host's frames (+$((after_to - before_to)))"
after_nobody="$(stat_get not_for_us)"
((after_nobody == before_nobody)) || die "frames for $HOST4 dropped as not_for_us ($before_nobody -> $after_nobody)"
to_kernel="$(in_ns lb ip -s link show sl-lan0 | awk '/RX:/ {getline; print $2}')"
((to_kernel > 0)) || die "the kernel received nothing through the TAP"
ok "the host address $HOST4 is no longer not_for_us: its frames reached the kernel through the TAP ($to_kernel frames)"
from_host="$(in_ns lb ip -s link show sl-lan0 | awk '/TX:/ {getline; print $2}')"
((from_host > 0)) || die "the kernel sent nothing through the TAP"
ok "the kernel's answers ($from_host frames) went out through the TAP and the dataplane"

who="$(www_get "$(vip_url 4)")" || die "VIP stopped answering with the TAP in place ($who)"
ok "the VIP is still served ($who)"

sluice_stop || die "sluice-dataplane exited with status $? on SIGTERM"
grep -q "exception_lan0_to_host" "$SLUICE_LOG" || die "no exception-path counters in the exit summary"
ok "exit summary: $(grep exception_lan0 "$SLUICE_LOG" | tr '\n' ' ')"
log "PASS"
