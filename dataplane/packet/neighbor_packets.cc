// SPDX-License-Identifier: BSD-3-Clause
#include "packet/neighbor_packets.h"

#include <cstring>

#include "net/wire.h"
#include "packet/checksum.h"

namespace sluice {

using namespace wire;

namespace {

constexpr uint32_t kNdFrameBody = kIpv6HeaderLen + nd::kMessageLen + nd::kLinkAddrOptionLen;

uint32_t l2_length(uint16_t vlan) { return kEthHeaderLen + (vlan ? kVlanTagLen : 0); }

// Writes the Ethernet header (and tag) and returns the L3 start.
uint8_t* write_l2(uint8_t* out, const uint8_t* dst_mac, const MacAddress& src_mac, uint16_t vlan,
                  uint16_t ethertype) {
  std::memcpy(out + kEthDstOffset, dst_mac, 6);
  std::memcpy(out + kEthSrcOffset, src_mac.bytes.data(), 6);
  uint8_t* p = out + kEthTypeOffset;
  if (vlan) {
    store_be16(p, kEtherTypeVlan);
    store_be16(p + 2, vlan & 0x0fff);
    p += kVlanTagLen;
  }
  store_be16(p, ethertype);
  return p + 2;
}

uint32_t write_arp_request(uint8_t* out, uint32_t capacity, const MacAddress& src_mac,
                           const uint8_t* sender_ip, const uint8_t* target_ip, uint16_t vlan) {
  const uint32_t len = l2_length(vlan) + kArpLen;
  const uint32_t frame_len = len < arp::kPaddedFrameLen ? arp::kPaddedFrameLen : len;
  if (capacity < frame_len) return 0;
  const MacAddress broadcast = MacAddress::broadcast();
  uint8_t* a = write_l2(out, broadcast.bytes.data(), src_mac, vlan, kEtherTypeArp);
  store_be16(a + arp::kHardwareTypeOffset, arp::kHardwareEthernet);
  store_be16(a + arp::kProtocolTypeOffset, kEtherTypeIpv4);
  a[arp::kHardwareLengthOffset] = 6;
  a[arp::kProtocolLengthOffset] = 4;
  store_be16(a + arp::kOpOffset, kArpOpRequest);
  std::memcpy(a + arp::kSenderMacOffset, src_mac.bytes.data(), 6);
  std::memcpy(a + arp::kSenderIpOffset, sender_ip, 4);
  std::memset(a + arp::kTargetMacOffset, 0, 6);
  std::memcpy(a + arp::kTargetIpOffset, target_ip, 4);
  std::memset(out + len, 0, frame_len - len);
  return frame_len;
}

// IPv6 header, then an NS/NA with one link-layer option (when `option_type` != 0).
uint32_t write_nd(uint8_t* out, uint32_t capacity, const uint8_t* dst_mac,
                  const MacAddress& src_mac, uint16_t vlan, const uint8_t* src_ip,
                  const uint8_t* dst_ip, uint8_t type, uint32_t flags, const uint8_t* target,
                  uint8_t option_type) {
  const uint32_t icmp_len = nd::kMessageLen + (option_type ? nd::kLinkAddrOptionLen : 0);
  const uint32_t frame_len = l2_length(vlan) + kIpv6HeaderLen + icmp_len;
  if (capacity < frame_len) return 0;
  uint8_t* ip = write_l2(out, dst_mac, src_mac, vlan, kEtherTypeIpv6);
  store_be32(ip, 6u << 28);
  store_be16(ip + 4, uint16_t(icmp_len));
  ip[6] = kProtoIcmpv6;
  ip[7] = 255;
  std::memcpy(ip + 8, src_ip, 16);
  std::memcpy(ip + 24, dst_ip, 16);
  uint8_t* icmp = ip + kIpv6HeaderLen;
  icmp[0] = type;
  icmp[1] = 0;
  store_be16(icmp + 2, 0);
  store_be32(icmp + 4, flags);
  std::memcpy(icmp + nd::kTargetOffset, target, 16);
  if (option_type) {
    icmp[nd::kMessageLen] = option_type;
    icmp[nd::kMessageLen + 1] = 1;  // in units of 8 bytes
    std::memcpy(icmp + nd::kMessageLen + 2, src_mac.bytes.data(), 6);
  }
  store_be16(icmp + 2, checksum::transport_v6(ip, icmp, icmp_len, kProtoIcmpv6));
  return frame_len;
}

bool usable_mac(const uint8_t* mac) {
  const MacAddress m{{mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]}};
  return !m.is_zero() && !m.is_multicast();
}

bool is_unspecified(const uint8_t* ip6) {
  for (int i = 0; i < 16; ++i)
    if (ip6[i]) return false;
  return true;
}

bool is_solicited_node(const uint8_t* ip6) {
  static constexpr uint8_t kPrefix[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff};
  return std::memcmp(ip6, kPrefix, sizeof kPrefix) == 0;
}

std::optional<NeighborBinding> learn_from_arp(const uint8_t* frame, uint32_t length,
                                              const ParsedPacket& parsed) {
  if (uint32_t(parsed.l3_offset) + kArpLen > length) return std::nullopt;
  const uint8_t* a = frame + parsed.l3_offset;
  const uint16_t op = load_be16(a + arp::kOpOffset);
  if (load_be16(a + arp::kHardwareTypeOffset) != arp::kHardwareEthernet ||
      load_be16(a + arp::kProtocolTypeOffset) != kEtherTypeIpv4 ||
      a[arp::kHardwareLengthOffset] != 6 || a[arp::kProtocolLengthOffset] != 4 ||
      (op != kArpOpRequest && op != kArpOpReply))
    return std::nullopt;
  if (load_be32(a + arp::kSenderIpOffset) == 0 || !usable_mac(a + arp::kSenderMacOffset))
    return std::nullopt;
  NeighborBinding b;
  b.ip = IpAddress::v4_from_wire(a + arp::kSenderIpOffset);
  std::memcpy(b.mac.bytes.data(), a + arp::kSenderMacOffset, 6);
  return b;
}

}  // namespace

