# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# The routed site of the BGP tests (docs/bgp.md), added to the www.foobar.com topology of
# netns.sh (start it with TOPO_LB2=1): a router namespace on the bridge running FRR
# (zebra, bgpd, bfdd) with ECMP multipath and L4 hashing, and a client namespace, far,
# behind it. The lb nodes each run BIRD 2 from configs/bird-sluice.conf (its defines set
# for the test), exporting the kernel table sluiced writes.
#
#   far eth0 10.212.0.2 -- eth1 10.212.0.1 [router] eth0 10.211.0.1 -- bridge (lb, lb2, web1, web2)
#
# Every process runs inside this run's namespaces; FRR's sockets live in
# /var/run/frr/<router namespace> (removed by bgp_down). The lb nodes of the site are
# called lb1 and lb2 (LB_NAME), and lb3 with TOPO_LB3=1; bgp_node_start runs a node's
# dataplane, sluiced and BIRD.
# sluiced reads its BIRD's sessions on BIRD's control socket ([bgp] bird_socket).
# Reads TOPO_DIR, LB_KERNEL4, LB2_KERNEL4, VIP4, WWW_HOST (and LB_KERNEL6, VIP6 with
# BGP_IPV6=1: the IPv6 family too); owns ROUTER4, FAR4, ROUTER6, FAR6, BGP_TABLE,
# BGP_PROTOCOL, BGP_DRAIN_S, BIRD_PID, LB_NAME, ROUTER2_ABSENT4.

[[ -n "${_SLUICE_BGP_SH:-}" ]] && return 0
_SLUICE_BGP_SH=1
# shellcheck source=scripts/lib/lb2.sh
source "$(dirname "${BASH_SOURCE[0]}")/lb2.sh"

ROUTER4=10.211.0.1
ROUTER_FAR4=10.212.0.1
FAR4=10.212.0.2
# IPv6 on the routed site (BGP_IPV6=1, router_up_ipv6): the router's and far's addresses.
ROUTER6=fd00:211::1
ROUTER_FAR6=fd00:212::1
FAR6=fd00:212::2
# An address on the routers' segment that nobody has: a BGP session to it never comes up.
# shellcheck disable=SC2034 # read by the tests (a second router that does not exist)
ROUTER2_ABSENT4=10.211.0.250
ROUTER_AS=65000
NODE_AS=65010
BGP_TABLE=100
BGP_PROTOCOL=200
BGP_DRAIN_S="${BGP_DRAIN_S:-2}" # sluiced's [bgp] drain_time
FRR_LIB=/usr/lib/frr
declare -A BIRD_PID=() # pid of each lb node's bird
declare -A LB_NAME=([lb]=lb1 [lb2]=lb2 [lb3]=lb3)

bgp_require() {
  local b
  for b in "$FRR_LIB/zebra" "$FRR_LIB/bgpd" "$FRR_LIB/bfdd" /usr/bin/vtysh /usr/sbin/bird /usr/sbin/birdc; do
    [[ -x "$b" ]] || die "$b not found: install frr and bird2 (scripts/setup.sh)"
  done
}

_frr_dir() { echo "$TOPO_DIR/router/frr"; }
_frr_run() { echo "/var/run/frr/$(ns_name router)"; }

# router_up: the router and far namespaces, their links and sysctls.
router_up() {
  local r f node dev
  r="$(ns_name router)" f="$(ns_name far)"
  TOPO_NODES+=(router far)
  mkdir -p "$TOPO_DIR/router" "$TOPO_DIR/far"
  ip netns add "$r" || die "ip netns add $r failed"
  ip netns add "$f" || die "ip netns add $f failed"
  in_ns router ip link set lo up
  in_ns far ip link set lo up
  ip -n "$(ns_name sw)" link add p-router type veth peer name eth0 netns "$r" ||
    die "veth for the router failed"
  ip -n "$(ns_name sw)" link set p-router master br0 up
  ip -n "$r" link add eth1 type veth peer name eth0 netns "$f" || die "veth router-far failed"
  in_ns router ip addr add "$ROUTER4/24" dev eth0
  in_ns router ip addr add "$ROUTER_FAR4/24" dev eth1
  in_ns far ip addr add "$FAR4/24" dev eth0
  for node in router far; do
    for dev in eth0 eth1; do
      in_ns "$node" ip link show "$dev" >/dev/null 2>&1 || continue
      in_ns "$node" ethtool -K "$dev" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
      in_ns "$node" ip link set "$dev" up
    done
  done
  in_ns far ip route add default via "$ROUTER_FAR4"
  # far's requests from chosen source ports (41000-44999) never meet an ephemeral port of
  # its other requests still in TIME_WAIT (curl: bind failed).
  in_ns far sysctl -q -w net.ipv4.ip_local_port_range="50000 60999" >/dev/null ||
    die "far's port range sysctl failed"
  # L4 multipath hashing like a hardware router: policy 3 with the 5-tuple fields.
  in_ns router sysctl -q -w net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=3 \
    net.ipv4.fib_multipath_hash_fields=0x37 net.ipv4.conf.all.rp_filter=0 \
    net.ipv4.conf.default.rp_filter=0 >/dev/null || die "router sysctls failed"
}

