# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# The second load balancer (TOPO_LB2=1, see netns.sh), and the third (TOPO_LB3=1):
# lb_use points the helpers of dataplane.sh and sluiced.sh (their pids, files under
# TOPO_DIR/lb2, addresses LB2_4, LB2_6, LB2_KERNEL4, DPDK file prefix) at lb2 (or lb3)
# and back at lb; lb_reap forgets a killed node's processes. Without lb_use nothing
# changes. Saves and restores, per node, the variables listed in _LB_VARS; reads LB2_4,
# LB2_6, LB2_KERNEL4, LB2_KERNEL6 (LB3_*); adds lb2's (lb3's) file prefix to
# TOPO_EXTRA_PREFIXES.

[[ -n "${_SLUICE_LB2_SH:-}" ]] && return 0
_SLUICE_LB2_SH=1
# shellcheck source=scripts/lib/sluiced.sh
source "$(dirname "${BASH_SOURCE[0]}")/sluiced.sh"

# What lb_use saves and restores per lb node.
_LB_VARS=(SLUICE_PID SLUICE_CONF SLUICE_LOG SLUICE_RELOAD_OUTPUT SLUICED_PID SLUICED_LOG
  TOPO_FILE_PREFIX LB4 LB6 LB_KERNEL4 LB_KERNEL6 SLUICE_SUBDIR)
declare -A _LB_SAVED=()

# lb_use NODE: point the sluice_* / sluiced_* / lb_kernel_address helpers at NODE (lb,
# lb2 or lb3). The first switch to lb2 gives it its addresses (LB2_4, LB2_6,
# LB2_KERNEL4, LB2_KERNEL6), its run directory TOPO_DIR/lb2 and its own DPDK file
# prefix (removed by topo_down); lb3 the same with LB3_*.
lb_use() {
  local node="$1" v addr4 addr6 kernel4 kernel6
  [[ "$node" == lb || "$node" == lb2 || "$node" == lb3 ]] || die "lb_use: no lb node '$node' (lb, lb2 or lb3)"
  [[ "$node" == "$SLUICE_NODE" ]] && return 0
  for v in "${_LB_VARS[@]}"; do
    _LB_SAVED[$SLUICE_NODE.$v]="${!v}"
  done
  if [[ -n "${_LB_SAVED[$node.SLUICE_SUBDIR]+set}" ]]; then
    for v in "${_LB_VARS[@]}"; do
      printf -v "$v" '%s' "${_LB_SAVED[$node.$v]}"
    done
  else # first use of lb2 (lb3)
    SLUICE_PID="" SLUICE_CONF="" SLUICE_LOG="" SLUICE_RELOAD_OUTPUT=""
    SLUICED_PID="" SLUICED_LOG=""
    TOPO_FILE_PREFIX="${_LB_SAVED[lb.TOPO_FILE_PREFIX]}$node"
    TOPO_EXTRA_PREFIXES+=("$TOPO_FILE_PREFIX")
    addr4="${node^^}_4" addr6="${node^^}_6" kernel4="${node^^}_KERNEL4" kernel6="${node^^}_KERNEL6"
    # shellcheck disable=SC2034 # LB6 is read by config.sh, LB_KERNEL6 by bgp.sh
    LB4="${!addr4}" LB6="${!addr6}" LB_KERNEL4="${!kernel4}" LB_KERNEL6="${!kernel6}"
    SLUICE_SUBDIR="$node"
    mkdir -p "$(sluice_dir)"
  fi
  SLUICE_NODE="$node"
}

# lb_reap NODE: after NODE's sluiced and dataplane were killed, reap them and forget
# their pids.
lb_reap() {
  local p
  lb_use "$1"
  for p in $SLUICED_PID $SLUICE_PID; do
    { wait "$p" || true; } 2>/dev/null
  done
  SLUICED_PID="" SLUICE_PID=""
  lb_use lb
}
