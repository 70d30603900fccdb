// SPDX-License-Identifier: BSD-3-Clause
// sluice's commands in DPDK telemetry (read with dpdk-telemetry.py):
//   /sluice/stats               event and drop counters summed over workers
//   /sluice/vips                per VIP: address, mode, packets, bytes, new flows
//   /sluice/backends,<vip name> per backend of that VIP: state, weight, MAC, counters
//   /sluice/neighbors           the neighbor cache
#pragma once

namespace sluice {

class Dataplane;

// Registers the commands; `dataplane` must outlive EAL.
void register_telemetry(const Dataplane& dataplane);

}  // namespace sluice
