// SPDX-License-Identifier: BSD-3-Clause
// What names one fragmented datagram (RFC 791, RFC 8200 section 4.5): source,
// destination, protocol and identification, the fields every fragment carries alike.
// Laid out like FlowKey, for one memcmp and a hash of plain bytes. Pure; any thread.
#pragma once

#include <cstdint>
#include <cstring>

#include "flow/hash.h"
#include "net/ip_address.h"
#include "packet/parser.h"

namespace sluice {

struct FragmentKey {
  IpAddress src;
  IpAddress dst;
  uint32_t id = 0;       // IPv4: 16 bits
  uint8_t protocol = 0;  // IPv4 protocol, or the next header of IPv6's fragment header
  uint8_t pad[3] = {};

  friend bool operator==(const FragmentKey& a, const FragmentKey& b) {
    return std::memcmp(&a, &b, sizeof(FragmentKey)) == 0;
  }
};
static_assert(sizeof(FragmentKey) == 40);

// Its own seed: a datagram's hash never equals the flow hash of a tuple by construction.
inline uint32_t fragment_hash(const FragmentKey& key) {
  return mix32(crc32c(0x6f7a3c2du, &key, sizeof key));
}

// The key of a parsed fragment (parsed.fragment != kNone) of `frame`. The addresses come
// from the IP header: for an ICMP error, parsed.key holds the quoted packet's instead.
inline FragmentKey fragment_key(const uint8_t* frame, const ParsedPacket& parsed) {
  using namespace parser_detail;
  FragmentKey k;
  const uint8_t* ip = frame + parsed.l3_offset;
  if (parsed.kind == PacketKind::kIpv4) {
    k.src = IpAddress::v4_from_wire(ip + kIpv4SrcOffset);
    k.dst = IpAddress::v4_from_wire(ip + kIpv4DstOffset);
  } else {
    k.src = IpAddress::v6_from_wire(ip + kIpv6SrcOffset);
    k.dst = IpAddress::v6_from_wire(ip + kIpv6DstOffset);
  }
  k.id = parsed.fragment_id;
  k.protocol = parsed.fragment_protocol;
  return k;
}

}  // namespace sluice