uint32_t build_arp_request(uint8_t* out, uint32_t capacity, const MacAddress& src_mac,
                           const IpAddress& src_ip, const IpAddress& target_ip, uint16_t vlan) {
  return write_arp_request(out, capacity, src_mac, src_ip.v4_wire(), target_ip.v4_wire(), vlan);
}

uint32_t build_gratuitous_arp(uint8_t* out, uint32_t capacity, const MacAddress& mac,
                              const IpAddress& ip, uint16_t vlan) {
  return write_arp_request(out, capacity, mac, ip.v4_wire(), ip.v4_wire(), vlan);
}

uint32_t build_neighbor_solicitation(uint8_t* out, uint32_t capacity, const MacAddress& src_mac,
                                     const IpAddress& src_ip, const IpAddress& target,
                                     uint16_t vlan) {
  const uint8_t* t = target.v6_wire();
  const uint8_t group[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, t[13], t[14], t[15]};
  const uint8_t group_mac[6] = {0x33, 0x33, 0xff, t[13], t[14], t[15]};
  const uint8_t option = src_ip.is_zero() ? 0 : kNdOptionSourceLinkAddr;
  return write_nd(out, capacity, group_mac, src_mac, vlan, src_ip.v6_wire(), group,
                  kIcmpv6NeighborSolicitation, 0, t, option);
}

uint32_t build_unsolicited_na(uint8_t* out, uint32_t capacity, const MacAddress& mac,
                              const IpAddress& ip, uint16_t vlan) {
  return write_nd(out, capacity, nd::kAllNodesMac, mac, vlan, ip.v6_wire(), nd::kAllNodes,
                  kIcmpv6NeighborAdvertisement, nd::kFlagOverride, ip.v6_wire(),
                  kNdOptionTargetLinkAddr);
}

