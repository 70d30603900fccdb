// SPDX-License-Identifier: BSD-3-Clause
// The destination MACs a port takes frames for: every group address (broadcast, multicast:
// ARP, ND, VRRP), its own unicast MAC and the unicast MACs its config adds (accept_macs).
// A promiscuous port also receives the unicast frames a switch floods for other hosts;
// forwarding them would duplicate the traffic of the node they were meant for.
// Built with the forwarding snapshot, read by workers; immutable.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "net/mac_address.h"
#include "net/wire.h"

namespace sluice {

class MacFilter {
 public:
  MacFilter() = default;
  MacFilter(const MacAddress& own, const std::vector<MacAddress>& extra)
      : own_(word(own.bytes.data())) {
    for (const MacAddress& m : extra) extra_.push_back(word(m.bytes.data()));
  }

  // The `length` bytes at `frame` start with its destination address. A frame shorter
  // than an Ethernet header is left to the parser (l2_truncated).
  bool accepts(const uint8_t* frame, uint32_t length) const {
    if (length < wire::kEthHeaderLen) return true;
    if (frame[wire::kEthDstOffset] & 1) return true;  // the I/G bit: a group address
    const uint64_t mac = word(frame + wire::kEthDstOffset);
    if (mac == own_) return true;
    for (uint64_t m : extra_)
      if (m == mac) return true;
    return false;
  }

 private:
  static uint64_t word(const uint8_t* mac) {
    uint64_t w = 0;
    std::memcpy(&w, mac, 6);
    return w;
  }
  uint64_t own_ = 0;
  std::vector<uint64_t> extra_;
};

}  // namespace sluice
