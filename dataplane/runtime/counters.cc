// SPDX-License-Identifier: BSD-3-Clause
// The workers' counters summed, as the text of the exit summary and as the channel's kStats
// answer (channel/stats.h).
#include <mutex>
#include <sstream>

#include "runtime/dataplane.h"

namespace sluice {

std::unique_ptr<WorkerCounters> Dataplane::sum_counters() const {
  auto total = std::make_unique<WorkerCounters>();
  for (const auto& w : workers_) {
    const WorkerCounters& c = w->counters();
    for (size_t i = 0; i < kWorkerCounterCount; ++i) total->events[i] += c.events[i];
    for (size_t i = 0; i < kDropReasonCount; ++i) total->drops[i] += c.drops[i];
    total->active_flows += c.active_flows;
    for (uint32_t i = 0; i < kVipIds; ++i) {
      total->vips[i].packets += c.vips[i].packets;
      total->vips[i].bytes += c.vips[i].bytes;
      total->vips[i].new_flows += c.vips[i].new_flows;
    }
    for (uint32_t i = 0; i < kBackendIds; ++i) {
      total->backends[i].packets += c.backends[i].packets;
      total->backends[i].bytes += c.backends[i].bytes;
      total->backends[i].new_flows += c.backends[i].new_flows;
    }
  }
  return total;
}

std::string Dataplane::summary() const {
  auto total = sum_counters();
  std::ostringstream out;
  for (size_t i = 0; i < kWorkerCounterCount; ++i)
    out << kWorkerCounters[i].name << " " << total->events[i] << "\n";
  out << "active_flows " << total->active_flows << "\n";
  for (const EthPort& p : ports_) {
    if (p.tap_port_id)
      out << "exception_" << p.name << "_to_host " << p.frames_to_host << "\nexception_" << p.name
          << "_from_host " << p.frames_from_host << "\n";
    if (p.steering) {
      const bpf::SteeringCounters c = p.steering->counters();
      for (int i = 0; i < STEER_NR_COUNTERS; ++i)
        out << "steering_" << p.name << "_" << steering_counter_info[i].name << " "
            << c.counters[i].packets << "\n";
    }
  }
  for (size_t i = 0; i < kDropReasonCount; ++i)
    out << "drop_" << kDropReasons[i].name << " " << total->drops[i] << "\n";
  std::lock_guard lock(view_lock_);
  for (const config::Vip& v : config_.vips) {
    VipKey key{v.address, v.port, v.protocol, 0};
    auto id = builder_.vip_id(key);
    if (!id) continue;
    const TrafficCounters& c = total->vips[*id];
    out << "vip " << v.name << " packets " << c.packets << " bytes " << c.bytes << " new_flows "
        << c.new_flows << "\n";
    for (const config::Backend& b : v.backends) {
      auto bid = builder_.backend_id(key, b.address);
      if (!bid) continue;
      const TrafficCounters& bc = total->backends[*bid];
      out << "backend " << v.name << " " << b.address.to_string() << " packets " << bc.packets
          << " bytes " << bc.bytes << " new_flows " << bc.new_flows << "\n";
    }
  }
  return out.str();
}

channel::Stats Dataplane::channel_stats() const {
  auto total = sum_counters();
  channel::Stats out;
  out.generation = generation_;
  for (size_t i = 0; i < kWorkerCounterCount; ++i)
    out.counters.emplace_back(kWorkerCounters[i].name, total->events[i]);
  out.counters.emplace_back("active_flows", total->active_flows);
  for (const EthPort& p : ports_) {
    if (p.tap_port_id) {
      out.counters.emplace_back("exception_" + p.name + "_to_host", p.frames_to_host);
      out.counters.emplace_back("exception_" + p.name + "_from_host", p.frames_from_host);
    }
    if (p.steering) {
      const bpf::SteeringCounters c = p.steering->counters();
      for (int i = 0; i < STEER_NR_COUNTERS; ++i)
        out.counters.emplace_back("steering_" + p.name + "_" + steering_counter_info[i].name,
                                  c.counters[i].packets);
    }
  }
  for (size_t i = 0; i < kDropReasonCount; ++i)
    out.counters.emplace_back(std::string("drop_") + kDropReasons[i].name, total->drops[i]);
  std::lock_guard lock(view_lock_);
  for (const config::Vip& v : config_.vips) {
    VipKey key{v.address, v.port, v.protocol, 0};
    auto id = builder_.vip_id(key);
    if (!id) continue;
    const TrafficCounters& c = total->vips[*id];
    channel::VipStats& vip = out.vips.emplace_back();
    vip.name = v.name;
    vip.traffic = {c.packets, c.bytes, c.new_flows};
    for (const config::Backend& b : v.backends) {
      auto bid = builder_.backend_id(key, b.address);
      if (!bid) continue;
      const TrafficCounters& bc = total->backends[*bid];
      vip.backends.push_back({b.address, {bc.packets, bc.bytes, bc.new_flows}});
    }
  }
  return out;
}

}  // namespace sluice
