// SPDX-License-Identifier: BSD-3-Clause
// The rewrites of the NAT modes (docs/nat.md): an IP packet's source and destination
// addresses and ports replaced in place, with the IPv4 header checksum and the TCP/UDP
// checksum (pseudo-header included) updated incrementally (RFC 1624), never recomputed
// over the payload; and an ICMP error translated as a whole: its outer header and the
// packet it quotes. Pure functions on bytes, any thread; lengths never change, TTL and
// hop limit are left alone.
#pragma once

#include <cstdint>

#include "net/ip_address.h"
#include "net/mac_address.h"
#include "packet/packet_buffer.h"
#include "packet/parsed_packet.h"

namespace sluice {

// What to write over an IP packet's endpoints: an address of the packet's family, or
// nullptr to keep it; a port, or -1 to keep it.
struct NatRewrite {
  const IpAddress* src = nullptr;
  int32_t src_port = -1;
  const IpAddress* dst = nullptr;
  int32_t dst_port = -1;
};

// Rewrites the IP packet at `ip` (IPv4 or IPv6 by v4) whose `protocol` header starts at
// `l4`, with `l4_available` bytes of it there (fewer than a whole header in an ICMP error's
// quote: ports and the L4 checksum are then touched only where present). A UDP checksum
// of 0 over IPv4 (none) stays 0; one that comes to 0 is sent as 0xffff.
void rewrite_endpoints(uint8_t* ip, bool v4, uint8_t* l4, uint32_t l4_available, uint8_t protocol,
                       const NatRewrite& r);

// rewrite_endpoints() on a parsed TCP/UDP frame, and its MACs set to src_mac -> dst_mac.
void translate_frame(PacketBuffer& frame, const ParsedPacket& parsed, const NatRewrite& r,
                     const MacAddress& src_mac, const MacAddress& dst_mac);

// An ICMP/ICMPv6 error (parsed.icmp_error): `outer` applied to its own IP header, `quoted`
// to the packet it quotes, its ICMP checksum recomputed and its MACs set. False (frame
// untouched) when the quote holds something else than an IP header of the outer's family
// followed by TCP/UDP ports.
bool translate_icmp_error(PacketBuffer& frame, const ParsedPacket& parsed, const NatRewrite& outer,
                          const NatRewrite& quoted, const MacAddress& src_mac,
                          const MacAddress& dst_mac);

}  // namespace sluice