# router_up_ipv6: IPv6 on the router's two links and on far (after router_up), the
# router forwarding it with L4 multipath hashing as for IPv4.
router_up_ipv6() {
  in_ns router ip -6 addr add "$ROUTER6/64" dev eth0 nodad
  in_ns router ip -6 addr add "$ROUTER_FAR6/64" dev eth1 nodad
  in_ns far ip -6 addr add "$FAR6/64" dev eth0 nodad
  in_ns far ip -6 route add default via "$ROUTER_FAR6"
  in_ns router sysctl -q -w net.ipv6.conf.all.forwarding=1 net.ipv6.fib_multipath_hash_policy=3 \
    net.ipv6.fib_multipath_hash_fields=0x37 >/dev/null || die "router IPv6 sysctls failed"
}

# bgp_node_address6: the current lb node's kernel gets IPv6 on its veth and LB_KERNEL6,
# the nexthop its bird gives the routers for IPv6 VIPs (BGP_IPV6=1).
bgp_node_address6() {
  in_ns "$SLUICE_NODE" sysctl -q -w net.ipv6.conf.eth0.disable_ipv6=0 >/dev/null ||
    die "cannot turn IPv6 on in $SLUICE_NODE"
  in_ns "$SLUICE_NODE" ip -6 addr add "$LB_KERNEL6/64" dev "$LB_IFACE" nodad ||
    die "cannot add $LB_KERNEL6 to the $SLUICE_NODE namespace"
}

