# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# Watching VRRP failover (the HA tests): each lb node's instance state as its sluiced
# reports it, a capture of VRRP adverts and ARP on the bridge read back as time-stamped
# events, and the MAC the client has for the VIP. Owns HA_PCAP; reads
# TOPO_DIR, VIP4, PY and REPO_ROOT.

[[ -n "${_SLUICE_HA_SH:-}" ]] && return 0
_SLUICE_HA_SH=1
# shellcheck source=scripts/lib/lb2.sh
source "$(dirname "${BASH_SOURCE[0]}")/lb2.sh"

# vrrp_state NODE INSTANCE: the VRRP instance's state as NODE's sluiced reports it
# (`sluicectl show ha`), upper case; DOWN when that sluiced is not running, empty when
# it does not answer.
vrrp_state() {
  local node="$1" instance="$2"
  (
    lb_use "$node"
    sluiced_alive || {
      echo DOWN
      exit 0
    }
    sluicectl_run --json show ha 2>/dev/null |
      "$PY" "$REPO_ROOT/tests/lib/sluicectl_answer.py" ha-state "$instance" 2>/dev/null
  ) || true
}

HA_PCAP=""     # the bridge capture of vrrp_capture_start

# vrrp_capture_start: capture VRRP (IP protocol 112) and ARP on the bridge (promiscuous,
# so it sees every port's frames) into TOPO_DIR/ha.pcap, one packet per write, in
# immediate mode (no batching by the kernel: queries see packets at once).
vrrp_capture_start() {
  HA_PCAP="$TOPO_DIR/ha.pcap"
  topo_bg sw "$TOPO_DIR/tcpdump-ha.log" tcpdump -i br0 -n -U --immediate-mode -s 128 -w "$HA_PCAP" 'arp or ip proto 112'
  wait_until 5 grep -q 'listening on' "$TOPO_DIR/tcpdump-ha.log" ||
    die "tcpdump on the bridge did not start: $(cat "$TOPO_DIR/tcpdump-ha.log")"
}

# vrrp_events: the capture so far as one event per line, time-ordered:
#   TIME A SRC_IP PRIORITY INTERVAL_CS SRC_MAC   a VRRPv3 advert
#   TIME G SRC_MAC IP                            a gratuitous ARP (sender = target IP)
#   TIME R SRC_MAC IP                            an ARP reply saying IP is at SRC_MAC
# TIME is the capture's wall-clock time, comparable with $EPOCHREALTIME. A partly
# written last packet is ignored.
vrrp_events() {
  "$PY" "$REPO_ROOT/tests/lib/vrrp_events.py" "$HA_PCAP"
}

# (Both read the whole event list: a reader that stops early would fail the pipeline.)
# ha_first KIND FIELD3 AFTER [FIELD4]: the time of the first event of KIND (A, G, R) whose
# third field is FIELD3 (and fourth FIELD4, if given) after time AFTER; empty if none.
ha_first() {
  vrrp_events | awk -v k="$1" -v s="$2" -v t="$3" -v p="${4:-}" \
    '!found && $2 == k && $3 == s && $1 > t && (p == "" || $4 == p) { print $1; found = 1 }'
}
# ha_first_wait KIND FIELD3 AFTER [FIELD4]: ha_first, waiting up to 2 s for the event to
# reach the capture file.
ha_first_wait() {
  local i t=""
  for ((i = 0; i < 40; i++)); do
    t="$(ha_first "$@")"
    [[ -n "$t" ]] && break
    sleep 0.05
  done
  echo "$t"
}
# ha_last KIND FIELD3 BEFORE [FIELD4]: the time of the last such event before BEFORE.
ha_last() {
  vrrp_events | awk -v k="$1" -v s="$2" -v t="$3" -v p="${4:-}" \
    '$2 == k && $3 == s && $1 < t && (p == "" || $4 == p) { last = $1 } END { print last }'
}

# client_vip_mac [ADDR]: the MAC the client's neighbor table has for ADDR (default
# VIP4); empty if none (or incomplete/failed).
# shellcheck disable=SC2120 # ADDR is optional
client_vip_mac() {
  in_ns client ip neigh show "${1:-$VIP4}" dev eth0 | awk '/lladdr/ { print $3 }'
}
