#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# End-to-end: e2e_load_wrk.sh with two workers on two af_packet queues, flows handed over.
SLUICE_WORKERS=2 exec bash "$(dirname "$0")/e2e_load_wrk.sh" "$@"
