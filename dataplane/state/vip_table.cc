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
    : mask_(table_size_for(entries.size()) - 1), count_(uint32_t(entries.size())) {
  std::vector<Slot> slots(mask_ + 1);
  for (const auto& [key, value] : entries) {
    const KeyWords k = words(key.address, key.port, key.protocol);
    uint32_t i = hash(k) & mask_;
    while (slots[i].value != kNone) i = (i + 1) & mask_;
    slots[i] = Slot{k, value};
  }
  slots_ = SharedArray<Slot>(std::move(slots));
}

AddressSet::AddressSet(const std::vector<IpAddress>& addresses)
    : mask_(table_size_for(addresses.size()) - 1) {
  std::vector<Slot> slots(mask_ + 1);
  for (const IpAddress& a : addresses) {
    uint32_t i = crc32c(0x5e7u, &a, sizeof a) & mask_;
    while (slots[i].used && !(slots[i].address == a)) i = (i + 1) & mask_;
    if (slots[i].used) continue;  // a duplicate
    slots[i] = Slot{a, true};
    ++count_;
  }
  slots_ = SharedArray<Slot>(std::move(slots));
}

}  // namespace sluice
