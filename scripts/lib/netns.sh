# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# The www.foobar.com topology, entirely inside network namespaces this run creates
# and removes. Source it (after common.sh); call topo_up, and topo_down from an EXIT
# trap.
#
#                         ns <id>-sw: bridge br0 (no IP, IPv6 off)
#          p-client      p-lb            p-web1           p-web2
#             |            |                |                |
#   <id>-client eth0  <id>-lb eth0    <id>-web1 eth0   <id>-web2 eth0
#   10.211.0.2        (no kernel IP;  10.211.0.21      10.211.0.22
#   fd00:211::2        sluice owns    fd00:211::21     fd00:211::22
#                      10.211.0.10,   lo: VIP/32, VIP/128 (DSR), arp_ignore=1,
#                      the VIPs)      arp_announce=2, nginx :80, rp_filter=0
#
# Client, LB and backends share one L2 subnet: the client ARPs for the VIP and the
# dataplane answers; the dataplane rewrites the destination MAC to a backend's
# (dsr-l2) and the backend answers the client directly from the VIP on its lo.
#
# TOPO_LB2=1 (set before topo_up) adds a second load balancer, lb2, on the same bridge
# for the HA tests: like lb its kernel has no IPv6 and no address of its own until the
# test gives it one (LB2_KERNEL4); its dataplane, if one runs there, owns LB2_4 / LB2_6
# (distinct from lb's LB4 / LB6) and the same VIPs. TOPO_LB3=1 adds a third, lb3, the
# same way (LB3_4, LB3_6, LB3_KERNEL4).
#
# Every veth end is created straight inside its namespace, so nothing is ever added
# to the root namespace and interface names (eth0, p-*, br0) are short and fixed;
# namespace names carry the per-run id. The addresses exist only in these namespaces.

[[ -n "${_SLUICE_NETNS_SH:-}" ]] && return 0
_SLUICE_NETNS_SH=1
# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

TOPO_ID="${TOPO_ID:-sl$$}"
TOPO_NODES=(client lb web1 web2)
TOPO_DIR=""          # per-run directory: configs, logs, nginx files, captures
TOPO_PIDS=()         # background processes of this run, killed by topo_down
TOPO_FILE_PREFIX="${TOPO_ID}" # DPDK --file-prefix for the run's dataplane
TOPO_EXTRA_PREFIXES=() # file prefixes of further dataplanes (lb2), removed by topo_down too

NET4_PREFIX=24
NET6_PREFIX=64
CLIENT4=10.211.0.2
CLIENT6=fd00:211::2
LB4=10.211.0.10
# shellcheck disable=SC2034 # read by config.sh
LB6=fd00:211::10
WEB1_4=10.211.0.21
WEB1_6=fd00:211::21
WEB2_4=10.211.0.22
WEB2_6=fd00:211::22
# TOPO_WEB3=1 (set before topo_up) adds a third web server, web3, like web1 and web2: a
# backend that a test adds to the VIPs while it runs.
WEB3_4=10.211.0.23
WEB3_6=fd00:211::23
VIP4=10.211.0.100
VIP6=fd00:211::100
# shellcheck disable=SC2034 # read by config.sh and sluiced.sh
LB_IFACE=eth0        # the veth end in the lb namespace, read by net_af_packet
# The lb kernel's own address once a test gives it one (lb_kernel_address in sluiced.sh;
# the dataplane owns LB4): sluiced's health checks leave through the kernel. af_packet
# only taps the veth, so the kernel still receives its own traffic.
# shellcheck disable=SC2034 # read by sluiced.sh and lb2.sh
LB_KERNEL4=10.211.0.11
# Its IPv6 address, for the tests that give the kernel one (bgp.sh: a BGP nexthop).
# shellcheck disable=SC2034 # read by bgp.sh and lb2.sh
LB_KERNEL6=fd00:211::11
# lb2 (TOPO_LB2=1): its dataplane's own addresses and its kernel's address.
# shellcheck disable=SC2034 # read by lb2.sh
LB2_4=10.211.0.13
# shellcheck disable=SC2034 # read by lb2.sh
LB2_6=fd00:211::13
# shellcheck disable=SC2034 # read by lb2.sh
LB2_KERNEL4=10.211.0.12
# shellcheck disable=SC2034 # read by lb2.sh
LB2_KERNEL6=fd00:211::12
# lb3 (TOPO_LB3=1), the same way.
# shellcheck disable=SC2034 # read by lb2.sh
LB3_4=10.211.0.15
# shellcheck disable=SC2034 # read by lb2.sh
LB3_6=fd00:211::15
# shellcheck disable=SC2034 # read by lb2.sh
LB3_KERNEL4=10.211.0.14
# shellcheck disable=SC2034 # read by lb2.sh
LB3_KERNEL6=fd00:211::14
WWW_HOST=www.foobar.com
# Connections each nginx worker takes (one worker per backend); the soak's 1000 wrk
# connections may all land on one backend.
NGINX_WORKER_CONNECTIONS="${NGINX_WORKER_CONNECTIONS:-512}"

