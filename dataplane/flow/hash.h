// SPDX-License-Identifier: BSD-3-Clause
// CRC32-C hashing. The value is the same with or without SSE4.2 (the fallback computes the
// same polynomial), so hosts of different CPU generations place a flow identically.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE4_2__)
#include <nmmintrin.h>
#endif

#include "flow/flow_key.h"

namespace sluice {

namespace detail {
uint32_t crc32c_software(uint32_t crc, const uint8_t* data, size_t len);
}

inline uint32_t crc32c(uint32_t seed, const void* data, size_t len) {
#if defined(__SSE4_2__)
  const auto* p = static_cast<const uint8_t*>(data);
  uint64_t crc = seed;
  while (len >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    crc = _mm_crc32_u64(crc, word);
    p += 8;
    len -= 8;
  }
  // The tail in the widest steps: CRC32-C over a little-endian word equals its bytes in
  // order, so this is the byte-wise value, with a shorter dependency chain.
  uint32_t c = uint32_t(crc);
  if (len >= 4) {
    uint32_t word;
    std::memcpy(&word, p, 4);
    c = _mm_crc32_u32(c, word);
    p += 4;
    len -= 4;
  }
  if (len >= 2) {
    uint16_t half;
    std::memcpy(&half, p, 2);
    c = _mm_crc32_u16(c, half);
    p += 2;
    len -= 2;
  }
  if (len) c = _mm_crc32_u8(c, *p);
  return c;
#else
  return detail::crc32c_software(seed, static_cast<const uint8_t*>(data), len);
#endif
}

// crc32c() of the 20 bytes two 64-bit words and a 32-bit one occupy in memory, taken
// from registers.
inline uint32_t crc32c_words(uint32_t seed, uint64_t w0, uint64_t w1, uint32_t w2) {
#if defined(__SSE4_2__)
  return _mm_crc32_u32(uint32_t(_mm_crc32_u64(_mm_crc32_u64(seed, w0), w1)), w2);
#else
  uint8_t bytes[20];
  std::memcpy(bytes, &w0, 8);
  std::memcpy(bytes + 8, &w1, 8);
  std::memcpy(bytes + 16, &w2, 4);
  return crc32c(seed, bytes, sizeof bytes);
#endif
}

// Final avalanche (murmur3 fmix32): CRC alone maps nearby tuples to nearby values.
inline uint32_t mix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

inline uint32_t flow_hash(const FlowKey& key) {
  return mix32(crc32c(0x5109ce11u, &key, sizeof key));
}

// Maps a 32-bit hash uniformly onto [0, n) without a division.
inline uint32_t reduce(uint32_t hash, uint32_t n) { return uint32_t((uint64_t(hash) * n) >> 32); }

}  // namespace sluice
