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

}  // namespace sluice
