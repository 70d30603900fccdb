// SPDX-License-Identifier: BSD-3-Clause
// Frame parser: finds the L3/L4 headers of one Ethernet frame and its flow key.
//
// parse_frame() is a pure function of the bytes it is given: no state, no allocation, no
// exceptions, so any thread may call it. It is defined here so that the worker's burst loop
// inlines it. It never reads at or past data + length.
//
// What it accepts:
//   Ethernet II with up to two VLAN tags (0x88a8 or 0x8100, in either position); a third
//   tag is reported as kOther. ARP for Ethernet/IPv4. IPv4 with options; IPv6 with at most
//   8 extension headers. TCP, UDP, ICMP/ICMPv6 are parsed for ports or type/code; other
//   IP protocols give a key with the protocol and ports 0. An ICMP error (destination
//   unreachable, time exceeded, packet too big) gets the reversed tuple of the packet it
//   quotes. IP fragments are parsed too (ParsedPacket::fragment): a first fragment as a
//   whole packet, provided it holds the whole L4 header (and, over IPv6, the whole header
//   chain, RFC 7112); a later one down to its fragment header.
//
// Results: see ParsedPacket. On kDrop only `drop` (and `vlan_count`/`l3_offset` when the
// L2 header was complete) is meaningful; other fields hold what was read before the fault.
// For ARP and kOther, l4_offset, l3_length and key stay zero.
#pragma once

#include <cstdint>

#include "net/wire.h"
#include "packet/parsed_packet.h"

