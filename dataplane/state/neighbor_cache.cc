// SPDX-License-Identifier: BSD-3-Clause
#include "state/neighbor_cache.h"

#include <algorithm>

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
  if (changed) {
    ++changes_;
    journal_.clear();
    journal_first_ = changes_ + 1;
  }
  return changed;
}

void NeighborCache::record_change(const IpAddress& ip) {
  ++changes_;
  journal_.push_back(ip);
  if (journal_.size() > kJournal) {
    journal_.pop_front();
    ++journal_first_;
  }
}

std::optional<std::vector<IpAddress>> NeighborCache::changed_since(uint64_t seen) const {
  if (seen > changes_ || seen + 1 < journal_first_) return std::nullopt;
  return std::vector<IpAddress>(journal_.begin() + std::ptrdiff_t(seen + 1 - journal_first_),
                                journal_.end());
}

bool NeighborCache::learn(const IpAddress& ip, const MacAddress& mac, uint32_t now_ms) {
  auto it = entries_.find(ip);
  if (it == entries_.end() || it->second.is_static) return false;
  Entry& e = it->second;
  bool changed = e.mac != mac;
  e.mac = mac;
  e.confirmed_ms = now_ms;
  e.next_solicit_ms = now_ms + timers_.refresh_ms;
  e.retry_interval_ms = timers_.refresh_retry_ms;
  e.solicit_scheduled = true;
  if (changed) record_change(ip);
  return changed;
}

std::optional<MacAddress> NeighborCache::lookup(const IpAddress& ip) const {
  auto it = entries_.find(ip);
  if (it == entries_.end()) return std::nullopt;
  return it->second.mac;
}

bool NeighborCache::take_token(uint32_t now_ms) {
  const uint64_t full = uint64_t(timers_.solicit_rate) * 1000;
  if (refilled_ms_)
    tokens_milli_ =
        std::min(full, tokens_milli_ + uint64_t(now_ms - *refilled_ms_) * timers_.solicit_rate);
  refilled_ms_ = now_ms;
  if (tokens_milli_ < 1000) return false;
  tokens_milli_ -= 1000;
  return true;
}

std::vector<IpAddress> NeighborCache::due(uint32_t now_ms, bool& changed) {
  changed = false;
  std::vector<std::pair<uint32_t, decltype(entries_)::iterator>> overdue;  // (since, entry)
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    Entry& e = it->second;
    if (e.is_static) continue;
    if (e.mac && now_ms - e.confirmed_ms >= timers_.expiry_ms) {
      e.mac.reset();
      e.retry_interval_ms = timers_.retry_ms;
      changed = true;
      record_change(it->first);
    }
    if (!e.solicit_scheduled) {
      overdue.emplace_back(UINT32_MAX, it);  // never asked yet: first
    } else if (reached(now_ms, e.next_solicit_ms)) {
      overdue.emplace_back(now_ms - e.next_solicit_ms, it);
    }
  }
  std::stable_sort(overdue.begin(), overdue.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<IpAddress> out;
  for (auto& [since, it] : overdue) {
    if (!take_token(now_ms)) {
      stats_.rate_limited += overdue.size() - out.size();
      break;
    }
    Entry& e = it->second;
    if (e.retry_interval_ms == 0) e.retry_interval_ms = timers_.retry_ms;
    e.solicit_scheduled = true;
    e.next_solicit_ms = now_ms + e.retry_interval_ms;
    e.retry_interval_ms = std::min(timers_.max_retry_ms, e.retry_interval_ms * 2);
    out.push_back(it->first);
    ++stats_.solicited;
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
