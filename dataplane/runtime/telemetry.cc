// SPDX-License-Identifier: BSD-3-Clause
#include "runtime/telemetry.h"

#include <rte_cycles.h>
#include <rte_telemetry.h>

#include <cctype>
#include <cerrno>
#include <mutex>
#include <string>

#include "runtime/dataplane.h"

namespace sluice {

namespace {

// Telemetry callbacks take no user pointer, and DPDK cannot unregister them: the main
// thread clears the pointer (unregister_telemetry) before the Dataplane goes away.
std::mutex g_lock;
const Dataplane* g_dataplane = nullptr;

// Telemetry names allow only [A-Za-z0-9_/].
std::string telemetry_name(std::string s) {
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '/') c = '_';
  return s;
}

int stats(const Dataplane& dataplane, const char*, rte_tel_data* d) {
  const Dataplane::CounterTotals total = dataplane.sum_counters();
  rte_tel_data_start_dict(d);
  for (size_t i = 0; i < kWorkerCounterCount; ++i)
    rte_tel_data_add_dict_u64(d, kWorkerCounters[i].name, total.events[i]);
  rte_tel_data_add_dict_u64(d, "active_flows", total.active_flows);
  rte_tel_data_add_dict_u64(d, "generation", dataplane.generation());
  rte_tel_data_add_dict_u64(d, "workers", dataplane.workers().size());
  rte_tel_data_add_dict_u64(d, "tsc_hz", rte_get_tsc_hz());
  for (const auto& [name, value] : dataplane.port_counters())
    rte_tel_data_add_dict_u64(d, telemetry_name(name).c_str(), value);
  for (const auto& [name, value] : dataplane.sync_counters())
    rte_tel_data_add_dict_u64(d, name.c_str(), value);
  for (const auto& [name, value] : dataplane.neighbor_counters())
    rte_tel_data_add_dict_u64(d, name.c_str(), value);
  rte_tel_data* drops = rte_tel_data_alloc();
  rte_tel_data_start_dict(drops);
  for (size_t i = 0; i < kDropReasonCount; ++i)
    rte_tel_data_add_dict_u64(drops, kDropReasons[i].name, total.drops[i]);
  rte_tel_data_add_dict_container(d, "drops", drops, 0);
  return 0;
}

int vips(const Dataplane& dataplane, const char*, rte_tel_data* d) {
  const Dataplane::LockedView view = dataplane.lock_view();
  rte_tel_data_start_dict(d);
  for (const config::Vip& v : view.config().vips) {
    VipKey key{v.address, v.port, v.protocol, 0};
    auto id = view.vip_id(key);
    if (!id) continue;
    rte_tel_data* vd = rte_tel_data_alloc();
    rte_tel_data_start_dict(vd);
    rte_tel_data_add_dict_string(vd, "address", v.address.to_string().c_str());
    rte_tel_data_add_dict_string(vd, "protocol", config::protocol_name(v.protocol).c_str());
    rte_tel_data_add_dict_u64(vd, "port", v.port);
    rte_tel_data_add_dict_string(vd, "mode", config::to_string(v.mode).c_str());
    rte_tel_data_add_dict_u64(vd, "backends", v.backends.size());
    const TrafficCounters traffic = dataplane.vip_traffic(*id);
    rte_tel_data_add_dict_u64(vd, "packets", traffic.packets);
    rte_tel_data_add_dict_u64(vd, "bytes", traffic.bytes);
    rte_tel_data_add_dict_u64(vd, "new_flows", traffic.new_flows);
    rte_tel_data_add_dict_u64(vd, "syns_not_admitted", dataplane.vip_syns_not_admitted(*id));
    rte_tel_data_add_dict_container(d, telemetry_name(v.name).c_str(), vd, 0);
  }
  return 0;
}

int backends(const Dataplane& dataplane, const char* vip_name, rte_tel_data* d) {
  if (!vip_name || !*vip_name) return -EINVAL;
  const Dataplane::LockedView view = dataplane.lock_view();
  rte_tel_data_start_dict(d);
  for (const config::Vip& v : view.config().vips) {
    if (v.name != vip_name) continue;
    VipKey key{v.address, v.port, v.protocol, 0};
    for (const config::Backend& b : v.backends) {
      rte_tel_data* bd = rte_tel_data_alloc();
      rte_tel_data_start_dict(bd);
      rte_tel_data_add_dict_string(bd, "state", config::to_string(b.state).c_str());
      rte_tel_data_add_dict_u64(bd, "weight", b.weight);
      auto hop = next_hop_for(view.config(), b.address);
      auto mac = hop ? view.neighbors().lookup(*hop) : std::nullopt;
      rte_tel_data_add_dict_string(bd, "next_hop_mac",
                                   mac ? mac->to_string().c_str() : "unresolved");
      auto bid = view.backend_id(key, b.address);
      const TrafficCounters c = bid ? dataplane.backend_traffic(*bid) : TrafficCounters{};
      rte_tel_data_add_dict_u64(bd, "packets", c.packets);
      rte_tel_data_add_dict_u64(bd, "bytes", c.bytes);
      rte_tel_data_add_dict_u64(bd, "new_flows", c.new_flows);
      rte_tel_data_add_dict_container(d, telemetry_name(b.address.to_string()).c_str(), bd, 0);
    }
  }
  return 0;
}

int neighbors(const Dataplane& dataplane, const char*, rte_tel_data* d) {
  const Dataplane::LockedView view = dataplane.lock_view();
  rte_tel_data_start_dict(d);
  uint32_t now = dataplane.now_ms();
  for (const NeighborCache::View& n : view.neighbors().entries(now)) {
    std::string mac = n.mac ? n.mac->to_string() : "unresolved";
    if (n.is_static) mac += " static";
    rte_tel_data_add_dict_string(d, telemetry_name(n.ip.to_string()).c_str(), mac.c_str());
  }
  return 0;
}

int workers(const Dataplane& dataplane, const char*, rte_tel_data* d) {
  const std::vector<std::unique_ptr<Worker>>& all = dataplane.workers();
  rte_tel_data_start_dict(d);
  for (size_t w = 0; w < all.size(); ++w) {
    const WorkerCounters& c = all[w]->counters();
    rte_tel_data* wd = rte_tel_data_alloc();
    rte_tel_data_start_dict(wd);
    rte_tel_data_add_dict_u64(wd, "lcore", all[w]->lcore());
    for (WorkerCounter k :
         {WorkerCounter::rx_packets, WorkerCounter::tx_packets, WorkerCounter::forwarded,
          WorkerCounter::flow_new, WorkerCounter::flow_insert_failures,
          WorkerCounter::flow_evictions, WorkerCounter::handed_off, WorkerCounter::busy_cycles,
          WorkerCounter::loop_cycles, WorkerCounter::rx_interrupt_waits})
      rte_tel_data_add_dict_u64(wd, kWorkerCounters[size_t(k)].name, c[k]);
    rte_tel_data_add_dict_u64(wd, "busy_ppm",
                              uint64_t(dataplane.busy_ratio(w) * channel::kBusyPpmScale + 0.5));
    rte_tel_data_add_dict_u64(wd, "active_flows", c.active_flows);
    rte_tel_data_add_dict_u64(wd, "flow_capacity", all[w]->flow_capacity());
    rte_tel_data_add_dict_container(d, ("worker" + std::to_string(w)).c_str(), wd, 0);
  }
  return 0;
}

int ports(const Dataplane& dataplane, const char*, rte_tel_data* d) {
  rte_tel_data_start_dict(d);
  for (const EthPort& p : dataplane.ports()) {
    rte_tel_data* pd = rte_tel_data_alloc();
    rte_tel_data_start_dict(pd);
    rte_tel_data_add_dict_string(pd, "device", p.device.c_str());
    rte_tel_data_add_dict_u64(pd, "port_id", p.port_id);
    rte_tel_data_add_dict_string(pd, "mac", p.mac.to_string().c_str());
    rte_tel_data_add_dict_u64(pd, "queues", p.queues);
    rte_tel_data_add_dict_u64(pd, "rss", p.rss);
    rte_tel_data_add_dict_u64(pd, "flow_handoff", !p.handoff.empty());
    const char* exception = p.tap_port_id ? "tap" : p.steering ? "xdp" : "none";
    rte_tel_data_add_dict_string(pd, "exception_path", exception);
    rte_tel_data_add_dict_u64(pd, "mtu", p.mtu);
    for (size_t i = 0; i < kPortCounterCount; ++i)
      rte_tel_data_add_dict_u64(pd, kPortCounters[i].name, p.counters.values[i]);
    rte_tel_data_add_dict_container(d, telemetry_name(p.name).c_str(), pd, 0);
  }
  return 0;
}

template <int (*Body)(const Dataplane&, const char*, rte_tel_data*)>
int serve(const char*, const char* params, rte_tel_data* d) {
  std::lock_guard lock(g_lock);
  if (!g_dataplane) return -ENODEV;
  return Body(*g_dataplane, params, d);
}

}  // namespace

void unregister_telemetry() {
  std::lock_guard lock(g_lock);
  g_dataplane = nullptr;
}

void register_telemetry(const Dataplane& dataplane) {
  {
    std::lock_guard lock(g_lock);
    g_dataplane = &dataplane;
  }
  rte_telemetry_register_cmd("/sluice/stats", serve<stats>,
                             "sluice counters summed over workers. Takes no parameters");
  rte_telemetry_register_cmd("/sluice/vips", serve<vips>, "Per-VIP counters. Takes no parameters");
  rte_telemetry_register_cmd("/sluice/backends", serve<backends>,
                             "Per-backend state and counters. Parameter: VIP name");
  rte_telemetry_register_cmd("/sluice/neighbors", serve<neighbors>,
                             "Neighbor cache. Takes no parameters");
  rte_telemetry_register_cmd("/sluice/workers", serve<workers>,
                             "Per worker lcore: packets, busy cycles, flows. Takes no parameters");
  rte_telemetry_register_cmd("/sluice/ports", serve<ports>,
                             "Per port: device, queues, RSS, flow handoff, exception path, "
                             "mtu, frames lost outside the workers. Takes no parameters");
}

}  // namespace sluice
