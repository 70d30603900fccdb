// SPDX-License-Identifier: BSD-3-Clause
// The hash Maglev places a VIP's new flow by (its `hash` key): the flow's own 5-tuple hash,
// or a hash of the client's address alone (or with the VIP's), so that every connection of
// a client reaches one backend whatever its source port. Flow entries stay keyed by the
// 5-tuple either way. The same value on every host, like flow_hash(). Pure; any thread.
#pragma once

#include <cstdint>

#include "config/config.h"
#include "flow/flow_key.h"
#include "flow/hash.h"

namespace sluice {

inline uint32_t scheduling_hash(config::VipHash mode, const FlowKey& key, uint32_t flow_hash) {
  constexpr uint32_t kSeed = 0x736f7572u;
  switch (mode) {
    case config::VipHash::kFiveTuple:
      break;
    case config::VipHash::kSource:
      return mix32(crc32c(kSeed, key.src.bytes.data(), key.src.bytes.size()));
    case config::VipHash::kSourceDestination:
      return mix32(crc32c(crc32c(kSeed, key.src.bytes.data(), key.src.bytes.size()),
                          key.dst.bytes.data(), key.dst.bytes.size()));
  }
  return flow_hash;
}

}  // namespace sluice
