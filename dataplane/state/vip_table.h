// SPDX-License-Identifier: BSD-3-Clause
// Read-only lookup tables built with each forwarding snapshot: (address, protocol, port)
// -> VIP index, and address -> "answer ARP/ND/echo for it". Open addressing, power-of-two
// size, at most half full, so a lookup touches one or two cache lines. Built by the main
// lcore, read by workers; never modified after construction.
#pragma once

#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "common/hash.h"
#include "common/ip_address.h"

namespace sluice {

struct VipKey {
  IpAddress address;
  uint16_t port = 0;     // 0 = every port
  uint8_t protocol = 0;  // IPPROTO_TCP / IPPROTO_UDP
  uint8_t pad = 0;
  // Two 8-byte and one 4-byte compare: the defaulted operator calls memcmp through the PLT,
  // which cost ~9% of a hot-flow packet.
  friend bool operator==(const VipKey& a, const VipKey& b) {
    uint64_t a0, a1, b0, b1;
    uint32_t a2, b2;
    std::memcpy(&a0, &a, 8);
    std::memcpy(&a1, reinterpret_cast<const char*>(&a) + 8, 8);
    std::memcpy(&a2, reinterpret_cast<const char*>(&a) + 16, 4);
    std::memcpy(&b0, &b, 8);
    std::memcpy(&b1, reinterpret_cast<const char*>(&b) + 8, 8);
    std::memcpy(&b2, reinterpret_cast<const char*>(&b) + 16, 4);
    return ((a0 ^ b0) | (a1 ^ b1) | uint64_t(a2 ^ b2)) == 0;
  }
};
static_assert(sizeof(VipKey) == 20);

class VipTable {
 public:
  static constexpr uint32_t kNone = 0xffffffffu;

  // keys[i] maps to i. Keys must be distinct (the config validator guarantees it).
  explicit VipTable(const std::vector<VipKey>& keys = {});
  // Each key maps to its paired value.
  explicit VipTable(const std::vector<std::pair<VipKey, uint32_t>>& entries);

  // Exact port first, then the VIP's port-0 (every port) entry.
  uint32_t find(const IpAddress& address, uint8_t protocol, uint16_t port) const {
    if (count_ == 0) return kNone;
    uint32_t index = find_exact(VipKey{address, port, protocol, 0});
    if (index == kNone && port != 0) index = find_exact(VipKey{address, 0, protocol, 0});
    return index;
  }
  uint32_t size() const { return count_; }

 private:
  struct Slot {
    VipKey key;
    uint32_t value = kNone;
  };
  uint32_t find_exact(const VipKey& key) const {
    uint32_t i = crc32c(0x7a1u, &key, sizeof key) & mask_;
    for (;;) {
      const Slot& s = slots_[i];
      if (s.value == kNone) return kNone;
      if (s.key == key) return s.value;
      i = (i + 1) & mask_;
    }
  }
  std::vector<Slot> slots_;
  uint32_t mask_ = 0;
  uint32_t count_ = 0;
};

// A set of addresses, same scheme.
class AddressSet {
 public:
  explicit AddressSet(const std::vector<IpAddress>& addresses = {});
  bool contains(const IpAddress& a) const {
    if (count_ == 0) return false;
    uint32_t i = crc32c(0x5e7u, &a, sizeof a) & mask_;
    for (;;) {
      const Slot& s = slots_[i];
      if (!s.used) return false;
      if (s.address == a) return true;
      i = (i + 1) & mask_;
    }
  }
  uint32_t size() const { return count_; }

 private:
  struct Slot {
    IpAddress address;
    bool used = false;
  };
  std::vector<Slot> slots_;
  uint32_t mask_ = 0;
  uint32_t count_ = 0;
};

}  // namespace sluice
