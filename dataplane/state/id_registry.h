// SPDX-License-Identifier: BSD-3-Clause
// Stable small integer ids for VIPs and (VIP, backend) pairs, kept by the main lcore across
// snapshots. Flow entries remember backend ids, so an id is handed out again only after
// `quarantine_ms`: by then no flow entry can still hold it (its flow expired). A snapshot
// build acquire()s the keys it adds and release()s those it removes, after acquiring.
// Not thread-safe; main lcore only.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <unordered_map>

namespace sluice {

template <class Key, class Hash = std::hash<Key>>
class IdRegistry {
 public:
  IdRegistry(uint32_t capacity, uint32_t quarantine_ms)
      : capacity_(capacity), quarantine_ms_(quarantine_ms) {}

  // The key's id, assigning one if it has none; nullopt when every id is taken.
  std::optional<uint32_t> acquire(const Key& key, uint32_t now_ms) {
    if (auto it = ids_.find(key); it != ids_.end()) return it->second;
    std::optional<uint32_t> id;
    if (!released_.empty() && now_ms - released_.front().since_ms >= quarantine_ms_) {
      id = released_.front().id;
      released_.pop_front();
    } else if (next_ < capacity_) {
      id = next_++;
    }
    if (id) ids_.emplace(key, *id);
    return id;
  }

  // Gives up the key's id, if it has one: the id goes into quarantine.
  void release(const Key& key, uint32_t now_ms) {
    auto it = ids_.find(key);
    if (it == ids_.end()) return;
    released_.push_back({it->second, now_ms});
    ids_.erase(it);
  }

  // How many keys without an id could get one at now_ms.
  size_t assignable(uint32_t now_ms) const {
    size_t out_of_quarantine = 0;
    for (const Released& r : released_) {
      if (now_ms - r.since_ms < quarantine_ms_) break;  // released_ is oldest first
      ++out_of_quarantine;
    }
    return capacity_ - next_ + out_of_quarantine;
  }
  // The earliest time at which one more id becomes assignable (when none is now).
  std::optional<uint32_t> next_release_ms() const {
    if (released_.empty()) return std::nullopt;
    return released_.front().since_ms + quarantine_ms_;
  }

  std::optional<uint32_t> find(const Key& key) const {
    auto it = ids_.find(key);
    if (it == ids_.end()) return std::nullopt;
    return it->second;
  }
  size_t size() const { return ids_.size(); }

 private:
  struct Released {
    uint32_t id;
    uint32_t since_ms;
  };
  uint32_t capacity_;
  uint32_t quarantine_ms_;
  uint32_t next_ = 0;
  std::unordered_map<Key, uint32_t, Hash> ids_;
  std::deque<Released> released_;
};

}  // namespace sluice
