// SPDX-License-Identifier: BSD-3-Clause
#include "state/neighbor_cache.h"

namespace sluice {

namespace {
bool reached(uint32_t now, uint32_t deadline) { return int32_t(now - deadline) >= 0; }
}  // namespace

bool NeighborCache::configure(const std::vector<IpAddress>& wanted,
                              const std::map<IpAddress, MacAddress>& statics) {
  std::map<IpAddress, Entry> next;
  for (const IpAddress& ip : wanted) {
    auto old = entries_.find(ip);
    Entry e = old != entries_.end() && !old->second.is_static ? old->second : Entry{};
    next[ip] = e;
  }
  for (const auto& [ip, mac] : statics) {
    Entry e;
    e.mac = mac;
    e.is_static = true;
    next[ip] = e;
  }
  bool changed = next.size() != entries_.size();
  for (const auto& [ip, e] : next) {
    auto old = entries_.find(ip);
    if (old == entries_.end() || old->second.mac != e.mac) changed = true;
  }
  entries_ = std::move(next);
  return changed;
}

bool NeighborCache::learn(const IpAddress& ip, const MacAddress& mac, uint32_t now_ms) {
  auto it = entries_.find(ip);
  if (it == entries_.end() || it->second.is_static) return false;
  Entry& e = it->second;
  bool changed = e.mac != mac;
  e.mac = mac;
  e.confirmed_ms = now_ms;
  e.next_solicit_ms = now_ms + timers_.refresh_ms;
  e.solicit_scheduled = true;
  return changed;
}

std::optional<MacAddress> NeighborCache::lookup(const IpAddress& ip) const {
  auto it = entries_.find(ip);
  if (it == entries_.end()) return std::nullopt;
  return it->second.mac;
}

std::vector<IpAddress> NeighborCache::due(uint32_t now_ms, bool& changed) {
  std::vector<IpAddress> out;
  changed = false;
  for (auto& [ip, e] : entries_) {
    if (e.is_static) continue;
    if (e.mac && now_ms - e.confirmed_ms >= timers_.expiry_ms) {
      e.mac.reset();
      changed = true;
    }
    if (!e.solicit_scheduled || reached(now_ms, e.next_solicit_ms)) {
      out.push_back(ip);
      e.solicit_scheduled = true;
      e.next_solicit_ms = now_ms + (e.mac ? timers_.refresh_retry_ms : timers_.retry_ms);
    }
  }
  return out;
}

std::vector<NeighborCache::View> NeighborCache::entries(uint32_t now_ms) const {
  std::vector<View> out;
  for (const auto& [ip, e] : entries_)
    out.push_back({ip, e.mac, e.is_static, e.is_static || !e.mac ? 0 : now_ms - e.confirmed_ms});
  return out;
}

}  // namespace sluice