# Fixed locally administered MACs so captures are readable.
declare -A TOPO_MAC=([client]=02:5c:00:00:00:02 [lb]=02:5c:00:00:00:10
  [web1]=02:5c:00:00:00:21 [web2]=02:5c:00:00:00:22 [lb2]=02:5c:00:00:00:12
  [lb3]=02:5c:00:00:00:14 [web3]=02:5c:00:00:00:23)
declare -A TOPO_IP4=([client]=$CLIENT4 [web1]=$WEB1_4 [web2]=$WEB2_4 [web3]=$WEB3_4)
declare -A TOPO_IP6=([client]=$CLIENT6 [web1]=$WEB1_6 [web2]=$WEB2_6 [web3]=$WEB3_6)

# ns_name NODE: the real namespace name of a logical node (sw client lb web1 web2).
ns_name() { printf '%s-%s' "$TOPO_ID" "$1"; }

# in_ns NODE CMD...: run CMD inside NODE's namespace.
in_ns() {
  local node="$1"
  shift
  ip netns exec "$(ns_name "$node")" "$@"
}

# topo_bg NODE LOGFILE CMD...: start CMD in NODE's namespace in the background; its pid
# is remembered (killed by topo_down) and left in TOPO_LAST_PID.
topo_bg() {
  local node="$1" logfile="$2"
  shift 2
  # ip netns exec execs CMD in place, so $! is CMD's own pid.
  ip netns exec "$(ns_name "$node")" "$@" >"$logfile" 2>&1 </dev/null &
  TOPO_LAST_PID=$!
  TOPO_PIDS+=("$TOPO_LAST_PID")
}

_topo_sysctl() {
  local node="$1"
  shift
  local kv
  for kv in "$@"; do
    in_ns "$node" sysctl -q -w "$kv" >/dev/null || die "sysctl $kv in $node failed"
  done
}

# Turn off offloads on a veth end. Packets a local stack sends over a veth carry only
# a partial checksum (CHECKSUM_PARTIAL) and may be GSO super-frames; a packet socket
# (net_af_packet) would read them as such and forward them broken.
_topo_no_offload() {
  in_ns "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 ||
    log "note: ethtool could not change offloads on $1/$2"
}

