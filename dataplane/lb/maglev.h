// SPDX-License-Identifier: BSD-3-Clause
// Maglev consistent hashing (Eisenbud et al., NSDI'16, section 3.4) with weights.
//
// Control plane: build_maglev_table() allocates and may be called from any thread; it
// touches no shared state. The result is a plain array that the caller publishes as part
// of a snapshot. Data plane: maglev_lookup() reads a published table, never allocates,
// and is safe from any lcore.
//
// Placement depends only on the backend identities, weights and the table size, and is
// the same on every host and CPU, so two sluice nodes (even of different versions, as long
// as the pinned values in maglev_test.cc hold) send a flow to the same backend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "flow/hash.h"

namespace sluice {

struct MaglevBackend {
  std::string identity;  // stable name, e.g. the backend address as text; unique per set
  uint32_t weight = 0;   // relative share; 0 means no slots
};

inline constexpr uint16_t kMaglevNoBackend = 0xffff;
inline constexpr size_t kMaglevMaxBackends = 65535;

// Returns table_size entries, each an index into `backends` (the caller's order), or
// kMaglevNoBackend in every entry when no backend has weight > 0. Backends with weight 0
// own no slots; the others own shares proportional to their weights, rounded to whole
// slots (a backend whose share is below one slot may own none). With all weights equal
// the table is exactly the unweighted Maglev table.
//
// The table depends only on the set of backends, not on their order in `backends`.
// Preconditions (checked by assert only; the caller validates configuration):
//   - table_size is prime (is_prime()), which makes every skip coprime with it;
//   - backends.size() <= kMaglevMaxBackends;
//   - identities are unique (duplicates are the caller's error: the result would depend
//     on input order).
// When table_size is smaller than the number of weighted backends, some get no slot.
//
// Cost: about table_size * ln(table_size) probes plus table_size * max_weight /
// mean_weight cheap steps; ~1 ms for 65537 slots and equal weights. Call it from the
// control plane, never from a worker lcore.
std::vector<uint16_t> build_maglev_table(std::span<const MaglevBackend> backends,
                                         uint32_t table_size);

// For validating table sizes (configuration time; trial division).
bool is_prime(uint32_t n);

// Hot path: the backend index for a flow hash (e.g. flow_hash()), and the slot holding it
// (what a prefetch wants). `size` is the table size the table was built with.
inline const uint16_t* maglev_slot(const uint16_t* table, uint32_t size, uint32_t hash) {
  return &table[reduce(hash, size)];
}
inline uint16_t maglev_lookup(const uint16_t* table, uint32_t size, uint32_t hash) {
  return *maglev_slot(table, size, hash);
}

}  // namespace sluice
