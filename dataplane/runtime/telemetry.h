// SPDX-License-Identifier: BSD-3-Clause
// sluice's commands in DPDK telemetry (read with dpdk-telemetry.py):
//   /sluice/stats               event and drop counters summed over workers
//   /sluice/vips                per VIP: address, mode, packets, bytes, new flows
//   /sluice/backends,<vip name> per backend of that VIP: state, weight, MAC, counters
//   /sluice/neighbors           the neighbor cache
//   /sluice/workers             per worker lcore: packets, busy cycles and share, flow table
//   /sluice/ports               per port: device, queues, RSS, flow handoff, exception path
// The commands run on DPDK's telemetry thread and read the Dataplane through its
// read-only view only.
#pragma once

namespace sluice {

class Dataplane;

// Registers the commands; call once start() has succeeded. Until unregister_telemetry()
// returns, `dataplane` must stay alive; after it the commands answer -ENODEV.
void register_telemetry(const Dataplane& dataplane);
void unregister_telemetry();

}  // namespace sluice