_nginx_conf() {
  local node="$1" dir="$2" temp="" kind
  # Own temp dirs for every module that has one in this nginx build.
  for kind in client-body proxy fastcgi uwsgi scgi; do
    if nginx -V 2>&1 | grep -q -- "--http-${kind}-temp-path"; then
      mkdir -p "$dir/tmp/$kind"
      temp+="    ${kind//-/_}_temp_path $dir/tmp/$kind;"$'\n'
    fi
  done
  cat <<EOF
# SPDX-License-Identifier: BSD-3-Clause
# $node of the www.foobar.com e2e topology (generated by scripts/lib/netns.sh)
worker_processes 1;
worker_rlimit_nofile $((2 * NGINX_WORKER_CONNECTIONS + 64));
error_log $dir/error.log warn;
events { worker_connections $NGINX_WORKER_CONNECTIONS; }
http {
    # one line per request; \$connection numbers the TCP connections, so tests can
    # count them
    log_format sluice '\$remote_addr \$remote_port \$connection \$connection_requests '
                      '"\$request" \$status "\$http_host"';
    access_log $dir/access.log sluice;
$temp    server {
        listen 80 default_server;
        listen [::]:80 default_server;
        server_name $WWW_HOST;
        add_header X-Served-By $node always;
        location / {
            default_type text/plain;
            return 200 "$node\n";
        }
$(if [[ -n "${NGINX_SLOW:-}" ]]; then
    cat <<SLOW
        # NGINX_SLOW=1: a long download (slow.bin: the node's name on every line)
        location = /slow {
            alias $dir/slow.bin;
            default_type application/octet-stream;
            limit_rate ${NGINX_SLOW_RATE:-64k};
        }
SLOW
  fi)
    }
}
EOF
}

# nginx_start NODE: nginx in NODE's namespace with its own conf, pid and temp dirs.
# NGINX_SLOW=1 adds /slow: NGINX_SLOW_BYTES (256 KiB) of the node's name, sent at
# NGINX_SLOW_RATE (64k bytes/s), for connections that must live a few seconds.
nginx_start() {
  local node="$1" dir="$TOPO_DIR/$1/nginx"
  mkdir -p "$dir"
  _nginx_conf "$node" "$dir" >"$dir/nginx.conf"
  if [[ -n "${NGINX_SLOW:-}" ]]; then
    # (yes ends on SIGPIPE: a pipefail status, not an error)
    yes "$node" | head -c "${NGINX_SLOW_BYTES:-262144}" >"$dir/slow.bin" || true
  fi
  in_ns "$node" nginx -q -e "$dir/error.log" -c "$dir/nginx.conf" -g "pid $dir/nginx.pid;" ||
    die "nginx failed to start in $node: $(tail -n 5 "$dir/error.log" 2>/dev/null)"
  wait_until 5 test -s "$dir/nginx.pid" || die "nginx in $node wrote no pid file"
}

nginx_stop() {
  local node="$1" pidfile="$TOPO_DIR/$1/nginx/nginx.pid"
  [[ -s "$pidfile" ]] && kill_pid "$(cat "$pidfile")" 5
  rm -f "$pidfile"
}

# echo_start NODE PORT: a TCP server in NODE that greets each connection with the
# node's name on one line and then echoes every line back (socat, one child per
# connection).
echo_start() {
  local node="$1" port="$2"
  topo_bg "$node" "$TOPO_DIR/$node/echo-$port.log" \
    socat "TCP-LISTEN:$port,reuseaddr,fork" "SYSTEM:echo $node; exec cat"
  wait_until 5 in_ns "$node" sh -c "ss -Hltn 'sport = :$port' | grep -q ."
}

# host_http_start NODE ADDRESS PORT: a web server of NODE's own kernel on ADDRESS:PORT
# whose page is "host-side"; host_http_get ADDRESS PORT: the client fetches it (retrying
# for up to 6 s) and prints the body.
host_http_start() {
  local node="$1" address="$2" port="$3"
  mkdir -p "$TOPO_DIR/www-host"
  echo "host-side" >"$TOPO_DIR/www-host/index.html"
  topo_bg "$node" "$TOPO_DIR/host-http.log" /usr/bin/python3 -m http.server "$port" \
    --bind "$address" --directory "$TOPO_DIR/www-host"
}
host_http_get() {
  local body=""
  for _ in $(seq 20); do
    body="$(in_ns client curl -s --max-time 2 "http://$1:$2/" 2>/dev/null)" && break
    sleep 0.3
  done
  echo "$body"
}

