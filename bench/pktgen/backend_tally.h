// SPDX-License-Identifier: BSD-3-Clause
// Frames received per backend (BackendKey) on one lcore: a fixed open-addressed table of
// kCapacity keys, sized at construction, so counting allocates nothing. Backends beyond
// kCapacity are counted together in overflow(). Pure; owned by one lcore, read after it
// stopped.
#pragma once

#include <cstdint>
#include <vector>

#include "rx_classifier.h"

namespace sluice::pktgen {

class BackendTally {
 public:
  static constexpr uint32_t kCapacity = 1024;

  struct Entry {
    BackendKey key;
    uint64_t frames = 0;
  };

  BackendTally() : slots_(kSlots) {}

  void add(const BackendKey& key) {
    uint32_t i = hash(key) & (kSlots - 1);
    for (;; i = (i + 1) & (kSlots - 1)) {
      Entry& e = slots_[i];
      if (e.frames && e.key == key) {
        ++e.frames;
        return;
      }
      if (!e.frames) {
        if (used_ == kCapacity) {
          ++overflow_;
          return;
        }
        ++used_;
        e.key = key;
        e.frames = 1;
        return;
      }
    }
  }

  // The counted backends, in table order.
  std::vector<Entry> entries() const {
    std::vector<Entry> out;
    for (const Entry& e : slots_)
      if (e.frames) out.push_back(e);
    return out;
  }
  uint64_t overflow() const { return overflow_; }

 private:
  static constexpr uint32_t kSlots = 2 * kCapacity;  // a power of two
  static uint32_t hash(const BackendKey& key) {
    uint64_t h = 0xcbf29ce484222325ull ^ key.kind;
    for (uint8_t b : key.bytes) h = (h ^ b) * 0x100000001b3ull;
    return uint32_t(h ^ h >> 32);
  }

  std::vector<Entry> slots_;
  uint32_t used_ = 0;
  uint64_t overflow_ = 0;
};

}  // namespace sluice::pktgen
