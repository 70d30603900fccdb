// SPDX-License-Identifier: BSD-3-Clause
// Stable small integer ids for VIPs and (VIP, backend) pairs, kept by the main lcore across
// snapshots. Flow entries remember backend ids, so an id is handed out again only after
// `quarantine_ms`: by then no flow entry can still hold it (its flow expired). A snapshot
// build is one round: begin_round(), acquire() every key the snapshot has, then
// release_unacquired() gives up the others. Not thread-safe; main lcore only.
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

  void begin_round() { ++round_; }

  // The key's id, assigning one if it has none; nullopt when every id is taken. Marks the
  // key as held in this round.
  std::optional<uint32_t> acquire(const Key& key, uint32_t now_ms) {
    if (auto it = ids_.find(key); it != ids_.end()) {
      it->second.round = round_;
      return it->second.id;
    }
    std::optional<uint32_t> id;
    if (!released_.empty() && now_ms - released_.front().since_ms >= quarantine_ms_) {
      id = released_.front().id;
      released_.pop_front();
    } else if (next_ < capacity_) {
      id = next_++;
    }
    if (id) ids_.emplace(key, Held{*id, round_});
    return id;
  }

  // Releases every key not acquired since begin_round(); their ids go into quarantine.
  void release_unacquired(uint32_t now_ms) {
    for (auto it = ids_.begin(); it != ids_.end();) {
      if (it->second.round == round_) {
        ++it;
        continue;
      }
      released_.push_back({it->second.id, now_ms});
      it = ids_.erase(it);
    }
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
    return it->second.id;
  }
  size_t size() const { return ids_.size(); }

 private:
  struct Held {
    uint32_t id;
    uint64_t round;
  };
  struct Released {
    uint32_t id;
    uint32_t since_ms;
  };
  uint32_t capacity_;
  uint32_t quarantine_ms_;
  uint32_t next_ = 0;
  uint64_t round_ = 0;
  std::unordered_map<Key, Held, Hash> ids_;
  std::deque<Released> released_;
};

}  // namespace sluice
