// SPDX-License-Identifier: BSD-3-Clause
// What the parser learns about one frame: where each header starts and the flow key.
// Filled by parse_frame() (packet/parser.h); read by the worker and the rewriters.
#pragma once

#include <cstdint>

#include "flow/flow_key.h"
#include "pipeline/counters.h"

namespace sluice {

enum class PacketKind : uint8_t {
  kDrop,  // malformed: see ParsedPacket::drop
  kIpv4,
  kIpv6,
  kArp,
  kOther,  // another ethertype (LLDP, ...): host traffic
};

// Where an IP packet sits in a fragmented datagram. IPv6 atomic fragments (offset 0, no
// more fragments) are whole packets: kNone.
enum class Fragment : uint8_t {
  kNone,
  kFirst,  // offset 0: carries the L4 header, parsed as a whole packet's would be
  kLater,  // offset > 0: no L4 header; `key` has addresses and protocol, ports 0
};

struct ParsedPacket {
  PacketKind kind = PacketKind::kDrop;
  DropReason drop = DropReason::count;  // set when kind == kDrop
  uint8_t vlan_count = 0;               // 802.1Q / 802.1ad tags seen (at most 2)
  uint16_t l3_offset = 0;               // first byte after Ethernet and VLAN tags
  uint16_t l4_offset = 0;               // first byte after IPv4 options / IPv6 extension headers
  uint16_t l3_length = 0;  // bytes of the IP packet as its header says (frame padding excluded)
  uint8_t tcp_flags = 0;   // TCP only
  uint8_t icmp_type = 0;   // ICMP / ICMPv6 only
  uint8_t icmp_code = 0;
  // ICMP destination-unreachable / packet-too-big / time-exceeded: `key` is the quoted
  // packet's tuple reversed, i.e. the client->VIP flow the error belongs to.
  bool icmp_error = false;
  Fragment fragment = Fragment::kNone;
  // Fragments only: what every fragment of the datagram carries alike, with the addresses
  // of the IP header (packet/fragment_key.h): the IPv4 protocol or the next header of the
  // IPv6 fragment header, and the IPv4 (16-bit) or IPv6 (32-bit) identification.
  uint8_t fragment_protocol = 0;
  uint32_t fragment_id = 0;
  // For TCP/UDP: the packet's 5-tuple. For ICMP echo: src/dst and protocol, ports 0. For a
  // later fragment: src/dst and protocol, ports 0.
  FlowKey key;
};

}  // namespace sluice
