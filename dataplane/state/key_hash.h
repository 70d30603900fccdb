// SPDX-License-Identifier: BSD-3-Clause
// Hashing of the main lcore's lookup keys (id registries, the Maglev cache): a word at a
// time, multiplied to spread it. Not for the packet path, which has flow/hash.h.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>

namespace sluice {

inline constexpr uint64_t kKeyHashSeed = 0x9e3779b97f4a7c15ull;

inline uint64_t key_hash_mix(uint64_t h, uint64_t v) { return (h ^ v) * 0xff51afd7ed558ccdull; }

inline uint64_t key_hash_mix(uint64_t h, const std::array<uint8_t, 16>& bytes) {
  uint64_t lo, hi;
  std::memcpy(&lo, bytes.data(), 8);
  std::memcpy(&hi, bytes.data() + 8, 8);
  return key_hash_mix(key_hash_mix(h, lo), hi);
}

}  // namespace sluice
