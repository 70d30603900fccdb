#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end: sluiced and keepalived 2.2.7 as one VRRPv3 pair, IPv4 and IPv6 at once, with
# exactly one master at every sample (issue 15, items 8 and 9).
#
# Two namespaces on a bridge, no dataplane (sluiced runs its VRRP instances alone,
# track_dataplane = false; its VIPs would be activated in a dataplane that is not there):
#   sl  sluiced, eth0 10.212.0.11 / fe80::11; [[vrrp]] vi4 (vrid 51, IPv4) carries www
#       (tcp/80) and www-tls (tcp/443) on ONE address, 10.212.0.100, and tracks the link
#       trk0 (a veth pair trk0/trk1 inside sl); vi6 (vrid 51 too, IPv6) carries www6 and
#       www6-tls on fd00:212::100.
#   ka  keepalived, eth0 10.212.0.12 / fe80::12; vrrp_instance ka4 and ka6, same vrids,
#       one virtual address each; its notify script writes each state to a file.
# tests/lib/vrrp_watch.py samples both sides every 50 ms all along (sluiced's `show ha
# json`, keepalived's state files); each phase then checks its window of samples:
# two masters for at most one advert interval (a takeover's overlap) and no master for
# at most what the RFC timers allow, each plus the measurement's own delay (MAX_* below),
# and who is master at the end. A split brain that persists fails.
#   1. sluice 150 MASTER, keepalived 100 BACKUP (keepalived takes sluice's adverts: each
#      address once; listed twice, keepalived 2.2.7 discards them and both stay MASTER).
#      The capture shows sluice's adverts with DSCP CS6 (tos 0xc0, class 0xc0).
#   2. `ip link set eth0 down` on sluice's node: FAULT at once, keepalived takes over
#      after its master down interval; link up: vi4 BACKUP, then sluice preempts; vi6
#      stays FAULT until its link-local address (flushed with the link) is back.
#   3. trk1 down (trk0 loses carrier; tracked by vi4 only): vi4 FAULT (it resigns, so
#      keepalived takes over after its skew time), vi6 stays MASTER; trk1 up: preempts.
#   4. keepalived restarted with priority 200: it preempts; sluice BACKUP.
#   5. keepalived (200) with one more address in each instance than sluice: keepalived
#      MASTER, sluice BACKUP; sluice logs the mismatch once (peer and both lists) and
#      counts every advert in `show ha`.
# Advert interval 0.1 s throughout.
#
#   BUILD_DIR=build-dev TOPO_ID=v$$ tests/e2e/e2e_vrrp_interop.sh
set -euo pipefail
# shellcheck source=scripts/lib/netns.sh
source "$(dirname "$0")/../../scripts/lib/netns.sh"

SLUICED_BIN="${SLUICED_BIN:-$BUILD_DIR/controlplane/sluiced/sluiced}"
SLUICECTL_BIN="${SLUICECTL_BIN:-$BUILD_DIR/controlplane/api/sluicectl}"
INTERVAL=0.1
VRID=51
VIP="10.212.0.100"
VIP_EXTRA="10.212.0.101"
VIP6="fd00:212::100"
VIP6_EXTRA="fd00:212::101"
SL4=10.212.0.11
KA4=10.212.0.12
SL6=fe80::11
KA6=fe80::12
# The allowed windows, in seconds. A takeover may overlap the old master by one advert
# interval; a master that resigns leaves none for the backup's skew time (0.06 s), a
# silent one for the backup's master down interval (3 x 0.1 + skew = 0.36 s). What is
# measured adds up to two sampling periods (0.05 s each) and keepalived's notify script
# (a fork and exec, slow on a loaded 2-core machine) to each.
MAX_BOTH=0.2      # 0.1 + 0.1
MAX_NONE=0.3      # a resignation: 0.06 + 0.24
MAX_NONE_DOWN=0.8 # a silent master: 0.36 + 0.44
T_START=$SECONDS
TOPO_NODES=(sl ka)

require_root
[[ -x "$SLUICED_BIN" && -x "$SLUICECTL_BIN" ]] ||
  die "sluiced/sluicectl not found under $BUILD_DIR/controlplane (build them first)"
