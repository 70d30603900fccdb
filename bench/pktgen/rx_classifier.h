// SPDX-License-Identifier: BSD-3-Clause
// What came back: the receive side reads each frame's backend and stamp. The backend is
// the tunnel's outer destination address for IP-in-IP (IPv4 or IPv6 in IPv4 or IPv6) and
// GUE (IP in UDP to `gue_port`, GUE variant 1, no GUE header), else the destination MAC
// (DSR by L2 rewrite, or a forwarder that sends the frame back). The stamp is the one
// frame_template.h writes at the start of the TCP/UDP payload, found after any VLAN tags
// and tunnel headers; frames without one (ARP, another sender's) still count for their
// backend. Pure, no allocation; callable from any thread.
#pragma once

#include <array>
#include <cstdint>

namespace sluice::pktgen {

struct BackendKey {
  // kind 0: a MAC in bytes[0..6); 4: an IPv4 tunnel destination in bytes[0..4);
  // 6: an IPv6 tunnel destination.
  uint8_t kind = 0;
  std::array<uint8_t, 16> bytes{};
  friend bool operator==(const BackendKey&, const BackendKey&) = default;
};

struct Received {
  BackendKey backend;
  bool stamped = false;
  uint32_t flow = 0;
  uint64_t tsc = 0;
};

// False when the frame is shorter than an Ethernet header.
bool classify(const uint8_t* frame, uint32_t length, uint16_t gue_port, Received& out);

}  // namespace sluice::pktgen
