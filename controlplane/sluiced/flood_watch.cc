// SPDX-License-Identifier: BSD-3-Clause
#include "sluiced/flood_watch.h"

namespace sluice::sluiced {

namespace {

uint64_t per_second(uint64_t delta, uint64_t elapsed_ms) {
  return elapsed_ms == 0 ? 0 : (delta * 1000 + elapsed_ms / 2) / elapsed_ms;
}

}  // namespace

void FloodWatch::sample(const channel::Stats& stats, uint64_t now_ms) {
  const uint64_t elapsed_ms = now_ms - last_ms_;
  std::map<std::string, Entry> next;
  for (const channel::VipStats& v : stats.vips) {
    Entry& e = next[v.name];
    e.new_flows = v.traffic.new_flows;
    e.syns_not_admitted = v.syns_not_admitted;
    e.view.syns_not_admitted = v.syns_not_admitted;
    auto before = vips_.find(v.name);
    if (before == vips_.end() || e.new_flows < before->second.new_flows ||
        e.syns_not_admitted < before->second.syns_not_admitted)
      continue;
    const Entry& previous = before->second;
    e.view.new_flows_per_s = per_second(e.new_flows - previous.new_flows, elapsed_ms);
    e.view.syns_not_admitted_per_s =
        per_second(e.syns_not_admitted - previous.syns_not_admitted, elapsed_ms);
    e.view.last_flood_ms = previous.view.last_flood_ms;
    if (e.syns_not_admitted > previous.syns_not_admitted) {
      e.view.flood_since_ms = previous.view.flood_since_ms.value_or(now_ms);
      e.view.last_flood_ms = now_ms;
    }
  }
  vips_ = std::move(next);
  last_ms_ = now_ms;
}

const FloodWatch::Vip* FloodWatch::find(const std::string& name) const {
  auto it = vips_.find(name);
  return it == vips_.end() ? nullptr : &it->second.view;
}

}  // namespace sluice::sluiced
