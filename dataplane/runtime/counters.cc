// SPDX-License-Identifier: BSD-3-Clause
// The workers' counters summed and the ports' own, as the text of the exit summary and as
// the channel's kStats answer (channel/stats.h).
#include <mutex>
#include <sstream>

#include "runtime/dataplane.h"

namespace sluice {

Dataplane::CounterTotals Dataplane::sum_counters() const {
  CounterTotals total;
  for (const auto& w : workers_) {
    const WorkerCounters& c = w->counters();
    for (size_t i = 0; i < kWorkerCounterCount; ++i) total.events[i] += c.events[i];
    for (size_t i = 0; i < kDropReasonCount; ++i) total.drops[i] += c.drops[i];
    total.active_flows += c.active_flows;
  }
  return total;
}

namespace {
void add(TrafficCounters& sum, const TrafficCounters& c) {
  sum.packets += c.packets;
  sum.bytes += c.bytes;
  sum.new_flows += c.new_flows;
}
}  // namespace

TrafficCounters Dataplane::vip_traffic(uint32_t vip_id) const {
  TrafficCounters sum;
  for (const auto& w : workers_) add(sum, w->counters().vips[vip_id]);
  return sum;
}

uint64_t Dataplane::vip_syns_not_admitted(uint32_t vip_id) const {
  uint64_t sum = 0;
  for (const auto& w : workers_) sum += w->counters().vip_syns_not_admitted[vip_id];
  return sum;
}

TrafficCounters Dataplane::backend_traffic(uint32_t backend_id) const {
  TrafficCounters sum;
  for (const auto& w : workers_) add(sum, w->counters().backends[backend_id]);
  return sum;
}

std::vector<std::pair<std::string, uint64_t>> Dataplane::port_counters() const {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (const EthPort& p : ports_) {
    if (p.tap_port_id) {
      out.emplace_back("exception_" + p.name + "_to_host", p.frames_to_host);
      out.emplace_back("exception_" + p.name + "_from_host", p.frames_from_host);
    }
    if (p.steering) {
      const bpf::SteeringCounters c = p.steering->counters();
      for (int i = 0; i < STEER_NR_COUNTERS; ++i)
        out.emplace_back("steering_" + p.name + "_" + steering_counter_info[i].name,
                         c.counters[i].packets);
    }
    for (size_t i = 0; i < kPortCounterCount; ++i)
      out.emplace_back("port_" + p.name + "_" + kPortCounters[i].name, p.counters.values[i]);
  }
  return out;
}

std::string Dataplane::summary() const {
  const channel::Stats stats = channel_stats();
  std::ostringstream out;
  for (const auto& [name, value] : stats.counters) out << name << " " << value << "\n";
  for (const channel::VipStats& vip : stats.vips) {
    const channel::Traffic& t = vip.traffic;
    out << "vip " << vip.name << " packets " << t.packets << " bytes " << t.bytes << " new_flows "
        << t.new_flows << " syns_not_admitted " << vip.syns_not_admitted << "\n";
    for (const channel::BackendStats& b : vip.backends)
      out << "backend " << vip.name << " " << b.address.to_string() << " packets "
          << b.traffic.packets << " bytes " << b.traffic.bytes << " new_flows "
          << b.traffic.new_flows << "\n";
  }
  return out.str();
}

std::vector<std::pair<std::string, uint64_t>> Dataplane::sync_counters() const {
  std::vector<std::pair<std::string, uint64_t>> out;
  if (!sync_) return out;
  for (size_t i = 0; i < kSyncCounterCount; ++i) {
    uint64_t sum = sync_->counters()[i];
    for (const auto& w : workers_) sum += w->counters().sync[i];
    out.emplace_back(std::string("sync_") + kSyncCounters[i].name, sum);
  }
  return out;
}

std::vector<std::pair<std::string, uint64_t>> Dataplane::neighbor_counters() const {
  std::lock_guard lock(view_lock_);
  const NeighborStats& s = neighbors_.stats();
  return {{"neighbor_solicitations", s.solicited},
          {"neighbor_solicitations_rate_limited", s.rate_limited}};
}

void Dataplane::sample_load() {
  for (size_t w = 0; w < workers_.size(); ++w) {
    const LoopCycles now = loop_cycles(workers_[w]->counters());
    load_[w].ratio.store(sluice::busy_ratio(load_[w].window_start, now), std::memory_order_relaxed);
    load_[w].window_start = now;
  }
}

channel::Stats Dataplane::channel_stats() const {
  const CounterTotals total = sum_counters();
  channel::Stats out;
  out.generation = generation_;
  for (size_t i = 0; i < kWorkerCounterCount; ++i)
    out.counters.emplace_back(kWorkerCounters[i].name, total.events[i]);
  out.counters.emplace_back("active_flows", total.active_flows);
  for (auto& counter : port_counters()) out.counters.push_back(std::move(counter));
  for (auto& counter : neighbor_counters()) out.counters.push_back(std::move(counter));
  for (auto& counter : sync_counters()) out.counters.push_back(std::move(counter));
  for (size_t i = 0; i < kDropReasonCount; ++i)
    out.counters.emplace_back(std::string("drop_") + kDropReasons[i].name, total.drops[i]);
  for (size_t w = 0; w < workers_.size(); ++w) {
    const Worker& worker = *workers_[w];
    const WorkerCounters& c = worker.counters();
    out.workers.push_back({
        .lcore = worker.lcore(),
        .busy_ppm = uint32_t(busy_ratio(w) * channel::kBusyPpmScale + 0.5),
        .busy_cycles = c[WorkerCounter::busy_cycles],
        .loop_cycles = c[WorkerCounter::loop_cycles],
        .active_flows = c.active_flows,
        .flow_capacity = worker.flow_capacity(),
        .flow_insert_failures = c[WorkerCounter::flow_insert_failures],
        .flow_evictions = c[WorkerCounter::flow_evictions],
    });
  }
  std::lock_guard lock(view_lock_);
  for (const config::Vip& v : config_.vips) {
    VipKey key{v.address, v.port, v.protocol, 0};
    auto id = builder_.vip_id(key);
    if (!id) continue;
    const TrafficCounters c = vip_traffic(*id);
    channel::VipStats& vip = out.vips.emplace_back();
    vip.name = v.name;
    vip.traffic = {c.packets, c.bytes, c.new_flows};
    vip.syns_not_admitted = vip_syns_not_admitted(*id);
    for (const config::Backend& b : v.backends) {
      auto bid = builder_.backend_id(key, b.address);
      if (!bid) continue;
      const TrafficCounters bc = backend_traffic(*bid);
      vip.backends.push_back({b.address, {bc.packets, bc.bytes, bc.new_flows}});
    }
  }
  return out;
}

}  // namespace sluice
