// SPDX-License-Identifier: BSD-3-Clause
#include "pipeline/host_lane.h"

namespace sluice {

namespace {

constexpr uint8_t kTcp = 6;
constexpr uint8_t kUdp = 17;
constexpr uint8_t kIcmpv6 = 58;

// Neighbor discovery (RFC 4861: router and neighbor solicitation and advertisement,
// redirect) and multicast listener discovery (RFC 2710, RFC 3810), which the kernel needs
// to keep its neighbors and its multicast memberships (VRRP's group).
bool is_neighbor_discovery(uint8_t icmpv6_type) {
  return (icmpv6_type >= 133 && icmpv6_type <= 137) || (icmpv6_type >= 130 && icmpv6_type <= 132) ||
         icmpv6_type == 143;
}

bool is_bfd_port(uint16_t port) {
  return port == kBfdControlPort || port == kBfdEchoPort || port == kBfdMultihopPort ||
         port == kBfdMicroPort;
}

}  // namespace

HostLane host_lane(const ParsedPacket& parsed, const ForwardingState& state) {
  if (parsed.kind == PacketKind::kArp) return HostLane::kControl;
  if (parsed.kind != PacketKind::kIpv4 && parsed.kind != PacketKind::kIpv6) return HostLane::kBulk;
  const FlowKey& key = parsed.key;
  // A later fragment has no ports in `key` (a BFD or BGP one is bulk), but its addresses
  // and protocol (one from a backend, or of VRRP, is control).
  if (state.backend_addresses.contains(key.src)) return HostLane::kControl;
  switch (key.protocol) {
    case kProtocolVrrp:
      return HostLane::kControl;
    case kIcmpv6:
      // An ICMPv6 error quoting ICMPv6 has the error's type: not neighbor discovery.
      return parsed.kind == PacketKind::kIpv6 && is_neighbor_discovery(parsed.icmp_type)
                 ? HostLane::kControl
                 : HostLane::kBulk;
    case kTcp:
      return key.src_port == kBgpPort || key.dst_port == kBgpPort ? HostLane::kControl
                                                                  : HostLane::kBulk;
    case kUdp:
      if (is_bfd_port(key.dst_port)) return HostLane::kControl;
      if (state.sync_listen.port != 0 && key.dst_port == state.sync_listen.port &&
          key.dst == state.sync_listen.address)
        return HostLane::kControl;
      return HostLane::kBulk;
    default:
      return HostLane::kBulk;
  }
}

}  // namespace sluice