# frr_start: zebra, bfdd and bgpd in the router namespace: eBGP with the lb nodes'
# kernels (explicit neighbours in a peer-group: lb1, lb2, and lb3 with TOPO_LB3=1), BFD
# 100 ms x 3, up to 8 paths; with BGP_IPV6=1 the IPv6 unicast family too, over the same
# sessions.
frr_start() {
  local dir run d lb3=() ipv6=()
  dir="$(_frr_dir)" run="$(_frr_run)"
  [[ -n "${TOPO_LB3:-}" ]] && lb3=(" neighbor $LB3_KERNEL4 peer-group nodes")
  [[ -n "${BGP_IPV6:-}" ]] && ipv6=(" address-family ipv6 unicast" "  neighbor nodes activate"
    "  maximum-paths 8" " exit-address-family")
  mkdir -p "$dir" "$run"
  chown frr:frr "$dir" "$run"
  printf 'hostname router\nlog file %s/zebra.log\n' "$dir" >"$dir/zebra.conf"
  printf '%s\n' "hostname router" "log file $dir/bfdd.log" "bfd" " profile fast" \
    "  detect-multiplier 3" "  receive-interval 100" "  transmit-interval 100" " exit" \
    "exit" >"$dir/bfdd.conf"
  printf '%s\n' "hostname router" "log file $dir/bgpd.log" "router bgp $ROUTER_AS" \
    " bgp router-id $ROUTER4" " no bgp ebgp-requires-policy" " no bgp default ipv4-unicast" \
    " neighbor nodes peer-group" " neighbor nodes remote-as $NODE_AS" " neighbor nodes bfd" \
    " neighbor nodes bfd profile fast" " neighbor nodes timers 3 9" \
    " neighbor nodes timers connect 2" " neighbor nodes advertisement-interval 0" \
    " neighbor $LB_KERNEL4 peer-group nodes" " neighbor $LB2_KERNEL4 peer-group nodes" "${lb3[@]}" \
    " address-family ipv4 unicast" "  neighbor nodes activate" "  maximum-paths 8" \
    " exit-address-family" "${ipv6[@]}" "exit" >"$dir/bgpd.conf"
  chown frr:frr "$dir"/*.conf
  # Real-time priority, as routers give their control plane: the box is shared (builds,
  # two dataplanes polling) and a 300 ms BFD detection time must not see scheduling.
  for d in zebra bfdd bgpd; do
    topo_bg router "$dir/$d.out" chrt -f 20 "$FRR_LIB/$d" -N "$(ns_name router)" -f "$dir/$d.conf" \
      -i "$dir/$d.pid" --vty_socket "$run" -z "$run/zserv.api" -u frr -g frr
    if [[ $d == zebra ]]; then
      wait_until 10 test -S "$run/zserv.api" || die "zebra did not start: $(cat "$dir/zebra.out")"
    fi
  done
  wait_until 10 test -S "$run/bgpd.vty" || die "bgpd did not start: $(cat "$dir/bgpd.out")"
}

# vty CMD: one vtysh command on the router.
vty() { in_ns router vtysh --vty_socket "$(_frr_run)" -c "$1" 2>/dev/null; }

# router_nexthops ADDRESS: the router's kernel nexthops for ADDRESS/32, sorted, on one line.
router_nexthops() {
  in_ns router ip -4 route show "$1/32" 2>/dev/null |
    grep -oE 'via [0-9.]+' | awk '{ print $2 }' | sort | tr '\n' ' ' | sed 's/ $//'
}

# router_nexthops6 ADDRESS: the same for an IPv6 ADDRESS/128.
router_nexthops6() {
  in_ns router ip -6 route show "$1/128" 2>/dev/null |
    grep -oE 'via [0-9a-f:]+' | awk '{ print $2 }' | sort | tr '\n' ' ' | sed 's/ $//'
}

# bfd_up PEER: the router's BFD session with PEER is up.
bfd_up() { vty "show bfd peers brief" | grep -F " $1 " | grep -qiw up; }

# bird_ctl: the control socket of the current lb node's BIRD.
bird_ctl() { echo "$(sluice_dir)/bird/bird.ctl"; }

# bird_start [ROUTER2]: BIRD 2 in the current lb node's namespace, on
# configs/bird-sluice.conf with this node's address and the test's router; the second
# router's session left out, or kept with ROUTER2 as its neighbour (in BGP_ROUTER2_AS if
# set: NODE_AS makes it an iBGP peer). With BGP_IPV6=1 the
# config's IPv6 channel is on, with LB_KERNEL6 as the nexthop. It includes the node's
# policy file (bird_policy).
bird_start() {
  local dir conf second=() ipv6=()
  dir="$(sluice_dir)/bird"
  conf="$dir/bird.conf"
  mkdir -p "$dir"
  if [[ -n "${1:-}" ]]; then
    second=(-e "s/^define ROUTER2 = .*/define ROUTER2 = $1;/"
      -e "s/^  neighbor ROUTER2 as ROUTER_AS;/  neighbor ROUTER2 as ${BGP_ROUTER2_AS:-ROUTER_AS};/")
  else
    second=(-e '/^protocol bgp router2 /,/^}/d' -e '/^define ROUTER2 /d')
  fi
  if [[ -n "${BGP_IPV6:-}" ]]; then
    ipv6=(-e "s/^  # ipv6 { \(.*\) next hop address [0-9a-f:]*; };$/  ipv6 { \1 next hop address $LB_KERNEL6; };/")
  fi
  sed -e "s/^define NODE_ADDRESS = .*/define NODE_ADDRESS = $LB_KERNEL4;/" \
    -e "s/^define ROUTER1 = .*/define ROUTER1 = $ROUTER4;/" \
    -e "s/^define NODE_AS = .*/define NODE_AS = $NODE_AS;/" \
    -e "s/^define ROUTER_AS = .*/define ROUTER_AS = $ROUTER_AS;/" \
    -e "s/^define SLUICE_PROTOCOL = .*/define SLUICE_PROTOCOL = $BGP_PROTOCOL;/" \
    -e "s/kernel table 100;/kernel table $BGP_TABLE;/" "${second[@]}" "${ipv6[@]}" \
    -e "s|^include \"/run/sluice/bird-vips.conf\";|include \"$(bird_policy)\";|" \
    "$REPO_ROOT/configs/bird-sluice.conf" >"$conf"
  grep -qF "include \"$(bird_policy)\";" "$conf" ||
    die "$conf does not include the policy file (configs/bird-sluice.conf changed?)"
  [[ -z "${BGP_IPV6:-}" ]] || grep -q "^  ipv6 { .* next hop address $LB_KERNEL6; };$" "$conf" ||
    die "no IPv6 channel in $conf (configs/bird-sluice.conf changed?)"
  bird -p -c "$conf" || die "bird refuses $conf"
  topo_bg "$SLUICE_NODE" "$dir/bird.log" chrt -f 20 bird -f -c "$conf" -s "$(bird_ctl)" -P "$dir/bird.pid"
  # shellcheck disable=SC2034 # read by the tests (the pid to kill)
  BIRD_PID[$SLUICE_NODE]="$TOPO_LAST_PID"
  wait_until 10 test -S "$(bird_ctl)" || die "bird did not start: $(tail -n 5 "$dir/bird.log")"
}