std::optional<NdMessage> inspect_neighbor_discovery(const uint8_t* frame, uint32_t length,
                                                    const ParsedPacket& parsed) {
  if (parsed.kind != PacketKind::kIpv6 || parsed.key.protocol != kProtoIcmpv6 || parsed.icmp_error)
    return std::nullopt;
  const uint8_t type = parsed.icmp_type;
  if (type != kIcmpv6NeighborSolicitation && type != kIcmpv6NeighborAdvertisement)
    return std::nullopt;
  const uint32_t l3_end = uint32_t(parsed.l3_offset) + parsed.l3_length;
  if (l3_end > length || parsed.l4_offset < parsed.l3_offset + kIpv6HeaderLen ||
      uint32_t(parsed.l4_offset) + nd::kMessageLen > l3_end)
    return std::nullopt;
  NdMessage m;
  m.type = type;
  m.ip = frame + parsed.l3_offset;
  m.icmp = frame + parsed.l4_offset;
  m.icmp_length = l3_end - parsed.l4_offset;
  const uint8_t* target = m.icmp + nd::kTargetOffset;
  if (m.ip[7] != 255 || m.icmp[1] != 0 || target[0] == 0xff ||
      IpAddress::v6_from_wire(target).is_v4() ||
      !checksum::transport_v6_valid(m.ip, m.icmp, m.icmp_length, kProtoIcmpv6))
    return std::nullopt;

  const uint8_t wanted =
      type == kIcmpv6NeighborSolicitation ? kNdOptionSourceLinkAddr : kNdOptionTargetLinkAddr;
  for (uint32_t off = nd::kMessageLen; off < m.icmp_length;) {
    if (off + 2 > m.icmp_length) return std::nullopt;
    const uint32_t opt_len = uint32_t(m.icmp[off + 1]) * 8;
    if (opt_len == 0 || off + opt_len > m.icmp_length) return std::nullopt;
    if (m.icmp[off] == wanted && opt_len == nd::kLinkAddrOptionLen && !m.link_addr)
      m.link_addr = m.icmp + off + 2;
    off += opt_len;
  }

  const bool from_unspecified = is_unspecified(m.ip + 8);
  if (type == kIcmpv6NeighborSolicitation) {
    if (from_unspecified && (!is_solicited_node(m.ip + 24) || m.link_addr)) return std::nullopt;
  } else {
    if (m.ip[24] == 0xff && (load_be32(m.icmp + 4) & nd::kFlagSolicited)) return std::nullopt;
  }
  return m;
}

std::optional<NeighborBinding> learn_neighbor(const uint8_t* frame, uint32_t length,
                                              const ParsedPacket& parsed) {
  if (parsed.kind == PacketKind::kArp) return learn_from_arp(frame, length, parsed);
  const auto m = inspect_neighbor_discovery(frame, length, parsed);
  if (!m || !m->link_addr || !usable_mac(m->link_addr)) return std::nullopt;
  NeighborBinding b;
  if (m->type == kIcmpv6NeighborAdvertisement) {
    b.ip = IpAddress::v6_from_wire(m->icmp + nd::kTargetOffset);
  } else {
    if (is_unspecified(m->ip + 8) || m->ip[8] == 0xff) return std::nullopt;
    b.ip = IpAddress::v6_from_wire(m->ip + 8);
  }
  std::memcpy(b.mac.bytes.data(), m->link_addr, 6);
  return b;
}

std::optional<IpAddress> neighbor_reply_to(const uint8_t* frame, uint32_t length,
                                           const ParsedPacket& parsed) {
  if (parsed.kind == PacketKind::kArp) {
    if (!learn_from_arp(frame, length, parsed)) return std::nullopt;
    const uint8_t* a = frame + parsed.l3_offset;
    if (load_be16(a + arp::kOpOffset) != kArpOpReply) return std::nullopt;
    return IpAddress::v4_from_wire(a + arp::kTargetIpOffset);
  }
  const auto m = inspect_neighbor_discovery(frame, length, parsed);
  constexpr uint32_t kDestinationOffset = 24;
  if (!m || m->type != kIcmpv6NeighborAdvertisement || m->ip[kDestinationOffset] == 0xff)
    return std::nullopt;
  return IpAddress::v6_from_wire(m->ip + kDestinationOffset);
}

}  // namespace sluice