command -v keepalived >/dev/null || die "keepalived is not installed (scripts/setup.sh installs it)"
command -v tcpdump >/dev/null || die "tcpdump is not installed (scripts/setup.sh installs it)"

SLUICED_PID=""
KA_PID=""
WATCH_PID=""
cleanup() {
  local rc=$?
  set +e
  [[ -n "$WATCH_PID" ]] && kill_pid "$WATCH_PID" 2
  [[ -n "$SLUICED_PID" ]] && kill_pid "$SLUICED_PID" 5
  [[ -n "$KA_PID" ]] && kill_pid "$KA_PID" 5
  if ((rc != 0)) && [[ -n "$TOPO_DIR" ]]; then
    log "sluiced log tail:"
    tail -n 25 "$TOPO_DIR/sluiced.log" 2>/dev/null | sed 's/^/    /'
    log "keepalived log tail:"
    tail -n 15 "$TOPO_DIR"/keepalived-*.log 2>/dev/null | sed 's/^/    /'
  fi
  topo_down "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# --- topology -----------------------------------------------------------------------------
node_up() {
  local node="$1" mac="$2" v4="$3" v6="$4"
  ip netns add "$(ns_name "$node")" || die "ip netns add $(ns_name "$node") failed"
  in_ns "$node" ip link set lo up
  # Fixed link-local addresses (no EUI-64 one, no DAD), kept while the link is down.
  in_ns "$node" sysctl -q -w net.ipv6.conf.default.addr_gen_mode=1 net.ipv6.conf.default.keep_addr_on_down=1 >/dev/null
  ip -n "$(ns_name sw)" link add "p-$node" type veth peer name eth0 netns "$(ns_name "$node")" ||
    die "veth for $node failed"
  ip -n "$(ns_name sw)" link set "p-$node" master br0 up
  in_ns "$node" ip link set eth0 address "$mac"
  in_ns "$node" ip addr add "$v4/24" dev eth0
  in_ns "$node" ip -6 addr add "$v6/64" dev eth0 nodad
  in_ns "$node" ip link set eth0 up
}
topo() {
  TOPO_DIR="$(mktemp -d "/tmp/sluice-$TOPO_ID.XXXXXX")"
  chmod 755 "$TOPO_DIR"
  ip netns add "$(ns_name sw)" || die "ip netns add $(ns_name sw) failed"
  in_ns sw sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 >/dev/null
  in_ns sw ip link add br0 type bridge stp_state 0 mcast_snooping 0 || die "bridge creation failed"
  in_ns sw ip link set br0 up
  node_up sl 02:5c:01:00:00:11 "$SL4" "$SL6"
  node_up ka 02:5c:01:00:00:12 "$KA4" "$KA6"
  # The extra link vi4 tracks: trk0 has carrier while its peer trk1 is up.
  in_ns sl ip link add trk0 type veth peer name trk1
  in_ns sl ip link set trk1 up
  in_ns sl ip link set trk0 up
  in_ns sl ping -c 1 -W 2 "$KA4" >/dev/null || die "sl cannot reach ka over IPv4"
  in_ns sl ping -6 -c 1 -W 2 -I eth0 "$KA6" >/dev/null 2>&1 || die "sl cannot reach ka over IPv6"
  log "topology $TOPO_ID: $(ns_name sl) (sluiced, $SL4 $SL6) and $(ns_name ka) (keepalived $(keepalived --version 2>&1 | head -n 1 | awk '{ print $2 }'), $KA4 $KA6) on a bridge; files in $TOPO_DIR"
}

# --- sluiced ------------------------------------------------------------------------------
sluiced_config() {
  local vip addr port
  cat <<EOF
# SPDX-License-Identifier: BSD-3-Clause
# sluiced of e2e_vrrp_interop.sh (run $TOPO_ID): VRRP only, no dataplane
[dataplane]
control_socket = "$TOPO_DIR/dataplane.sock"

[controlplane]
socket = "$TOPO_DIR/sluiced.sock"
admin_state_file = "$TOPO_DIR/admin-state"

[[port]]
name = "lan0"
device = "net_null0"
addresses = ["10.212.0.10/24", "fd00:212::10/64"]
EOF
  for vip in "www|$VIP|80" "www-tls|$VIP|443" "www6|$VIP6|80" "www6-tls|$VIP6|443"; do
    IFS='|' read -r name addr port <<<"$vip"
    printf '\n[[vip]]\nname = "%s"\naddress = "%s"\nprotocol = "tcp"\nport = %s\nmode = "dsr-l2"\n' \
      "$name" "$addr" "$port"
    if [[ $addr == *:* ]]; then addr=fd00:212::21; else addr=10.212.0.21; fi
    printf '  [[vip.backend]]\n  address = "%s"\n' "$addr"
  done
  cat <<EOF

[[vrrp]]
name = "vi4"
interface = "eth0"
vrid = $VRID
priority = 150
advert_interval = $INTERVAL
address = "$SL4"
vips = ["www", "www-tls"]
track_dataplane = false
track_interfaces = ["trk0"]

[[vrrp]]
name = "vi6"
interface = "eth0"
vrid = $VRID
priority = 150
advert_interval = $INTERVAL
address = "$SL6"
vips = ["www6", "www6-tls"]
track_dataplane = false
EOF
}
sluiced_start() {
  sluiced_config >"$TOPO_DIR/sluiced.toml"
  "$SLUICED_BIN" --config "$TOPO_DIR/sluiced.toml" --check >/dev/null ||
    die "sluiced --check: $("$SLUICED_BIN" --config "$TOPO_DIR/sluiced.toml" --check 2>&1)"
  ip netns exec "$(ns_name sl)" "$SLUICED_BIN" --config "$TOPO_DIR/sluiced.toml" \
    >>"$TOPO_DIR/sluiced.log" 2>&1 </dev/null &
  SLUICED_PID=$!
  TOPO_PIDS+=("$SLUICED_PID")
  wait_until 10 "$SLUICECTL_BIN" -s "$TOPO_DIR/sluiced.sock" -t 1 show info ||
    die "sluiced did not answer on its socket"
}
sl_json() { "$SLUICECTL_BIN" -s "$TOPO_DIR/sluiced.sock" -t 2 --json show ha; }
# sl_field INSTANCE FIELD: one field of `show ha` json.
sl_field() {
  sl_json | "$PY" -c 'import json, sys
a = json.load(sys.stdin)
print(next(i[sys.argv[2]] for i in a["instances"] if i["name"] == sys.argv[1]))' "$1" "$2"
}
sl_is() { [[ "$(sl_field "$1" state)" == "$2" ]]; }

# --- keepalived ---------------------------------------------------------------------------
# ka_start PRIORITY [extra]: keepalived with both instances; with "extra", each lists one
# more virtual address than sluice's instance.
ka_start() {
  local prio="$1" extra4="" extra6=""
  if [[ "${2:-}" == extra ]]; then
    extra4="$VIP_EXTRA/32 dev eth0"
    extra6="$VIP6_EXTRA/128 dev eth0"
  fi
  KA_LOG="$TOPO_DIR/keepalived-$prio${2:+-$2}.log"
  cat >"$TOPO_DIR/keepalived.conf" <<EOF
# SPDX-License-Identifier: BSD-3-Clause
# the keepalived node of e2e_vrrp_interop.sh (run $TOPO_ID)
global_defs {
    router_id ka
    vrrp_version 3
    vrrp_garp_master_delay 0
    script_user root
}
vrrp_instance ka4 {
    state BACKUP
    interface eth0
    virtual_router_id $VRID
    priority $prio
    advert_int $INTERVAL
    notify "$TOPO_DIR/ka-notify.sh"
    virtual_ipaddress {
        $VIP/32 dev eth0
        $extra4
    }
}
vrrp_instance ka6 {
    state BACKUP
    interface eth0
    virtual_router_id $VRID
    priority $prio
    advert_int $INTERVAL
    notify "$TOPO_DIR/ka-notify.sh"
    virtual_ipaddress {
        $VIP6/128 dev eth0
        $extra6
    }
}
EOF
  rm -f "$TOPO_DIR"/ka4.state "$TOPO_DIR"/ka6.state
  topo_bg ka "$KA_LOG" keepalived -n -l -D -P -f "$TOPO_DIR/keepalived.conf" \
    -p "$TOPO_DIR/keepalived.pid" -r "$TOPO_DIR/vrrp.pid" -c "$TOPO_DIR/checkers.pid"
  KA_PID="$TOPO_LAST_PID"
  wait_until 5 test -s "$TOPO_DIR/ka4.state" -a -s "$TOPO_DIR/ka6.state" ||
    die "keepalived did not start: $(tail -n 5 "$KA_LOG")"
}
ka_stop() {
  [[ -n "$KA_PID" ]] || return 0
  kill_pid "$KA_PID" 5
  { wait "$KA_PID" || true; } 2>/dev/null
  KA_PID=""
  rm -f "$TOPO_DIR"/ka4.state "$TOPO_DIR"/ka6.state
}
ka_is() { [[ "$(cat "$TOPO_DIR/$1.state" 2>/dev/null)" == "$2" ]]; }

# --- the watch ------------------------------------------------------------------------------
SAMPLES=""
watch_start() {
  SAMPLES="$TOPO_DIR/samples.txt"
  "$PY" "$REPO_ROOT/tests/lib/vrrp_watch.py" sample --socket "$TOPO_DIR/sluiced.sock" \
    --ka-dir "$TOPO_DIR" --pair vi4=ka4 --pair vi6=ka6 --out "$SAMPLES" --period 0.05 \
    --max-seconds 300 &
  WATCH_PID=$!
  TOPO_PIDS+=("$WATCH_PID")
}
# check_window T0 T1 PAIR MAX_NONE MASTER: the samples of PAIR between T0 and T1.
check_window() {
  local out rc=0
  out="$("$PY" "$REPO_ROOT/tests/lib/vrrp_watch.py" check --samples "$SAMPLES" --pair "$3" \
    --from "$1" --to "$2" --max-both "$MAX_BOTH" --max-none "$4" --master "$5")" || rc=$?
  log "  $out"
  ((rc == 0)) || die "$3: not exactly one master (window $1 .. $2)"
}
now() { echo "$EPOCHREALTIME"; }
settle() { sleep "${1:-1.5}"; }

# === setup ====================================================================================
topo
cat >"$TOPO_DIR/ka-notify.sh" <<EOF
#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# keepalived notify: TYPE NAME STATE PRIORITY; the state goes to NAME.state
echo "\$3" >"$TOPO_DIR/\$2.state.tmp" && mv "$TOPO_DIR/\$2.state.tmp" "$TOPO_DIR/\$2.state"
EOF
chmod 755 "$TOPO_DIR/ka-notify.sh"
topo_bg sw "$TOPO_DIR/tcpdump.log" tcpdump -i br0 -n -U -w "$TOPO_DIR/vrrp.pcap" 'ip proto 112 or ip6 proto 112'
wait_until 5 grep -q 'listening on' "$TOPO_DIR/tcpdump.log" || die "tcpdump did not start"
# dscp_cs6 FILTER MARK: every advert of the capture matching FILTER has MARK in tcpdump -v's
# header line ("tos 0xc0", "class 0xc0"); prints "MARKED/ALL".
dscp_cs6() {
  local lines all marked
  lines="$(tcpdump -r "$TOPO_DIR/vrrp.pcap" -n -v "$1" 2>/dev/null | grep '^[0-9].* IP6\? (')" || true
  all="$(grep -c . <<<"$lines")" || true
  marked="$(grep -c "IP6\? ($2," <<<"$lines")" || true
  echo "$marked/$all"
  ((all >= 10 && marked == all))
}

# === 1. sluice MASTER, keepalived BACKUP ==========================================================
sluiced_start
wait_for 3 sl_is vi4 MASTER || die "sluice alone did not become MASTER (vi4 $(sl_field vi4 state))"
wait_for 3 sl_is vi6 MASTER || die "sluice alone did not become MASTER (vi6 $(sl_field vi6 state))"
watch_start
ka_start 100
t0="$(now)"
settle 2
t1="$(now)"
log "1. sluice (150) MASTER, keepalived (100) BACKUP, both families:"
check_window "$t0" "$t1" vi4=ka4 "$MAX_NONE" sluice
check_window "$t0" "$t1" vi6=ka6 "$MAX_NONE" sluice
grep -q 'invalid ip number count\|not present in MASTER advert' "$KA_LOG" &&
  die "keepalived rejected sluice's address list: $(grep -m 1 'ip number count\|not present' "$KA_LOG")"
# DSCP CS6 on every advert sluice sent, both families (tcpdump -v: "tos 0xc0", "class 0xc0").
n4="$(dscp_cs6 "ip proto 112 and src host $SL4" "tos 0xc0")" ||
  die "IPv4 adverts from sluice with tos 0xc0: $n4 (want all, at least 10): $(tcpdump -r "$TOPO_DIR/vrrp.pcap" -n -v -c 1 "src host $SL4" 2>/dev/null)"
n6="$(dscp_cs6 "ip6 proto 112 and src host $SL6" "class 0xc0")" ||
  die "IPv6 adverts from sluice with class 0xc0: $n6 (want all, at least 10): $(tcpdump -r "$TOPO_DIR/vrrp.pcap" -n -v -c 1 "src host $SL6" 2>/dev/null)"
[[ "$(sl_field vi4 address_mismatches)" == 0 && "$(sl_field vi6 address_mismatches)" == 0 ]] ||
  die "sluice counted address list mismatches with matching configs"
ok "exactly one master (sluice) on both families; keepalived took sluice's adverts (10.212.0.100 listed once for www and www-tls); DSCP CS6 on sluice's adverts: IPv4 tos 0xc0 $n4, IPv6 class 0xc0 $n6"

# === 2. sluice's own link down, then up =========================================================
t0="$(now)"
in_ns sl ip link set eth0 down
wait_for 1 sl_is vi4 FAULT || die "vi4 did not go to FAULT with eth0 down (state $(sl_field vi4 state))"
wait_for 1 sl_is vi6 FAULT || die "vi6 did not go to FAULT with eth0 down (state $(sl_field vi6 state))"
t_fault="$(now)"
wait_for 2 ka_is ka4 MASTER || die "keepalived did not take over vi4's addresses"
wait_for 2 ka_is ka6 MASTER || die "keepalived did not take over vi6's addresses"
settle 1
t1="$(now)"
log "2a. eth0 down on sluice's node: FAULT in $(fsub "$t_fault" "$t0") s:"
check_window "$t0" "$t1" vi4=ka4 "$MAX_NONE_DOWN" keepalived
check_window "$t0" "$t1" vi6=ka6 "$MAX_NONE_DOWN" keepalived
grep -q "vrrp vi4: tracking failed: link eth0 down (admin); going to FAULT" "$TOPO_DIR/sluiced.log" ||
  die "sluiced did not log why vi4 went to FAULT"
t0="$(now)"
in_ns sl ip link set eth0 up
wait_for 3 sl_is vi4 MASTER || die "vi4 did not come back and preempt (state $(sl_field vi4 state))"
settle 1
t1="$(now)"
# The link-local address was flushed with the link (keep_addr_on_down keeps global
# addresses only) and this node does not generate one: vi6 has nothing to send from.
sl_is vi6 FAULT || die "vi6 left FAULT without its address fe80::11 (state $(sl_field vi6 state))"
grep -q "vrrp vi6: still FAULT: address $SL6 not on eth0" "$TOPO_DIR/sluiced.log" ||
  die "sluiced did not log that vi6 lacks its address"
log "2b. eth0 up: vi4 BACKUP, then sluice (150) preempts keepalived (100); vi6 stays FAULT without its link-local address:"
check_window "$t0" "$t1" vi4=ka4 "$MAX_NONE" sluice
check_window "$t0" "$t1" vi6=ka6 "$MAX_NONE" keepalived
t0="$(now)"
in_ns sl ip -6 addr add "$SL6/64" dev eth0 nodad
wait_for 3 sl_is vi6 MASTER || die "vi6 did not come back and preempt once fe80::11 was back (state $(sl_field vi6 state))"
settle 1
t1="$(now)"
log "2c. fe80::11 back on eth0: vi6 BACKUP, then preempts:"
check_window "$t0" "$t1" vi6=ka6 "$MAX_NONE" sluice
ok "a MASTER whose own link goes down goes to FAULT and the peer takes over; back up (and with its address), it preempts"

# === 3. a tracked link loses carrier ==========================================================
t0="$(now)"
in_ns sl ip link set trk1 down
wait_for 1 sl_is vi4 FAULT || die "vi4 did not go to FAULT when trk0 lost carrier"
wait_for 1 ka_is ka4 MASTER || die "keepalived did not take over after vi4 resigned"
settle 1
t1="$(now)"
sl_is vi6 MASTER || die "vi6 (which does not track trk0) left MASTER"
log "3a. trk0 without carrier (tracked by vi4 only):"
check_window "$t0" "$t1" vi4=ka4 "$MAX_NONE" keepalived
check_window "$t0" "$t1" vi6=ka6 "$MAX_NONE" sluice
grep -q "vrrp vi4: tracking failed: link trk0 down (no carrier); going to FAULT" "$TOPO_DIR/sluiced.log" ||
  die "sluiced did not log why vi4 went to FAULT"
t0="$(now)"
in_ns sl ip link set trk1 up
wait_for 3 sl_is vi4 MASTER || die "vi4 did not preempt again once trk0 was back"
settle 1
t1="$(now)"
log "3b. trk0 back:"
check_window "$t0" "$t1" vi4=ka4 "$MAX_NONE" sluice
ok "track_interfaces: vi4 resigned when trk0 lost carrier (keepalived took over after its skew), vi6 untouched; vi4 preempted again"

# === 4. keepalived with a higher priority ======================================================
ka_stop
ka_start 200
t0="$(now)"
wait_for 3 ka_is ka4 MASTER || die "keepalived (200) did not preempt vi4"
wait_for 3 ka_is ka6 MASTER || die "keepalived (200) did not preempt vi6"
settle 2
t1="$(now)"
log "4. keepalived (200) MASTER, sluice (150) BACKUP:"
check_window "$t0" "$t1" vi4=ka4 "$MAX_NONE" keepalived
check_window "$t0" "$t1" vi6=ka6 "$MAX_NONE" keepalived
ok "keepalived (200) preempted; sluice BACKUP on both families"

# === 5. an address list mismatch ===============================================================
ka_stop
ka_start 200 extra
t0="$(now)"
wait_for 3 ka_is ka4 MASTER || die "keepalived (200, one more address) is not MASTER"
settle 2
t1="$(now)"
log "5. keepalived (200) with one more address than sluice in each instance:"
check_window "$t0" "$t1" vi4=ka4 "$MAX_NONE" keepalived
check_window "$t0" "$t1" vi6=ka6 "$MAX_NONE" keepalived
for i in 4 6; do
  n="$(sl_field "vi$i" address_mismatches)"
  ((n >= 10)) || die "vi$i counted $n address list mismatches in 2 s of adverts every 0.1 s"
  last="$(sl_field "vi$i" last_address_mismatch)"
  log "  vi$i: $n mismatches, last $last"
done
want4="vrrp vi4: advert from $KA4: $VIP $VIP_EXTRA (ours: $VIP): the address lists differ"
want6="vrrp vi6: advert from $KA6: $VIP6 $VIP6_EXTRA (ours: $VIP6): the address lists differ"
[[ "$(grep -cF "$want4" "$TOPO_DIR/sluiced.log")" == 1 ]] ||
  die "sluiced should log vi4's mismatch once (then at most once a minute): $(grep -F 'address lists differ' "$TOPO_DIR/sluiced.log" | head -n 3)"
[[ "$(grep -cF "$want6" "$TOPO_DIR/sluiced.log")" == 1 ]] ||
  die "sluiced should log vi6's mismatch once: $(grep -F 'address lists differ' "$TOPO_DIR/sluiced.log" | head -n 3)"
ok "keepalived MASTER with another address list: sluice BACKUP, one log line per instance with the peer and both lists, every advert counted"

# === the whole run ==============================================================================
# Between the phases too (keepalived stopped and restarted): never two masters for longer
# than a takeover's overlap, never without one for longer than a master down interval.
log "the whole run:"
check_window 0 "$(now)" vi4=ka4 "$MAX_NONE_DOWN" keepalived
check_window 0 "$(now)" vi6=ka6 "$MAX_NONE_DOWN" keepalived

log "PASS in $((SECONDS - T_START)) s"
