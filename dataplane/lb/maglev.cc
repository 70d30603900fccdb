// SPDX-License-Identifier: BSD-3-Clause
#include "lb/maglev.h"

#include <algorithm>
#include <cassert>

namespace sluice {

namespace {

// Changing any of these moves flows between backends; maglev_test.cc pins the placement.
constexpr uint32_t kOffsetSeed = 0x6d61676cu;
constexpr uint32_t kSkipSeed = 0x736b6970u;

// murmur3 fmix64.
uint64_t mix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

// CRC is affine in its seed, so the two CRCs of one identity differ by a constant that
// depends only on the length; the seed in the high half and the 64-bit avalanche make
// offset and skip unrelated anyway.
uint64_t identity_hash(uint32_t seed, const std::string& identity) {
  return mix64(uint64_t(seed) << 32 | crc32c(seed, identity.data(), identity.size()));
}

struct Participant {
  uint64_t credit;
  uint32_t weight;
  uint32_t position;  // next slot of this backend's permutation to try
  uint32_t skip;
  uint16_t index;  // in the caller's order
};

}  // namespace

bool is_prime(uint32_t n) {
  if (n < 2) return false;
  if (n % 2 == 0) return n == 2;
  for (uint64_t d = 3; d * d <= n; d += 2)
    if (n % d == 0) return false;
  return true;
}

std::vector<uint16_t> build_maglev_table(std::span<const MaglevBackend> backends,
                                         uint32_t table_size) {
  assert(is_prime(table_size));
  assert(backends.size() <= kMaglevMaxBackends);
  const uint32_t m = table_size;
  std::vector<uint16_t> table(m, kMaglevNoBackend);

  std::vector<uint16_t> order;
  order.reserve(backends.size());
  for (size_t i = 0; i < backends.size(); ++i)
    if (backends[i].weight > 0) order.push_back(uint16_t(i));
  if (order.empty() || m < 2) return table;
  std::sort(order.begin(), order.end(),
            [&](uint16_t a, uint16_t b) { return backends[a].identity < backends[b].identity; });

  std::vector<Participant> participants;
  participants.reserve(order.size());
  uint32_t max_weight = 0;
  for (uint16_t i : order) {
    const MaglevBackend& b = backends[i];
    const auto offset = uint32_t(identity_hash(kOffsetSeed, b.identity) % m);
    const auto skip = uint32_t(identity_hash(kSkipSeed, b.identity) % (m - 1) + 1);
    participants.push_back({0, b.weight, offset, skip, i});
    max_weight = std::max(max_weight, b.weight);
  }

  // Each round every backend earns weight/max_weight of a turn and takes one when it has
  // a whole turn saved (at most one per round, since weight <= max_weight). With equal
  // weights every backend takes exactly one turn per round: plain Maglev. A round costs
  // O(backends), so the build costs O(m * max_weight / mean_weight) plus the probing.
  //
  // Probing reads a bitmap (8 KiB for 65537 slots, stays in L1) rather than the table; the
  // permutation visits every slot (skip is coprime with the prime m), so a probe finds a
  // free slot while the table is not full. 64-bit slots keep slot + skip from overflowing.
  std::vector<uint64_t> taken((size_t(m) + 63) / 64, 0);
  uint32_t filled = 0;
  for (;;) {
    for (Participant& p : participants) {
      p.credit += p.weight;
      if (p.credit < max_weight) continue;
      p.credit -= max_weight;
      uint64_t slot = p.position;
      while (taken[slot >> 6] >> (slot & 63) & 1) {
        slot += p.skip;
        if (slot >= m) slot -= m;
      }
      taken[slot >> 6] |= uint64_t(1) << (slot & 63);
      table[slot] = p.index;
      slot += p.skip;
      if (slot >= m) slot -= m;
      p.position = uint32_t(slot);
      if (++filled == m) return table;
    }
  }
}

}  // namespace sluice
