// SPDX-License-Identifier: BSD-3-Clause
#include "packet/encap.h"

#include "common/hash.h"
#include "packet/checksum.h"

namespace sluice {

using namespace wire;

namespace {

uint8_t inner_traffic_class(const uint8_t* inner, bool inner_v4) {
  return inner_v4 ? inner[1] : uint8_t(inner[0] << 4 | inner[1] >> 4);
}

// Checks the limits, then opens `gap` bytes between the L2 header and the inner packet
// and returns where they start; nullptr with `why` set (frame untouched) otherwise.
uint8_t* open_gap(PacketBuffer& frame, const ParsedPacket& parsed, const EncapParams& p,
                  uint32_t gap, bool outer_v4, DropReason& why) {
  if (gap + parsed.l3_length > p.mtu) {
    why = DropReason::too_big;
    return nullptr;
  }
  if (gap > frame.headroom) {
    why = DropReason::no_headroom;
    return nullptr;
  }
  const uint32_t l3 = parsed.l3_offset;
  frame.resize(l3 + parsed.l3_length);
  uint8_t* old = frame.data;
  uint8_t* eth = frame.prepend(gap);
  // Only the VLAN tags move (forward, a tag at a time: the gap is wider than a tag); the
  // MACs and the EtherType are written anew.
  for (uint32_t i = kEthTypeOffset; i + 2 < l3; i += kVlanTagLen)
    std::memcpy(eth + i, old + i, kVlanTagLen);
  std::memcpy(eth + kEthDstOffset, p.l2.dst.bytes.data(), 6);
  std::memcpy(eth + kEthSrcOffset, p.l2.src.bytes.data(), 6);
  store_be16(eth + l3 - 2, outer_v4 ? kEtherTypeIpv4 : kEtherTypeIpv6);
  return eth + l3;
}

void write_ipv4(uint8_t* ip, uint8_t tos, uint32_t total_length, uint8_t protocol,
                const EncapParams& p) {
  const uint8_t* src = p.outer_src.v4_wire();
  const uint8_t* dst = p.outer_dst.v4_wire();
  ip[0] = 0x45;
  ip[1] = tos;
  store_be16(ip + 2, uint16_t(total_length));
  store_be32(ip + 4, kIpv4FlagDontFragment);  // ID 0, DF, offset 0
  ip[8] = 64;
  ip[9] = protocol;
  std::memcpy(ip + 12, src, 4);
  std::memcpy(ip + 16, dst, 4);
  // Summed from the values rather than re-read from the bytes just stored: reading them
  // back stalls on store forwarding and doubled the cost of the encapsulation.
  const uint32_t sum = (0x4500u | tos) + total_length + kIpv4FlagDontFragment +
                       (64u << 8 | protocol) + load_be16(src) + load_be16(src + 2) +
                       load_be16(dst) + load_be16(dst + 2);
  store_be16(ip + 10, checksum::finish(checksum::fold(sum)));
}

void write_ipv6(uint8_t* ip, uint8_t traffic_class, uint32_t payload_length, uint8_t next_header,
                const EncapParams& p) {
  store_be32(ip, 6u << 28 | uint32_t(traffic_class) << 20 | (p.flow_label & 0xfffff));
  store_be16(ip + 4, uint16_t(payload_length));
  ip[6] = next_header;
  ip[7] = 64;
  std::memcpy(ip + 8, p.outer_src.v6_wire(), 16);
  std::memcpy(ip + 24, p.outer_dst.v6_wire(), 16);
}

// Sum of the inner IP packet's bytes as 16-bit words. A TCP or UDP segment whose checksum
// field is right sums to the complement of its pseudo-header, so for those only the IP
// header is read. ICMP, UDP without a checksum and IPv6 with extension headers (a routing
// header changes the pseudo-header) are summed whole. A segment with a wrong checksum
// gets a wrong outer checksum too and is dropped by the backend, as it would be anyway.
uint16_t inner_packet_sum(const uint8_t* inner, const ParsedPacket& parsed) {
  const bool inner_v4 = parsed.kind == PacketKind::kIpv4;
  const uint32_t header_len = uint32_t(parsed.l4_offset - parsed.l3_offset);
  const uint32_t l4_len = parsed.l3_length - header_len;
  const uint8_t proto = parsed.key.protocol;
  const uint8_t* l4 = inner + header_len;
  const bool vouched = !parsed.icmp_error && (inner_v4 || header_len == kIpv6HeaderLen) &&
                       (proto == kProtoTcp || (proto == kProtoUdp && load_be16(l4 + 6) != 0));
  if (!vouched) return checksum::sum(inner, parsed.l3_length);
  const uint16_t pseudo = inner_v4 ? checksum::pseudo_header_v4(inner + 12, inner + 16, proto, l4_len)
                                   : checksum::pseudo_header_v6(inner + 8, inner + 24, proto, l4_len);
  return checksum::add(checksum::sum(inner, header_len), uint16_t(~pseudo));
}

}  // namespace

DropReason encap_ipip(PacketBuffer& frame, const ParsedPacket& parsed, const EncapParams& p) {
  const bool outer_v4 = p.outer_dst.is_v4();
  const bool inner_v4 = parsed.kind == PacketKind::kIpv4;
  const uint32_t outer_len = outer_v4 ? kIpv4HeaderLen : kIpv6HeaderLen;
  DropReason why = DropReason::count;
  uint8_t* ip = open_gap(frame, parsed, p, outer_len, outer_v4, why);
  if (!ip) return why;
  const uint8_t* inner = ip + outer_len;
  const uint8_t proto = inner_v4 ? kProtoIpip : kProtoIpv6;
  const uint8_t tc = inner_traffic_class(inner, inner_v4);
  if (outer_v4)
    write_ipv4(ip, tc, outer_len + parsed.l3_length, proto, p);
  else
    write_ipv6(ip, tc, parsed.l3_length, proto, p);
  return DropReason::count;
}

DropReason encap_gue(PacketBuffer& frame, const ParsedPacket& parsed, const EncapParams& p) {
  const bool outer_v4 = p.outer_dst.is_v4();
  const bool inner_v4 = parsed.kind == PacketKind::kIpv4;
  const uint32_t ip_len = outer_v4 ? kIpv4HeaderLen : kIpv6HeaderLen;
  const uint32_t udp_len = kUdpHeaderLen + parsed.l3_length;
  DropReason why = DropReason::count;
  uint8_t* ip = open_gap(frame, parsed, p, ip_len + kUdpHeaderLen, outer_v4, why);
  if (!ip) return why;
  uint8_t* udp = ip + ip_len;
  const uint8_t tc = inner_traffic_class(udp + kUdpHeaderLen, inner_v4);
  store_be16(udp, p.gue_src_port);
  store_be16(udp + 2, p.gue_dst_port);
  store_be16(udp + 4, uint16_t(udp_len));
  store_be16(udp + 6, 0);
  if (outer_v4) {
    write_ipv4(ip, tc, ip_len + udp_len, kProtoUdp, p);
  } else {
    write_ipv6(ip, tc, udp_len, kProtoUdp, p);
    // As for the IPv4 header, the UDP header and the pseudo-header are summed from the
    // values; of the inner packet, inner_packet_sum reads what it must.
    const uint16_t pseudo = checksum::pseudo_header_v6(p.outer_src.v6_wire(), p.outer_dst.v6_wire(),
                                                       kProtoUdp, udp_len);
    const uint16_t header = checksum::fold(uint32_t(p.gue_src_port) + p.gue_dst_port + udp_len);
    const uint16_t c = checksum::finish(checksum::add(
        checksum::add(pseudo, header), inner_packet_sum(udp + kUdpHeaderLen, parsed)));
    store_be16(udp + 6, c ? c : 0xffff);
  }
  return DropReason::count;
}

IpAddress encap_source_address(const IpPrefix& prefix, uint32_t flow_hash) {
  const bool v4 = prefix.address.is_v4();
  const unsigned host_bits = (v4 ? 32u : 128u) - prefix.length;
  if (host_bits == 0) return prefix.address;
  const uint64_t lo_mask = host_bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << host_bits) - 1;
  const uint64_t hi_mask = host_bits <= 64    ? 0
                           : host_bits >= 128 ? ~uint64_t(0)
                                              : (uint64_t(1) << (host_bits - 64)) - 1;
  uint64_t lo = host_bits <= 32 ? flow_hash & lo_mask
                                : (uint64_t(mix32(flow_hash)) << 32 | flow_hash) & lo_mask;
  if (lo == 0) lo = 1;
  if (v4 && host_bits >= 2 && lo == lo_mask) lo ^= 1;

  IpAddress a = prefix.address;
  uint8_t* b = a.bytes.data();
  store_be64(b, load_be64(b) & ~hi_mask);  // host bits above the low 64 are zero
  store_be64(b + 8, (load_be64(b + 8) & ~lo_mask) | lo);
  return a;
}

}  // namespace sluice