namespace sluice {

namespace parser_detail {

// Header field offsets used only here.
inline constexpr uint32_t kVlanInnerTypeOffset = 2;  // from the start of the tag
inline constexpr uint32_t kArpHtypeOffset = 0;
inline constexpr uint32_t kArpPtypeOffset = 2;
inline constexpr uint32_t kArpHlenOffset = 4;
inline constexpr uint32_t kArpPlenOffset = 5;
inline constexpr uint16_t kArpHtypeEthernet = 1;
inline constexpr uint32_t kIpv4TotalLengthOffset = 2;
inline constexpr uint32_t kIpv4IdOffset = 4;
inline constexpr uint32_t kIpv4FragmentOffset = 6;
inline constexpr uint32_t kIpv4ProtocolOffset = 9;
inline constexpr uint32_t kIpv4SrcOffset = 12;
inline constexpr uint32_t kIpv4DstOffset = 16;
inline constexpr uint32_t kIpv6PayloadLengthOffset = 4;
inline constexpr uint32_t kIpv6NextHeaderOffset = 6;
inline constexpr uint32_t kIpv6SrcOffset = 8;
inline constexpr uint32_t kIpv6DstOffset = 24;
inline constexpr uint32_t kIpv6ExtMinLen = 8;  // every extension header is 8 bytes or more
inline constexpr uint32_t kIpv6MaxExtHeaders = 8;
inline constexpr uint16_t kIpv6FragmentOffsetMask = 0xfff8;
inline constexpr uint16_t kIpv6FragmentMore = 0x0001;
inline constexpr uint32_t kIpv6FragmentFieldOffset = 2;  // from the fragment header's start
inline constexpr uint32_t kIpv6FragmentIdOffset = 4;
inline constexpr uint32_t kL4SrcPortOffset = 0;  // TCP and UDP alike
inline constexpr uint32_t kL4DstPortOffset = 2;
inline constexpr uint32_t kL4PortsLen = 4;
inline constexpr uint32_t kTcpDataOffsetOffset = 12;
inline constexpr uint32_t kTcpFlagsOffset = 13;
inline constexpr uint32_t kIcmpCodeOffset = 1;

inline void drop(ParsedPacket& out, DropReason reason) {
  out.kind = PacketKind::kDrop;
  out.drop = reason;
}

inline bool has_ports(uint8_t protocol) {
  return protocol == wire::kProtoTcp || protocol == wire::kProtoUdp;
}

// Writes the ports of the quoted packet's L4 header `l4` into `key`, swapped.
inline void set_reversed_ports(const uint8_t* l4, FlowKey& key) {
  if (!has_ports(key.protocol)) return;
  key.src_port = wire::load_be16(l4 + kL4DstPortOffset);
  key.dst_port = wire::load_be16(l4 + kL4SrcPortOffset);
}

// `q` holds the `n` bytes quoted by an ICMP error. On success `key` is the quoted tuple
// reversed: the client->VIP flow that the backend's VIP->client packet belonged to.
inline bool quoted_ipv4_key(const uint8_t* q, uint32_t n, FlowKey& key) {
  using namespace wire;
  if (n < kIpv4HeaderLen || (q[0] >> 4) != 4) return false;
  const uint32_t header_len = (q[0] & 0x0fu) * 4;
  if (header_len < kIpv4HeaderLen || n < header_len + kL4PortsLen) return false;
  // A non-first fragment carries no L4 header: those 4 bytes would be payload, not ports.
  if (load_be16(q + kIpv4FragmentOffset) & kIpv4FragmentOffsetMask) return false;
  key.src = IpAddress::v4_from_wire(q + kIpv4DstOffset);
  key.dst = IpAddress::v4_from_wire(q + kIpv4SrcOffset);
  key.protocol = q[kIpv4ProtocolOffset];
  set_reversed_ports(q + header_len, key);
  return true;
}

// A quoted first fragment (the backend fragmented its reply) has its fragment header
// right after the IPv6 header; a quoted later fragment has no ports to route by.
inline bool quoted_ipv6_key(const uint8_t* q, uint32_t n, FlowKey& key) {
  using namespace wire;
  if (n < kIpv6HeaderLen + kL4PortsLen || (q[0] >> 4) != 6) return false;
  key.src = IpAddress::v6_from_wire(q + kIpv6DstOffset);
  key.dst = IpAddress::v6_from_wire(q + kIpv6SrcOffset);
  key.protocol = q[kIpv6NextHeaderOffset];
  uint32_t l4 = kIpv6HeaderLen;
  if (key.protocol == kProtoFragment) {
    if (n < l4 + kIpv6FragmentHeaderLen + kL4PortsLen) return false;
    if (load_be16(q + l4 + kIpv6FragmentFieldOffset) & kIpv6FragmentOffsetMask) return false;
    key.protocol = q[l4];
    l4 += kIpv6FragmentHeaderLen;
  }
  set_reversed_ports(q + l4, key);
  return true;
}

template <bool kIpv6>
inline bool is_icmp_error(uint8_t type) {
  using namespace wire;
  if constexpr (kIpv6)
    return type == kIcmpv6DestUnreachable || type == kIcmpv6PacketTooBig ||
           type == kIcmpv6TimeExceeded;
  else
    return type == kIcmpDestUnreachable || type == kIcmpTimeExceeded;
}

// `l4` points at the L4 header of out.key.protocol; `avail` bytes remain in the IP packet.
template <bool kIpv6>
inline void parse_l4(const uint8_t* l4, uint32_t avail, ParsedPacket& out) {
  using namespace wire;
  constexpr uint8_t kIcmpProto = kIpv6 ? kProtoIcmpv6 : kProtoIcmp;
  const uint8_t protocol = out.key.protocol;
  if (protocol == kProtoTcp) {
    if (avail < kTcpMinHeaderLen) return drop(out, DropReason::l4_truncated);
    const uint32_t header_len = uint32_t(l4[kTcpDataOffsetOffset] >> 4) * 4;
    if (header_len < kTcpMinHeaderLen || header_len > avail)
      return drop(out, DropReason::tcp_bad_offset);
    out.key.src_port = load_be16(l4 + kL4SrcPortOffset);
    out.key.dst_port = load_be16(l4 + kL4DstPortOffset);
    out.tcp_flags = l4[kTcpFlagsOffset];
  } else if (protocol == kProtoUdp) {
    if (avail < kUdpHeaderLen) return drop(out, DropReason::l4_truncated);
    out.key.src_port = load_be16(l4 + kL4SrcPortOffset);
    out.key.dst_port = load_be16(l4 + kL4DstPortOffset);
  } else if (protocol == kIcmpProto) {
    if (avail < kIcmpHeaderLen) return drop(out, DropReason::l4_truncated);
    out.icmp_type = l4[0];
    out.icmp_code = l4[kIcmpCodeOffset];
    if (!is_icmp_error<kIpv6>(out.icmp_type)) return;
    const uint8_t* quoted = l4 + kIcmpHeaderLen;
    const uint32_t quoted_len = avail - kIcmpHeaderLen;
    const bool ok = kIpv6 ? quoted_ipv6_key(quoted, quoted_len, out.key)
                          : quoted_ipv4_key(quoted, quoted_len, out.key);
    if (!ok) return drop(out, DropReason::icmp_error_malformed);
    out.icmp_error = true;
  }
}

// `ip` points at the IPv4 header; `avail` bytes of frame follow it.
inline void parse_ipv4(const uint8_t* ip, uint32_t avail, ParsedPacket& out) {
  using namespace wire;
  if (avail < kIpv4HeaderLen) return drop(out, DropReason::ipv4_truncated);
  const uint32_t header_len = (ip[0] & 0x0fu) * 4;
  if ((ip[0] >> 4) != 4 || header_len < kIpv4HeaderLen)
    return drop(out, DropReason::ipv4_bad_header);
  if (header_len > avail) return drop(out, DropReason::ipv4_truncated);
  const uint32_t total_len = load_be16(ip + kIpv4TotalLengthOffset);
  if (total_len < header_len || total_len > avail) return drop(out, DropReason::ipv4_bad_length);
  out.kind = PacketKind::kIpv4;
  out.l3_length = uint16_t(total_len);
  out.l4_offset = uint16_t(out.l3_offset + header_len);
  out.key.src = IpAddress::v4_from_wire(ip + kIpv4SrcOffset);
  out.key.dst = IpAddress::v4_from_wire(ip + kIpv4DstOffset);
  out.key.protocol = ip[kIpv4ProtocolOffset];
  const uint16_t fragment = load_be16(ip + kIpv4FragmentOffset);
  if (fragment & (kIpv4FlagMoreFragments | kIpv4FragmentOffsetMask)) {
    out.fragment_protocol = out.key.protocol;
    out.fragment_id = load_be16(ip + kIpv4IdOffset);
    if (fragment & kIpv4FragmentOffsetMask) {
      out.fragment = Fragment::kLater;
      return;
    }
    out.fragment = Fragment::kFirst;
  }
  parse_l4<false>(ip + header_len, total_len - header_len, out);
}

inline bool is_ipv6_extension(uint8_t next) {
  using namespace wire;
  switch (next) {
    case kProtoHopByHop:
    case kProtoRouting:
    case kProtoFragment:
    case kProtoAh:
    case kProtoDestOptions:
    case kProtoMobility:
    case kProtoHip:
    case kProtoShim6:
      return true;
    default:
      return false;
  }
}

// `ip` points at the IPv6 header; `avail` bytes of frame follow it.
inline void parse_ipv6(const uint8_t* ip, uint32_t avail, ParsedPacket& out) {
  using namespace wire;
  if (avail < kIpv6HeaderLen) return drop(out, DropReason::ipv6_truncated);
  const uint32_t payload_len = load_be16(ip + kIpv6PayloadLengthOffset);
  const uint32_t total_len = kIpv6HeaderLen + payload_len;
  // Payload length 0 announces a jumbogram, which sluice does not carry.
  if (payload_len == 0 || total_len > avail || total_len > UINT16_MAX)
    return drop(out, DropReason::ipv6_bad_length);
  out.kind = PacketKind::kIpv6;
  out.l3_length = uint16_t(total_len);
  out.key.src = IpAddress::v6_from_wire(ip + kIpv6SrcOffset);
  out.key.dst = IpAddress::v6_from_wire(ip + kIpv6DstOffset);

  uint8_t next = ip[kIpv6NextHeaderOffset];
  uint32_t offset = kIpv6HeaderLen;
  for (uint32_t seen = 0; is_ipv6_extension(next); ++seen) {
    if (seen == kIpv6MaxExtHeaders || offset + kIpv6ExtMinLen > total_len)
      return drop(out, DropReason::ipv6_bad_extension);
    const uint8_t* ext = ip + offset;
    uint32_t ext_len;
    if (next == kProtoFragment) {
      // Offset 0 with M clear is an atomic fragment: the whole packet, safe to balance.
      const uint16_t field = load_be16(ext + kIpv6FragmentFieldOffset);
      if (field & (kIpv6FragmentOffsetMask | kIpv6FragmentMore)) {
        if (out.fragment != Fragment::kNone) return drop(out, DropReason::ipv6_bad_extension);
        out.fragment_protocol = ext[0];
        out.fragment_id = load_be32(ext + kIpv6FragmentIdOffset);
        if (field & kIpv6FragmentOffsetMask) {
          out.fragment = Fragment::kLater;
          out.key.protocol = ext[0];
          out.l4_offset = uint16_t(out.l3_offset + offset + kIpv6FragmentHeaderLen);
          return;
        }
        out.fragment = Fragment::kFirst;
      }
      ext_len = kIpv6FragmentHeaderLen;
    } else if (next == kProtoAh) {
      ext_len = (ext[1] + 2u) * 4;
    } else {
      ext_len = (ext[1] + 1u) * 8;
    }
    if (offset + ext_len > total_len) return drop(out, DropReason::ipv6_bad_extension);
    next = ext[0];
    offset += ext_len;
  }
  out.key.protocol = next;
  out.l4_offset = uint16_t(out.l3_offset + offset);
  parse_l4<true>(ip + offset, total_len - offset, out);
}

}  // namespace parser_detail

// Parses the `length` bytes at `data` as one Ethernet frame into `out`, which it resets
// first. See the top of this file for what is accepted.
inline void parse_frame(const uint8_t* data, uint32_t length, ParsedPacket& out) {
  using namespace wire;
  using parser_detail::drop;
  out = ParsedPacket{};
  if (length < kEthHeaderLen) return drop(out, DropReason::l2_truncated);
  uint32_t l3 = kEthHeaderLen;
  uint16_t ethertype = load_be16(data + kEthTypeOffset);
  while ((ethertype == kEtherTypeQinQ || ethertype == kEtherTypeVlan) && out.vlan_count < 2) {
    if (length < l3 + kVlanTagLen) return drop(out, DropReason::l2_truncated);
    ethertype = load_be16(data + l3 + parser_detail::kVlanInnerTypeOffset);
    l3 += kVlanTagLen;
    ++out.vlan_count;
  }
  out.l3_offset = uint16_t(l3);
  const uint8_t* l3_header = data + l3;
  const uint32_t avail = length - l3;
  switch (ethertype) {
    case kEtherTypeIpv4:
      return parser_detail::parse_ipv4(l3_header, avail, out);
    case kEtherTypeIpv6:
      return parser_detail::parse_ipv6(l3_header, avail, out);
    case kEtherTypeArp:
      if (avail < kArpLen ||
          load_be16(l3_header + parser_detail::kArpHtypeOffset) !=
              parser_detail::kArpHtypeEthernet ||
          load_be16(l3_header + parser_detail::kArpPtypeOffset) != kEtherTypeIpv4 ||
          l3_header[parser_detail::kArpHlenOffset] != 6 ||
          l3_header[parser_detail::kArpPlenOffset] != 4)
        return drop(out, DropReason::arp_malformed);
      out.kind = PacketKind::kArp;
      return;
    default:
      out.kind = PacketKind::kOther;
      return;
  }
}

}  // namespace sluice