# bird_policy: the policy file sluiced writes for the current lb node's BIRD.
bird_policy() { echo "$(sluice_dir)/bird/bird-vips.conf"; }

# birdc_run ARGS...: birdc of the current lb node.
birdc_run() { birdc -s "$(bird_ctl)" "$@"; }

# bgp_node_config NODE: NODE's sluice config (the www topology's) with [bgp], reading the
# sessions of NODE's BIRD.
bgp_node_config() {
  (
    lb_use "$1"
    sluice_config web1 web2
    cat <<EOF

[bgp]
enable = true
table = $BGP_TABLE
protocol = $BGP_PROTOCOL
drain_time = $BGP_DRAIN_S
state_file = "$(sluice_dir)/bgp-state"
bird_socket = "$(bird_ctl)"
bird_policy = "$(bird_policy)"
EOF
  )
}

# bgp_node_start NODE CONFIG [ROUTER2]: NODE's policy file for BIRD (as bird.service's
# ExecStartPre writes it), dataplane and sluiced on CONFIG, and its BIRD (bird_start
# ROUTER2).
bgp_node_start() {
  local node="$1" conf="$2" router2="${3:-}" out
  lb_use "$node"
  out="$("$SLUICED_BIN" --config "$conf" --bird-policy 2>&1)" ||
    die "${LB_NAME[$node]}: sluiced --bird-policy failed: $out"
  rm -f "$(sluice_telemetry_socket)"
  sluice_start "$conf" || die "${LB_NAME[$node]}: dataplane did not start"
  sluiced_start || die "${LB_NAME[$node]}: sluiced did not start"
  bird_start "$router2"
  lb_use lb
}

# node_ctl NODE ARGS...: sluicectl of NODE.
node_ctl() { (
  lb_use "$1"
  shift
  sluicectl_run "$@"
); }

# far_get PORT: one GET of the www VIP from far, from source port PORT; prints who served
# (ERR and status 1 on failure).
far_get() {
  local out
  out="$(in_ns far curl -s -i --max-time 2 --connect-timeout 1 --local-port "$1" \
    -H "Host: $WWW_HOST" "http://$VIP4/" 2>/dev/null)" || {
    echo "ERR"
    return 1
  }
  sed -n 's/^X-Served-By: *//Ip' <<<"${out//$'\r'/}" | head -n 1
}

# route_via SPORT: the nexthop the router picks for far's flow from SPORT to the VIP.
route_via() {
  in_ns router ip route get "$VIP4" from "$FAR4" iif eth1 ipproto tcp sport "$1" dport 80 |
    grep -oE 'via [0-9.]+' | awk '{ print $2 }'
}

nexthops_are() { [[ "$(router_nexthops "$VIP4")" == "$1" ]]; }

# far_get6 PORT: far_get over IPv6, to VIP6.
far_get6() {
  local out
  out="$(in_ns far curl -6 -s -i --max-time 2 --connect-timeout 1 --local-port "$1" \
    -H "Host: $WWW_HOST" "http://[$VIP6]/" 2>/dev/null)" || {
    echo "ERR"
    return 1
  }
  sed -n 's/^X-Served-By: *//Ip' <<<"${out//$'\r'/}" | head -n 1
}

# route_via6 SPORT: route_via for far's IPv6 flow from SPORT to VIP6.
route_via6() {
  in_ns router ip -6 route get "$VIP6" from "$FAR6" iif eth1 ipproto tcp sport "$1" dport 80 |
    grep -oE 'via [0-9a-f:]+' | awk '{ print $2 }'
}

# wait_nexthops WANT SECONDS WHAT: the router's nexthops for the VIP become WANT.
wait_nexthops() {
  wait_for "$2" nexthops_are "$1" ||
    die "$3: the router's nexthops for $VIP4 are '$(router_nexthops "$VIP4")', want '$1'"
}

