// SPDX-License-Identifier: BSD-3-Clause
// Path MTU for the encapsulating modes: a packet that would exceed the MTU once the
// outer headers are added is answered, like a router would, with ICMPv4 "fragmentation
// needed" (only when it carries DF; RFC 1191) or ICMPv6 "packet too big" (RFC 8201),
// quoting it and naming the MTU left for the inner packet, so TCP senders lower their
// segment size instead of losing every full-size packet. Pure; any thread.
#pragma once

#include <cstdint>

#include "net/mac_address.h"
#include "packet/packet_buffer.h"
#include "packet/parsed_packet.h"

namespace sluice {

// Rewrites `frame` in place into the ICMP error for its sender: Ethernet back to the
// frame's source MAC from `our_mac` (VLAN tags kept), IP from the packet's destination
// (the VIP) to its source, TTL / hop limit 64, the quote cut to 576 (IPv4) / 1280 (IPv6)
// bytes in all. `inner_mtu` is the largest inner packet that still fits. False (frame
// unchanged) for a packet that may not get one: IPv4 without DF, an ICMP error itself,
// or too little headroom.
bool make_too_big(PacketBuffer& frame, const ParsedPacket& parsed, const MacAddress& our_mac,
                  uint16_t inner_mtu);

}  // namespace sluice