_topo_node_up() {
  local node="$1" ns
  ns="$(ns_name "$node")"
  ip netns add "$ns" || die "ip netns add $ns failed"
  in_ns "$node" ip link set lo up
  if [[ "$node" == lb || "$node" == lb2 || "$node" == lb3 ]]; then
    # The dataplane owns the LB's addresses: the kernel here must stay silent (no
    # IPv4 address, IPv6 off before the veth appears, so no link-local/DAD/RS).
    _topo_sysctl "$node" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  fi
  ip -n "$(ns_name sw)" link add "p-$node" type veth peer name eth0 netns "$ns" ||
    die "veth for $node failed"
  ip -n "$(ns_name sw)" link set "p-$node" master br0 up
  in_ns "$node" ip link set eth0 address "${TOPO_MAC[$node]}"
  _topo_no_offload sw "p-$node"
  _topo_no_offload "$node" eth0
  in_ns "$node" ip link set eth0 up

  case "$node" in
  lb | lb2 | lb3)
    _topo_sysctl "$node" net.ipv6.conf.eth0.disable_ipv6=1
    ;;
  client)
    in_ns client ip addr add "$CLIENT4/$NET4_PREFIX" dev eth0
    in_ns client ip -6 addr add "$CLIENT6/$NET6_PREFIX" dev eth0 nodad
    ;;
  web1 | web2 | web3)
    in_ns "$node" ip addr add "${TOPO_IP4[$node]}/$NET4_PREFIX" dev eth0
    in_ns "$node" ip -6 addr add "${TOPO_IP6[$node]}/$NET6_PREFIX" dev eth0 nodad
    # TOPO_PLAIN_BACKENDS=1: stock web servers, as the NAT modes take them.
    [[ -n "${TOPO_PLAIN_BACKENDS:-}" ]] && return 0
    # DSR backend: the VIP lives on lo, is never announced on the wire, and replies
    # leave from it directly to the client.
    in_ns "$node" ip addr add "$VIP4/32" dev lo
    in_ns "$node" ip -6 addr add "$VIP6/128" dev lo nodad
    _topo_sysctl "$node" \
      net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
      net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2 \
      net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
      net.ipv4.conf.eth0.rp_filter=0 net.ipv4.conf.lo.rp_filter=0
    ;;
  esac
}

# topo_up: create the run directory, the namespaces, the bridge and veths, addresses,
# sysctls, and nginx on web1/web2. Dies on any error (call topo_down from a trap).
topo_up() {
  require_root
  TOPO_DIR="$(mktemp -d "/tmp/sluice-$TOPO_ID.XXXXXX")"
  chmod 755 "$TOPO_DIR"
  if [[ -n "${TOPO_LB2:-}" && " ${TOPO_NODES[*]} " != *" lb2 "* ]]; then
    TOPO_NODES+=(lb2)
  fi
  if [[ -n "${TOPO_LB3:-}" && " ${TOPO_NODES[*]} " != *" lb3 "* ]]; then
    TOPO_NODES+=(lb3)
  fi
  if [[ -n "${TOPO_WEB3:-}" && " ${TOPO_NODES[*]} " != *" web3 "* ]]; then
    TOPO_NODES+=(web3)
  fi
  log "topology $TOPO_ID: namespaces $(ns_name "{sw,$(
    IFS=,
    echo "${TOPO_NODES[*]}"
  )}"), files in $TOPO_DIR"
  local node
  ip netns add "$(ns_name sw)" || die "ip netns add $(ns_name sw) failed"
  in_ns sw ip link set lo up
  _topo_sysctl sw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  # No STP (ports forward at once) and no multicast snooping (ND just floods).
  in_ns sw ip link add br0 type bridge stp_state 0 mcast_snooping 0 ||
    die "bridge creation failed"
  in_ns sw ip link set br0 up
  for node in "${TOPO_NODES[@]}"; do
    mkdir -p "$TOPO_DIR/$node"
    _topo_node_up "$node"
  done
  nginx_start web1
  nginx_start web2
  [[ -z "${TOPO_WEB3:-}" ]] || nginx_start web3
  log "topology $TOPO_ID up: client $CLIENT4, lb $LB4 (dataplane)${TOPO_LB2:+, lb2 (second load balancer)}${TOPO_LB3:+, lb3 (third)}, web1 $WEB1_4, web2 $WEB2_4, VIP $VIP4 / $VIP6"
}

