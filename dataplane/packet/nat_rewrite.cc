// SPDX-License-Identifier: BSD-3-Clause
#include "packet/nat_rewrite.h"

#include <cstring>

#include "net/wire.h"
#include "packet/checksum.h"

namespace sluice {

using namespace wire;

namespace {

constexpr uint32_t kIpv4SrcOffset = 12;
constexpr uint32_t kIpv4DstOffset = 16;
constexpr uint32_t kIpv4ChecksumOffset = 10;
constexpr uint32_t kIpv6SrcOffset = 8;
constexpr uint32_t kIpv6DstOffset = 24;
constexpr uint32_t kTcpChecksumOffset = 16;
constexpr uint32_t kUdpChecksumOffset = 6;
constexpr uint32_t kIcmpChecksumOffset = 2;

// Writes `length` bytes of `to` over `at` and returns what that adds to a sum covering
// them: the new words' sum plus the complement of the old ones'.
uint16_t replace(uint8_t* at, const uint8_t* to, uint32_t length) {
  const uint16_t before = checksum::sum(at, length);
  std::memcpy(at, to, length);
  return checksum::add(checksum::sum(to, length), uint16_t(~before));
}

uint16_t replace_port(uint8_t* at, uint16_t port) {
  uint8_t wire_port[2];
  store_be16(wire_port, port);
  return replace(at, wire_port, 2);
}

// The checksum field at `field` after the covered data changed by `delta`.
void adjust(uint8_t* field, uint16_t delta) {
  const uint16_t old = load_be16(field);
  store_be16(field, checksum::finish(checksum::add(uint16_t(~old), delta)));
}

}  // namespace

void rewrite_endpoints(uint8_t* ip, bool v4, uint8_t* l4, uint32_t l4_available, uint8_t protocol,
                       const NatRewrite& r) {
  const uint32_t address_length = v4 ? 4 : 16;
  const uint32_t src_at = v4 ? kIpv4SrcOffset : kIpv6SrcOffset;
  const uint32_t dst_at = v4 ? kIpv4DstOffset : kIpv6DstOffset;
  uint16_t addresses = 0;  // the change to the IPv4 header and to the pseudo-header
  if (r.src)
    addresses = checksum::add(
        addresses, replace(ip + src_at, r.src->bytes.data() + 16 - address_length, address_length));
  if (r.dst)
    addresses = checksum::add(
        addresses, replace(ip + dst_at, r.dst->bytes.data() + 16 - address_length, address_length));
  if (v4) adjust(ip + kIpv4ChecksumOffset, addresses);

  uint16_t l4_delta = addresses;
  if (l4_available >= 4) {
    if (r.src_port >= 0) l4_delta = checksum::add(l4_delta, replace_port(l4, uint16_t(r.src_port)));
    if (r.dst_port >= 0)
      l4_delta = checksum::add(l4_delta, replace_port(l4 + 2, uint16_t(r.dst_port)));
  }
  if (protocol == kProtoTcp && l4_available >= kTcpChecksumOffset + 2) {
    adjust(l4 + kTcpChecksumOffset, l4_delta);
  } else if (protocol == kProtoUdp && l4_available >= kUdpChecksumOffset + 2) {
    uint8_t* field = l4 + kUdpChecksumOffset;
    if (v4 && load_be16(field) == 0) return;  // sent without a checksum
    adjust(field, l4_delta);
    if (load_be16(field) == 0) store_be16(field, 0xffff);
  }
}

void translate_frame(PacketBuffer& frame, const ParsedPacket& parsed, const NatRewrite& r,
                     const MacAddress& src_mac, const MacAddress& dst_mac) {
  uint8_t* ip = frame.data + parsed.l3_offset;
  uint8_t* l4 = frame.data + parsed.l4_offset;
  const uint32_t l4_available = parsed.l3_length - uint32_t(parsed.l4_offset - parsed.l3_offset);
  rewrite_endpoints(ip, parsed.kind == PacketKind::kIpv4, l4, l4_available, parsed.key.protocol, r);
  std::memcpy(frame.data + kEthDstOffset, dst_mac.bytes.data(), 6);
  std::memcpy(frame.data + kEthSrcOffset, src_mac.bytes.data(), 6);
}

bool translate_icmp_error(PacketBuffer& frame, const ParsedPacket& parsed, const NatRewrite& outer,
                          const NatRewrite& quoted, const MacAddress& src_mac,
                          const MacAddress& dst_mac) {
  const bool v4 = parsed.kind == PacketKind::kIpv4;
  uint8_t* ip = frame.data + parsed.l3_offset;
  uint8_t* icmp = frame.data + parsed.l4_offset;
  const uint32_t icmp_length = parsed.l3_length - uint32_t(parsed.l4_offset - parsed.l3_offset);
  uint8_t* inner = icmp + kIcmpHeaderLen;
  const uint32_t inner_length = icmp_length - kIcmpHeaderLen;
  // The parser made sure of the quote's IP header and ports.
  uint32_t inner_header = v4 ? (inner[0] & 0x0fu) * 4 : kIpv6HeaderLen;
  if (!v4 && inner[6] == kProtoFragment) inner_header += kIpv6FragmentHeaderLen;
  if ((inner[0] >> 4) != (v4 ? 4 : 6) || inner_header + 4 > inner_length) return false;
  const uint8_t protocol =
      v4 ? inner[9] : inner[inner_header == kIpv6HeaderLen ? 6 : kIpv6HeaderLen];
  if (protocol != kProtoTcp && protocol != kProtoUdp) return false;

  rewrite_endpoints(inner, v4, inner + inner_header, inner_length - inner_header, protocol, quoted);
  // The outer header has no L4 checksum to carry: the ICMP one is summed anew below.
  rewrite_endpoints(ip, v4, nullptr, 0, parsed.key.protocol, outer);
  store_be16(icmp + kIcmpChecksumOffset, 0);
  const uint16_t c = v4 ? checksum::finish(checksum::sum(icmp, icmp_length))
                        : checksum::transport_v6(ip, icmp, icmp_length, kProtoIcmpv6);
  store_be16(icmp + kIcmpChecksumOffset, c);
  std::memcpy(frame.data + kEthDstOffset, dst_mac.bytes.data(), 6);
  std::memcpy(frame.data + kEthSrcOffset, src_mac.bytes.data(), 6);
  return true;
}

}  // namespace sluice
