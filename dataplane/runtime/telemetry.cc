// SPDX-License-Identifier: BSD-3-Clause
#include "runtime/telemetry.h"

#include <rte_telemetry.h>

#include "runtime/dataplane.h"

namespace sluice {

namespace {

const Dataplane* g_dataplane = nullptr;  // telemetry callbacks take no user pointer

int stats(const char*, const char*, rte_tel_data* d) {
  g_dataplane->telemetry_stats(d);
  return 0;
}
int vips(const char*, const char*, rte_tel_data* d) {
  g_dataplane->telemetry_vips(d);
  return 0;
}
int backends(const char*, const char* params, rte_tel_data* d) {
  if (!params || !*params) return -EINVAL;
  g_dataplane->telemetry_backends(params, d);
  return 0;
}
int neighbors(const char*, const char*, rte_tel_data* d) {
  g_dataplane->telemetry_neighbors(d);
  return 0;
}
int workers(const char*, const char*, rte_tel_data* d) {
  g_dataplane->telemetry_workers(d);
  return 0;
}
int ports(const char*, const char*, rte_tel_data* d) {
  g_dataplane->telemetry_ports(d);
  return 0;
}

}  // namespace

void register_telemetry(const Dataplane& dataplane) {
  g_dataplane = &dataplane;
  rte_telemetry_register_cmd("/sluice/stats", stats,
                             "sluice counters summed over workers. Takes no parameters");
  rte_telemetry_register_cmd("/sluice/vips", vips, "Per-VIP counters. Takes no parameters");
  rte_telemetry_register_cmd("/sluice/backends", backends,
                             "Per-backend state and counters. Parameter: VIP name");
  rte_telemetry_register_cmd("/sluice/neighbors", neighbors,
                             "Neighbor cache. Takes no parameters");
  rte_telemetry_register_cmd("/sluice/workers", workers,
                             "Per worker lcore: packets, busy cycles, flows. Takes no parameters");
  rte_telemetry_register_cmd("/sluice/ports", ports,
                             "Per port: device, queues, RSS, flow handoff, exception path. "
                             "Takes no parameters");
}

}  // namespace sluice
