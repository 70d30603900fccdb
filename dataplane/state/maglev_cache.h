// SPDX-License-Identifier: BSD-3-Clause
// The Maglev tables in use, by what they were built from: the table size, the backends
// that take new flows (address and weight, in the VIP's order) and each one's index among
// the VIP's backends. A snapshot build asks for the table of every VIP it builds anew and
// builds only those it has not seen (a new or changed backend set), so a health flap or a
// neighbour learnt costs no Maglev build, and VIPs on the same backends share one table.
// Main lcore only.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "lb/maglev_table.h"
#include "net/ip_address.h"

namespace sluice {

struct MaglevRing {
  struct Member {
    IpAddress address;
    uint32_t weight = 0;
    uint16_t backend_index = 0;  // where the slots point: the VIP's backend list
    friend bool operator==(const Member&, const Member&) = default;
  };
  uint32_t table_size = 0;
  std::vector<Member> members;
  friend bool operator==(const MaglevRing&, const MaglevRing&) = default;
};

class MaglevCache {
 public:
  // The table for `ring`: the one already built, or built now.
  const MaglevTable& table(const MaglevRing& ring);
  // Forgets every table that nothing but the cache holds any more (no VIP entry of a
  // snapshot or of the builder).
  void retain_used();

  size_t size() const { return tables_.size(); }
  uint64_t builds() const { return builds_; }

 private:
  struct RingHash {
    size_t operator()(const MaglevRing& ring) const;
  };
  std::unordered_map<MaglevRing, MaglevTable, RingHash> tables_;
  uint64_t builds_ = 0;
};

}  // namespace sluice
