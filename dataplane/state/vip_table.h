// SPDX-License-Identifier: BSD-3-Clause
// Read-only lookup tables built with each forwarding snapshot: (address, protocol, port)
// -> VIP index, and address -> "answer ARP/ND/echo for it". Open addressing, power-of-two
// size, at most half full, so a lookup touches one or two cache lines. Built by the main
// lcore, read by workers; never modified after construction, so copies share the slots.
#pragma once

#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "flow/hash.h"
#include "net/ip_address.h"
#include "state/shared_array.h"

namespace sluice {

struct VipKey {
  IpAddress address;
  uint16_t port = 0;     // 0 = every port
  uint8_t protocol = 0;  // IPPROTO_TCP / IPPROTO_UDP
  uint8_t pad = 0;
  friend bool operator==(const VipKey&, const VipKey&) = default;
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
    uint32_t index = find_exact(words(address, port, protocol));
    if (index == kNone && port != 0) index = find_exact(words(address, 0, protocol));
    return index;
  }
  uint32_t size() const { return count_; }

 private:
  // A key as hashed and compared: the address in two words and port and protocol in a
  // third, all assembled in registers. Building a VipKey on the stack and reading it back
  // in words stalled on store forwarding (43% of Pipeline::handle's samples).
  struct KeyWords {
    uint64_t address_hi = 0;
    uint64_t address_lo = 0;
    uint32_t port_protocol = 0;
    friend bool operator==(const KeyWords&, const KeyWords&) = default;
  };
  static KeyWords words(const IpAddress& address, uint16_t port, uint8_t protocol) {
    KeyWords k;
    std::memcpy(&k.address_hi, address.bytes.data(), 8);
    std::memcpy(&k.address_lo, address.bytes.data() + 8, 8);
    k.port_protocol = uint32_t(port) | uint32_t(protocol) << 16;
    return k;
  }
  static uint32_t hash(const KeyWords& k) {
    return crc32c_words(0x7a1u, k.address_hi, k.address_lo, k.port_protocol);
  }
  struct Slot {
    KeyWords key;
    uint32_t value = kNone;
  };
  uint32_t find_exact(const KeyWords& key) const {
    uint32_t i = hash(key) & mask_;
    for (;;) {
      const Slot& s = slots_[i];
      if (s.value == kNone) return kNone;
      if (s.key == key) return s.value;
      i = (i + 1) & mask_;
    }
  }
  SharedArray<Slot> slots_;
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
  SharedArray<Slot> slots_;
  uint32_t mask_ = 0;
  uint32_t count_ = 0;
};

}  // namespace sluice
