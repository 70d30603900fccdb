// SPDX-License-Identifier: BSD-3-Clause
// What the XDP steering program of a port with exception_path = "xdp" must hand to the
// dataplane, derived from the config: the services of the active VIPs, echo requests to
// the VIPs and to the port's own addresses, everything TCP, UDP and ICMP to the [nat]
// local addresses (the backends' answers to fullnat connections), and ARP/ND for all
// those addresses. Pure; the runtime writes the result into the program's maps after
// every snapshot. (nat mode, whose answers go to the clients' addresses, is refused with
// XDP steering by the config loader.)
#pragma once

#include <compare>
#include <cstdint>
#include <vector>

#include "config/config.h"
#include "net/ip_address.h"

namespace sluice {

inline constexpr uint8_t kProtocolIcmp = 1;
inline constexpr uint8_t kProtocolIcmpv6 = 58;

// Packets to (address, protocol, port); port 0 = every port of the protocol.
struct SteeredService {
  IpAddress address;
  uint8_t protocol = 0;
  uint16_t port = 0;
  friend auto operator<=>(const SteeredService&, const SteeredService&) = default;
};

struct SteeringEntries {
  std::vector<SteeredService> services;  // sorted, distinct
  std::vector<IpAddress> addresses;      // ARP/ND answered by the dataplane; sorted, distinct
  friend bool operator==(const SteeringEntries&, const SteeringEntries&) = default;
};

SteeringEntries steering_entries(const config::Config& config, size_t port_index);

}  // namespace sluice
