#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# End-to-end: e2e_dsr_l2.sh over IPv6 (ND for the VIP, VIP6 on the backends' lo).
FAMILY=6 exec bash "$(dirname "$0")/e2e_dsr_l2.sh" "$@"