# time_until_nexthops WANT LIMIT [SINCE]: polls every 10 ms; prints the seconds from SINCE
# (a time, default now) until the router's nexthops became WANT, or "-" after LIMIT seconds.
time_until_nexthops() {
  local t0="${3:-$EPOCHREALTIME}" deadline
  deadline="$(fcalc "$t0 + $2")"
  while le "$EPOCHREALTIME" "$deadline"; do
    if nexthops_are "$1"; then
      fsub "$EPOCHREALTIME" "$t0"
      return 0
    fi
    sleep 0.01
  done
  echo "-"
}

# bgp_vip_packets NODE [VIP]: the packets NODE's dataplane forwarded to VIP's backends
# (default www), as its sluiced counts them (the dataplane's counters reach it every
# second).
bgp_vip_packets() {
  node_ctl "$1" show backends "${2:-www}" json | grep -oE '"packets":[0-9]+' |
    awk -F: '{ s += $2 } END { print s + 0 }'
}

# slow_downloads_start TAG FIRST_PORT COUNT: COUNT slow downloads (nginx's /slow, see
# NGINX_SLOW in netns.sh) of the www VIP from far, from source ports FIRST_PORT,
# FIRST_PORT+1, ...; SLOW_PORTS and SLOW_PIDS list them, SLOW_VIA[PORT] is the node
# (nexthop) the router sent each through when it began.
SLOW_PORTS=() SLOW_PIDS=()
declare -A SLOW_VIA=()
slow_downloads_start() {
  local tag="$1" port
  SLOW_PORTS=() SLOW_PIDS=() SLOW_VIA=()
  for port in $(seq "$2" "$(($2 + $3 - 1))"); do
    SLOW_PORTS+=("$port")
    SLOW_VIA[$port]="$(route_via "$port")"
    in_ns far curl -s --max-time 60 --local-port "$port" -H "Host: $WWW_HOST" \
      -D "$TOPO_DIR/far/$tag-$port.hdr" -o "$TOPO_DIR/far/$tag-$port.bin" "http://$VIP4/slow" &
    SLOW_PIDS+=($!)
  done
}

# slow_downloads_moved: prints how many of the slow downloads the router now sends
# through another node than when they began, then "FROM>TO" for each.
slow_downloads_moved() {
  local port now n=0 moves=""
  for port in "${SLOW_PORTS[@]}"; do
    now="$(route_via "$port")"
    if [[ "$now" != "${SLOW_VIA[$port]}" ]]; then
      n=$((n + 1))
      moves+=" ${SLOW_VIA[$port]}>$now"
    fi
  done
  echo "$n$moves"
}

# slow_downloads_check TAG: every slow download completed, and is exactly the slow.bin of
# the backend that answered its first packets: none changed backend on the way.
slow_downloads_check() {
  local tag="$1" i port who
  for i in "${!SLOW_PORTS[@]}"; do
    port="${SLOW_PORTS[$i]}"
    wait "${SLOW_PIDS[$i]}" || die "$tag: the download from source port $port failed (curl exit $?)"
    who="$(sed -n 's/^X-Served-By: *//Ip' "$TOPO_DIR/far/$tag-$port.hdr" | tr -d '\r')"
    [[ -n "$who" ]] || die "$tag: the download from source port $port has no X-Served-By"
    cmp -s "$TOPO_DIR/far/$tag-$port.bin" "$TOPO_DIR/$who/nginx/slow.bin" ||
      die "$tag: the download from port $port is not $who's slow.bin whole ($(stat -c %s "$TOPO_DIR/far/$tag-$port.bin") bytes)"
  done
}

# bgp_node_lose NODE: NODE dies as a whole (power lost): its link goes down, then its
# dataplane, sluiced and bird are SIGKILLed. Nothing of it reaches the router any more,
# not even the TCP reset of bird's session: only BFD can tell.
bgp_node_lose() {
  local node="$1"
  ip -n "$(ns_name sw)" link set "p-$node" down
  lb_use "$node"
  kill -KILL "$SLUICED_PID" "$SLUICE_PID" "${BIRD_PID[$node]}" 2>/dev/null || true
  lb_reap "$node"
  { wait "${BIRD_PID[$node]}" || true; } 2>/dev/null
}

# bgp_down: FRR's run directory of this run (its processes go with topo_down).
bgp_down() {
  [[ -n "$TOPO_DIR" ]] && rm -rf "$(_frr_run)" 2>/dev/null
  return 0
}
