// SPDX-License-Identifier: BSD-3-Clause
#include "state/maglev_cache.h"

#include "lb/maglev.h"
#include "state/key_hash.h"

namespace sluice {

size_t MaglevCache::RingHash::operator()(const MaglevRing& ring) const {
  uint64_t h = key_hash_mix(kKeyHashSeed, ring.table_size);
  for (const MaglevRing::Member& m : ring.members)
    h = key_hash_mix(key_hash_mix(h, m.address.bytes), uint64_t(m.weight) << 16 | m.backend_index);
  return size_t(h ^ (h >> 32));
}

const MaglevTable& MaglevCache::table(const MaglevRing& ring) {
  auto [it, inserted] = tables_.try_emplace(ring);
  if (inserted) {
    std::vector<MaglevBackend> backends;
    backends.reserve(ring.members.size());
    for (const MaglevRing::Member& m : ring.members)
      backends.push_back({m.address.to_string(), m.weight});
    std::vector<uint16_t> slots = build_maglev_table(backends, ring.table_size);
    for (uint16_t& slot : slots)
      if (slot != kMaglevNoBackend) slot = ring.members[slot].backend_index;
    it->second = MaglevTable(std::move(slots));
    ++builds_;
  }
  return it->second;
}

void MaglevCache::retain_used() {
  std::erase_if(tables_, [](const auto& entry) { return !entry.second.held_elsewhere(); });
}

}  // namespace sluice
