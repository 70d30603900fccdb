// SPDX-License-Identifier: BSD-3-Clause
#include "packet/encap.h"

#include "flow/hash.h"
#include "packet/checksum.h"

namespace sluice {

using namespace wire;

namespace {

uint8_t inner_traffic_class(const uint8_t* inner, bool inner_v4) {
  return inner_v4 ? inner[1] : uint8_t(inner[0] << 4 | inner[1] >> 4);
}

// Checks the limits, then opens `gap` bytes between the L2 header and the inner packet
// and returns where they start; nullptr with `why` set (frame untouched) otherwise.
uint8_t* open_gap(PacketBuffer& frame, const ParsedPacket& parsed, const MacAddress& src_mac,
                  const MacAddress& dst_mac, uint32_t gap, uint32_t mtu, bool outer_v4,
                  DropReason& why) {
  if (gap + parsed.l3_length > mtu) {
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
  std::memcpy(eth + kEthDstOffset, dst_mac.bytes.data(), 6);
  std::memcpy(eth + kEthSrcOffset, src_mac.bytes.data(), 6);
  store_be16(eth + l3 - 2, outer_v4 ? kEtherTypeIpv4 : kEtherTypeIpv6);
  return eth + l3;
}

unsigned host_bits_of(const IpPrefix& prefix) {
  return (prefix.address.is_v4() ? 32u : 128u) - prefix.length;
}

// A mask of the low `bits` bits of a 64-bit word (all of them from 64 up).
uint64_t low_mask(unsigned bits) { return bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1; }

// The low host_bits (1-128) of the per-flow source address: from the hash, never all
// zeros, and for IPv4 with 2+ host bits never all ones. Bits above the low 64 are zero.
uint64_t source_host_part(uint32_t flow_hash, unsigned host_bits, bool v4) {
  const uint64_t mask = low_mask(host_bits);
  uint64_t host =
      host_bits <= 32 ? flow_hash & mask : (uint64_t(mix32(flow_hash)) << 32 | flow_hash) & mask;
  if (host == 0) host = 1;
  if (v4 && host_bits >= 2 && host == mask) host ^= 1;
  return host;
}

// The prefix's address with its host bits cleared.
IpAddress network_address(const IpPrefix& prefix) {
  const unsigned host_bits = host_bits_of(prefix);
  const uint64_t lo_mask = low_mask(host_bits);
  const uint64_t hi_mask = host_bits <= 64 ? 0 : low_mask(host_bits - 64);
  IpAddress a = prefix.address;
  uint8_t* b = a.bytes.data();
  store_be64(b, load_be64(b) & ~hi_mask);
  store_be64(b + 8, load_be64(b + 8) & ~lo_mask);
  return a;
}

// Sum of the inner IP packet's bytes as 16-bit words. A TCP or UDP segment whose checksum
// field is right sums to the complement of its pseudo-header, so for those only the IP
// header is read. ICMP, UDP without a checksum and IPv6 with extension headers (a routing
// header changes the pseudo-header) are summed whole, and so is a fragment (the L4
// checksum covers the whole datagram). A segment with a wrong checksum gets a wrong outer
// checksum too and is dropped by the backend, as it would be anyway.
uint16_t inner_packet_sum(const uint8_t* inner, const ParsedPacket& parsed) {
  const bool inner_v4 = parsed.kind == PacketKind::kIpv4;
  const uint32_t header_len = uint32_t(parsed.l4_offset - parsed.l3_offset);
  const uint32_t l4_len = parsed.l3_length - header_len;
  const uint8_t proto = parsed.key.protocol;
  const uint8_t* l4 = inner + header_len;
  const bool vouched = !parsed.icmp_error && parsed.fragment == Fragment::kNone &&
                       (inner_v4 || header_len == kIpv6HeaderLen) &&
                       (proto == kProtoTcp || (proto == kProtoUdp && load_be16(l4 + 6) != 0));
  if (!vouched) return checksum::sum(inner, parsed.l3_length);
  if (inner_v4) {
    const uint16_t pseudo = checksum::pseudo_header_v4(inner + 12, inner + 16, proto, l4_len);
    return checksum::add(checksum::sum(inner, header_len), uint16_t(~pseudo));
  }
  // IPv6 without extension headers: the addresses are in the header and in the
  // pseudo-header and cancel, and so do the payload length and the segment length. What
  // is left is the first word, the next header and hop limit, minus the protocol.
  return checksum::fold(uint64_t(load_be32(inner)) + load_be16(inner + 6) + (0xffffu - proto));
}

}  // namespace

OuterHeader make_outer_header(bool gue, const IpPrefix& source, const IpAddress& backend,
                              uint16_t mtu, uint16_t gue_port) {
  OuterHeader h;
  const bool v4 = backend.is_v4();
  h.ip_length = uint8_t(v4 ? kIpv4HeaderLen : kIpv6HeaderLen);
  h.gue = gue;
  h.mtu = mtu;
  h.source_host_bits = uint8_t(host_bits_of(source));
  const IpAddress src = network_address(source);
  uint8_t* ip = h.bytes.data();
  uint64_t sum = 0;
  if (v4) {
    ip[0] = 0x45;
    store_be32(ip + 4, kIpv4FlagDontFragment);  // ID 0, DF, offset 0
    ip[8] = 64;
    std::memcpy(ip + 12, src.v4_wire(), 4);
    std::memcpy(ip + 16, backend.v4_wire(), 4);
    sum = checksum::sum(ip, kIpv4HeaderLen);
  } else {
    ip[7] = 64;
    std::memcpy(ip + 8, src.v6_wire(), 16);
    std::memcpy(ip + 24, backend.v6_wire(), 16);
    if (gue) sum = uint64_t(checksum::sum(ip + 8, 32)) + kProtoUdp + gue_port;
  }
  if (gue) store_be16(ip + h.ip_length + 2, gue_port);
  h.fixed_sum = checksum::fold(sum);
  return h;
}

DropReason encapsulate(PacketBuffer& frame, const ParsedPacket& parsed, const MacAddress& src_mac,
                       const MacAddress& dst_mac, const OuterHeader& outer, uint32_t flow_hash) {
  const bool outer_v4 = outer.v4();
  const uint32_t outer_len = outer.length();
  DropReason why = DropReason::count;
  uint8_t* ip = open_gap(frame, parsed, src_mac, dst_mac, outer_len, outer.mtu, outer_v4, why);
  if (!ip) return why;
  const uint8_t* inner = ip + outer_len;
  const bool inner_v4 = parsed.kind == PacketKind::kIpv4;
  const uint8_t tc = inner_traffic_class(inner, inner_v4);
  const uint8_t protocol = outer.gue ? kProtoUdp : inner_v4 ? kProtoIpip : kProtoIpv6;
  const uint64_t host =
      outer.source_host_bits ? source_host_part(flow_hash, outer.source_host_bits, outer_v4) : 0;
  const uint32_t udp_len = kUdpHeaderLen + parsed.l3_length;
  const uint16_t udp_src_port = gue_source_port(flow_hash);
  // Every field is written from its value and summed from the same value: reading back
  // what was just stored stalls on store forwarding.
  if (outer_v4) {
    const uint32_t total_length = outer_len + parsed.l3_length;
    if (outer.gue)
      std::memcpy(ip, outer.bytes.data(), kIpv4HeaderLen + kUdpHeaderLen);
    else
      std::memcpy(ip, outer.bytes.data(), kIpv4HeaderLen);
    ip[1] = tc;
    store_be16(ip + 2, uint16_t(total_length));
    ip[9] = protocol;
    store_be32(ip + 12, load_be32(outer.bytes.data() + 12) | uint32_t(host));
    store_be16(ip + 10, checksum::finish(checksum::fold(uint64_t(outer.fixed_sum) + tc +
                                                        total_length + protocol + host)));
    if (outer.gue) {
      store_be16(ip + kIpv4HeaderLen, udp_src_port);
      store_be16(ip + kIpv4HeaderLen + 4, uint16_t(udp_len));
    }
    return DropReason::count;
  }
  if (outer.gue)
    std::memcpy(ip, outer.bytes.data(), kIpv6HeaderLen + kUdpHeaderLen);
  else
    std::memcpy(ip, outer.bytes.data(), kIpv6HeaderLen);
  store_be32(ip, 6u << 28 | uint32_t(tc) << 20 | (flow_hash & 0xfffff));
  store_be16(ip + 4, uint16_t(outer_len - kIpv6HeaderLen + parsed.l3_length));
  ip[6] = protocol;
  store_be64(ip + 16, load_be64(outer.bytes.data() + 16) | host);
  if (outer.gue) {
    uint8_t* udp = ip + kIpv6HeaderLen;
    store_be16(udp, udp_src_port);
    store_be16(udp + 4, uint16_t(udp_len));
    // The pseudo-header's length and the UDP length field are the same value.
    const uint16_t headers = checksum::fold(uint64_t(outer.fixed_sum) + (host >> 32) +
                                            (host & 0xffffffffu) + 2 * udp_len + udp_src_port);
    const uint16_t c =
        checksum::finish(checksum::add(headers, inner_packet_sum(udp + kUdpHeaderLen, parsed)));
    store_be16(udp + 6, c ? c : 0xffff);
  }
  return DropReason::count;
}

IpAddress encap_source_address(const IpPrefix& prefix, uint32_t flow_hash) {
  const bool v4 = prefix.address.is_v4();
  const unsigned host_bits = host_bits_of(prefix);
  if (host_bits == 0) return prefix.address;
  IpAddress a = network_address(prefix);
  uint8_t* b = a.bytes.data();
  store_be64(b + 8, load_be64(b + 8) | source_host_part(flow_hash, host_bits, v4));
  return a;
}

}  // namespace sluice