# topo_down: kill what the run started (dataplane, socat, tcpdump, nginx, anything
# left in its namespaces), delete the namespaces (and with them the veths and the
# bridge), and remove the run's DPDK runtime and hugepage files. Safe to call twice
# and after a partial topo_up. Returns its argument, default the status it was
# entered with, so `trap topo_down EXIT` keeps the script's exit status.
topo_down() {
  local rc=${1:-$?} pid node ns
  set +e
  for pid in "${TOPO_PIDS[@]}"; do
    kill_pid "$pid" 5
  done
  TOPO_PIDS=()
  if [[ -n "$TOPO_DIR" ]]; then
    nginx_stop web1 2>/dev/null
    nginx_stop web2 2>/dev/null
    [[ -z "${TOPO_WEB3:-}" ]] || nginx_stop web3 2>/dev/null
  fi
  for node in sw "${TOPO_NODES[@]}"; do
    ns="$(ns_name "$node")"
    [[ -e "/run/netns/$ns" ]] || continue
    # Only processes inside this run's own namespaces.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      kill_pid "$pid" 3
    done
    ip netns del "$ns" 2>/dev/null
  done
  local prefix
  for prefix in "$TOPO_FILE_PREFIX" "${TOPO_EXTRA_PREFIXES[@]}"; do
    [[ -n "$prefix" ]] || continue
    rm -f /dev/hugepages/"${prefix}"map_* 2>/dev/null
    rm -rf "/var/run/dpdk/$prefix" 2>/dev/null
  done
  if [[ -n "$TOPO_DIR" && -d "$TOPO_DIR" ]]; then
    if [[ -n "${KEEP_RUN_DIR:-}" || $rc -ne 0 ]]; then
      log "run files kept in $TOPO_DIR"
    else
      rm -rf "$TOPO_DIR"
    fi
  fi
  return "$rc"
}

# --- client-side helpers ----------------------------------------------------------

# www_get URL: one HTTP GET from the client with Host: www.foobar.com. Prints the
# server that answered (X-Served-By, checked against the body) or ERR:<reason>.
# WWW_CONNECT_TIMEOUT (1 s) and WWW_MAX_TIME (2 s) bound it.
www_get() {
  local url="$1" out hdr body
  out="$(in_ns client curl -s -i --max-time "${WWW_MAX_TIME:-2}" --connect-timeout "${WWW_CONNECT_TIMEOUT:-1}" \
    -H "Host: $WWW_HOST" "$url" 2>/dev/null)" || {
    echo "ERR:curl-failed"
    return 1
  }
  out="${out//$'\r'/}"
  hdr="$(sed -n 's/^X-Served-By: *//Ip' <<<"$out" | head -n 1)"
  body="$(sed '1,/^$/d' <<<"$out")"
  if [[ -z "$hdr" ]]; then
    echo "ERR:no-X-Served-By"
    return 1
  fi
  if [[ "$body" != "$hdr" ]]; then
    echo "ERR:body-${body}-vs-header-${hdr}"
    return 1
  fi
  echo "$hdr"
}

# vip_url [4|6]: the URL of the www VIP.
vip_url() {
  if [[ "${1:-4}" == 6 ]]; then echo "http://[$VIP6]/"; else echo "http://$VIP4/"; fi
}

# topo_check_direct: curl each backend's own address from the client (no sluice).
topo_check_direct() {
  local node got fam addr
  for node in web1 web2; do
    for fam in 4 6; do
      if [[ $fam == 4 ]]; then addr="${TOPO_IP4[$node]}"; else addr="[${TOPO_IP6[$node]}]"; fi
      got="$(www_get "http://$addr/")"
      [[ "$got" == "$node" ]] || { fail "direct GET http://$addr/ gave '$got', want $node"; return 1; }
    done
  done
  return 0
}
