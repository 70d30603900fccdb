# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# The lb node the dataplane and sluiced helpers act on: SLUICE_NODE (lb, or lb2 after
# `lb_use lb2`, see lb2.sh) and its run directory (sluice_dir). Reads TOPO_DIR.

[[ -n "${_SLUICE_LB_NODE_SH:-}" ]] && return 0
_SLUICE_LB_NODE_SH=1
# shellcheck source=scripts/lib/netns.sh
source "$(dirname "${BASH_SOURCE[0]}")/netns.sh"

# shellcheck disable=SC2034 # read by dataplane.sh, sluiced.sh and lb2.sh
SLUICE_NODE=lb       # the lb node the helpers act on (lb_use switches it)
SLUICE_SUBDIR=""     # that node's run files: TOPO_DIR/SLUICE_SUBDIR ("" for lb)

# sluice_dir: the directory of the current lb node's run files (TOPO_DIR for lb).
sluice_dir() { echo "${TOPO_DIR}${SLUICE_SUBDIR:+/$SLUICE_SUBDIR}"; }
