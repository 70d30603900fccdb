// SPDX-License-Identifier: BSD-3-Clause
// Wire constants and unaligned big-endian loads/stores. Headers are read and written
// through these at byte offsets rather than through packed structs, so the code has no
// alignment or aliasing traps and needs no DPDK headers.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

namespace sluice::wire {

inline uint16_t load_be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
inline uint32_t load_be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
inline void store_be16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
inline void store_be32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 24);
  p[1] = uint8_t(v >> 16);
  p[2] = uint8_t(v >> 8);
  p[3] = uint8_t(v);
}
// One 8-byte access and a byte swap (byte-wise code for 8 bytes gets vectorized badly).
static_assert(std::endian::native == std::endian::little, "load_be64/store_be64 swap bytes");
inline uint64_t load_be64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_bswap64(v);
}
inline void store_be64(uint8_t* p, uint64_t v) {
  v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
}

// Ethernet
inline constexpr uint32_t kEthHeaderLen = 14;
inline constexpr uint32_t kVlanTagLen = 4;
inline constexpr uint32_t kEthDstOffset = 0;
inline constexpr uint32_t kEthSrcOffset = 6;
inline constexpr uint32_t kEthTypeOffset = 12;
inline constexpr uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr uint16_t kEtherTypeArp = 0x0806;
inline constexpr uint16_t kEtherTypeVlan = 0x8100;  // 802.1Q
inline constexpr uint16_t kEtherTypeQinQ = 0x88a8;  // 802.1ad
inline constexpr uint16_t kEtherTypeIpv6 = 0x86dd;

// ARP (Ethernet / IPv4 only)
inline constexpr uint32_t kArpLen = 28;
inline constexpr uint16_t kArpOpRequest = 1;
inline constexpr uint16_t kArpOpReply = 2;

// IPv4
inline constexpr uint32_t kIpv4HeaderLen = 20;  // without options
inline constexpr uint16_t kIpv4FlagDontFragment = 0x4000;
inline constexpr uint16_t kIpv4FlagMoreFragments = 0x2000;
inline constexpr uint16_t kIpv4FragmentOffsetMask = 0x1fff;

// IPv6
inline constexpr uint32_t kIpv6HeaderLen = 40;
inline constexpr uint32_t kIpv6FragmentHeaderLen = 8;

// IP protocol numbers (IANA)
inline constexpr uint8_t kProtoHopByHop = 0;
inline constexpr uint8_t kProtoIcmp = 1;
inline constexpr uint8_t kProtoIpip = 4;  // IPv4 payload
inline constexpr uint8_t kProtoTcp = 6;
inline constexpr uint8_t kProtoUdp = 17;
inline constexpr uint8_t kProtoIpv6 = 41;  // IPv6 payload
inline constexpr uint8_t kProtoRouting = 43;
inline constexpr uint8_t kProtoFragment = 44;
inline constexpr uint8_t kProtoEsp = 50;
inline constexpr uint8_t kProtoAh = 51;
inline constexpr uint8_t kProtoIcmpv6 = 58;
inline constexpr uint8_t kProtoNoNext = 59;
inline constexpr uint8_t kProtoDestOptions = 60;
inline constexpr uint8_t kProtoMobility = 135;
inline constexpr uint8_t kProtoHip = 139;
inline constexpr uint8_t kProtoShim6 = 140;
inline constexpr uint8_t kProtoVrrp = 112;

// L4
inline constexpr uint32_t kTcpMinHeaderLen = 20;
inline constexpr uint32_t kUdpHeaderLen = 8;
inline constexpr uint32_t kIcmpHeaderLen = 8;
inline constexpr uint8_t kTcpFin = 0x01;
inline constexpr uint8_t kTcpSyn = 0x02;
inline constexpr uint8_t kTcpRst = 0x04;
inline constexpr uint8_t kTcpPsh = 0x08;
inline constexpr uint8_t kTcpAck = 0x10;

// ICMPv4 types
inline constexpr uint8_t kIcmpEchoReply = 0;
inline constexpr uint8_t kIcmpDestUnreachable = 3;
inline constexpr uint8_t kIcmpEchoRequest = 8;
inline constexpr uint8_t kIcmpTimeExceeded = 11;
inline constexpr uint8_t kIcmpCodeFragNeeded = 4;  // with kIcmpDestUnreachable

// ICMPv6 types
inline constexpr uint8_t kIcmpv6DestUnreachable = 1;
inline constexpr uint8_t kIcmpv6PacketTooBig = 2;
inline constexpr uint8_t kIcmpv6TimeExceeded = 3;
inline constexpr uint8_t kIcmpv6EchoRequest = 128;
inline constexpr uint8_t kIcmpv6EchoReply = 129;
inline constexpr uint8_t kIcmpv6RouterSolicitation = 133;
inline constexpr uint8_t kIcmpv6RouterAdvertisement = 134;
inline constexpr uint8_t kIcmpv6NeighborSolicitation = 135;
inline constexpr uint8_t kIcmpv6NeighborAdvertisement = 136;
inline constexpr uint8_t kNdOptionSourceLinkAddr = 1;
inline constexpr uint8_t kNdOptionTargetLinkAddr = 2;

}  // namespace sluice::wire
