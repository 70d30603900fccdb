// SPDX-License-Identifier: BSD-3-Clause
// The 5-tuple that names a flow, laid out so that two keys compare with one memcmp and
// hash the same on every host (both sluice nodes must pick the same backend for a flow).
#pragma once

#include <cstdint>
#include <cstring>

#include "net/ip_address.h"

namespace sluice {

struct FlowKey {
  IpAddress src;
  IpAddress dst;
  uint16_t src_port = 0;  // host order; 0 for protocols without ports
  uint16_t dst_port = 0;
  uint8_t protocol = 0;  // IPPROTO_*
  uint8_t pad[3] = {};   // always zero, so memcmp and hashing see no garbage

  friend bool operator==(const FlowKey& a, const FlowKey& b) {
    return std::memcmp(&a, &b, sizeof(FlowKey)) == 0;
  }
};
static_assert(sizeof(FlowKey) == 40);

// a == b for the lookups of the packet path, word by word straight from both keys: copying
// them into arrays first made GCC store them to the stack in 16-byte pieces and read them
// back in 8-byte ones, a store-forwarding stall on every hit (14% of forward() in HotFlow).
inline bool keys_equal(const FlowKey& a, const FlowKey& b) {
  static_assert(sizeof(FlowKey) == 5 * sizeof(uint64_t));
  auto word = [](const FlowKey& k, uint32_t i) {
    uint64_t w;
    std::memcpy(&w, reinterpret_cast<const char*>(&k) + i * sizeof w, sizeof w);
    return w;
  };
  return ((word(a, 0) ^ word(b, 0)) | (word(a, 1) ^ word(b, 1)) | (word(a, 2) ^ word(b, 2)) |
          (word(a, 3) ^ word(b, 3)) | (word(a, 4) ^ word(b, 4))) == 0;
}

}  // namespace sluice
