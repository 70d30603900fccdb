// SPDX-License-Identifier: BSD-3-Clause
#include "state/vip_table.h"

#include <bit>

namespace sluice {

namespace {
uint32_t table_size_for(size_t n) { return std::bit_ceil(uint32_t(n * 2 + 2)); }
}  // namespace

VipTable::VipTable(const std::vector<VipKey>& keys)
    : slots_(table_size_for(keys.size())),
      mask_(uint32_t(slots_.size() - 1)),
      count_(uint32_t(keys.size())) {
  for (uint32_t v = 0; v < keys.size(); ++v) {
    uint32_t i = crc32c(0x7a1u, &keys[v], sizeof keys[v]) & mask_;
    while (slots_[i].value != kNone) i = (i + 1) & mask_;
    slots_[i] = Slot{keys[v], v};
  }
}

AddressSet::AddressSet(const std::vector<IpAddress>& addresses)
    : slots_(table_size_for(addresses.size())), mask_(uint32_t(slots_.size() - 1)) {
  for (const IpAddress& a : addresses) {
    if (contains(a)) continue;
    uint32_t i = crc32c(0x5e7u, &a, sizeof a) & mask_;
    while (slots_[i].used) i = (i + 1) & mask_;
    slots_[i] = Slot{a, true};
    ++count_;
  }
}

}  // namespace sluice
