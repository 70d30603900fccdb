// SPDX-License-Identifier: BSD-3-Clause
#include "state/vip_table.h"

#include <bit>

namespace sluice {

namespace {
uint32_t table_size_for(size_t n) { return std::bit_ceil(uint32_t(n * 2 + 2)); }
}  // namespace

namespace {
std::vector<std::pair<VipKey, uint32_t>> numbered(const std::vector<VipKey>& keys) {
  std::vector<std::pair<VipKey, uint32_t>> out;
  for (uint32_t v = 0; v < keys.size(); ++v) out.emplace_back(keys[v], v);
  return out;
}
}  // namespace

VipTable::VipTable(const std::vector<VipKey>& keys) : VipTable(numbered(keys)) {}

VipTable::VipTable(const std::vector<std::pair<VipKey, uint32_t>>& entries)
    : slots_(table_size_for(entries.size())),
      mask_(uint32_t(slots_.size() - 1)),
      count_(uint32_t(entries.size())) {
  for (const auto& [key, value] : entries) {
    const KeyWords k = words(key.address, key.port, key.protocol);
    uint32_t i = hash(k) & mask_;
    while (slots_[i].value != kNone) i = (i + 1) & mask_;
    slots_[i] = Slot{k, value};
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
