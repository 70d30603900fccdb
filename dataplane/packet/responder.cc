// SPDX-License-Identifier: BSD-3-Clause
#include "packet/responder.h"

#include <cstring>

#include "packet/checksum.h"

namespace sluice {

using namespace wire;

namespace {

constexpr uint8_t kReplyTtl = 64;

void set_macs_for_reply(uint8_t* eth, const uint8_t* dst, const MacAddress& our_mac) {
  std::memmove(eth + kEthDstOffset, dst, 6);
  std::memcpy(eth + kEthSrcOffset, our_mac.bytes.data(), 6);
}

void swap_bytes(uint8_t* a, uint8_t* b, uint32_t n) {
  uint8_t tmp[16];
  std::memcpy(tmp, a, n);
  std::memcpy(a, b, n);
  std::memcpy(b, tmp, n);
}

void answer_echo_v4(PacketBuffer& frame, const ParsedPacket& parsed) {
  uint8_t* ip = frame.data + parsed.l3_offset;
  uint8_t* icmp = frame.data + parsed.l4_offset;
  // The addresses swap places inside the header checksum's sum: no update needed.
  swap_bytes(ip + 12, ip + 16, 4);
  const uint16_t old_ttl_word = load_be16(ip + 8);
  ip[8] = kReplyTtl;
  store_be16(ip + 10, checksum::update16(load_be16(ip + 10), old_ttl_word, load_be16(ip + 8)));
  const uint16_t old_type_word = load_be16(icmp);
  icmp[0] = kIcmpEchoReply;
  store_be16(icmp + 2, checksum::update16(load_be16(icmp + 2), old_type_word, load_be16(icmp)));
}

void answer_echo_v6(PacketBuffer& frame, const ParsedPacket& parsed) {
  uint8_t* ip = frame.data + parsed.l3_offset;
  uint8_t* icmp = frame.data + parsed.l4_offset;
  // The pseudo-header sum is symmetric in source and destination.
  swap_bytes(ip + 8, ip + 24, 16);
  ip[7] = kReplyTtl;
  const uint16_t old_type_word = load_be16(icmp);
  icmp[0] = kIcmpv6EchoReply;
  store_be16(icmp + 2, checksum::update16(load_be16(icmp + 2), old_type_word, load_be16(icmp)));
}

}  // namespace

bool answer_icmp_echo(PacketBuffer& frame, const ParsedPacket& parsed, const MacAddress& our_mac) {
  const uint32_t l3_end = uint32_t(parsed.l3_offset) + parsed.l3_length;
  if (parsed.icmp_error || l3_end > frame.length ||
      uint32_t(parsed.l4_offset) + kIcmpHeaderLen > l3_end)
    return false;
  if (parsed.kind == PacketKind::kIpv4 && parsed.key.protocol == kProtoIcmp &&
      parsed.icmp_type == kIcmpEchoRequest) {
    answer_echo_v4(frame, parsed);
  } else if (parsed.kind == PacketKind::kIpv6 && parsed.key.protocol == kProtoIcmpv6 &&
             parsed.icmp_type == kIcmpv6EchoRequest &&
             parsed.l4_offset == parsed.l3_offset + kIpv6HeaderLen) {
    answer_echo_v6(frame, parsed);
  } else {
    return false;
  }
  set_macs_for_reply(frame.data, frame.data + kEthSrcOffset, our_mac);
  frame.resize(l3_end);
  return true;
}

namespace detail {

const uint8_t* arp_request_target(const PacketBuffer& frame, const ParsedPacket& parsed) {
  if (parsed.kind != PacketKind::kArp || uint32_t(parsed.l3_offset) + kArpLen > frame.length)
    return nullptr;
  const uint8_t* a = frame.data + parsed.l3_offset;
  if (load_be16(a + arp::kHardwareTypeOffset) != arp::kHardwareEthernet ||
      load_be16(a + arp::kProtocolTypeOffset) != kEtherTypeIpv4 ||
      a[arp::kHardwareLengthOffset] != 6 || a[arp::kProtocolLengthOffset] != 4 ||
      load_be16(a + arp::kOpOffset) != kArpOpRequest)
    return nullptr;
  // An announcement (sender = target) asks nothing.
  if (std::memcmp(a + arp::kSenderIpOffset, a + arp::kTargetIpOffset, 4) == 0) return nullptr;
  return a + arp::kTargetIpOffset;
}

void arp_request_to_reply(PacketBuffer& frame, const ParsedPacket& parsed,
                          const MacAddress& our_mac) {
  uint8_t* a = frame.data + parsed.l3_offset;
  store_be16(a + arp::kOpOffset, kArpOpReply);
  std::memcpy(a + arp::kTargetMacOffset, a + arp::kSenderMacOffset, 6);
  swap_bytes(a + arp::kSenderIpOffset, a + arp::kTargetIpOffset, 4);
  std::memcpy(a + arp::kSenderMacOffset, our_mac.bytes.data(), 6);
  set_macs_for_reply(frame.data, a + arp::kTargetMacOffset, our_mac);
}

bool solicitation_to_advertisement(PacketBuffer& frame, const ParsedPacket& parsed,
                                   const NdMessage& ns, const MacAddress& our_mac) {
  constexpr uint32_t kIcmpLen = nd::kMessageLen + nd::kLinkAddrOptionLen;
  const uint32_t l3 = parsed.l3_offset;
  uint8_t target[16];
  std::memcpy(target, ns.icmp + nd::kTargetOffset, 16);
  uint8_t reply_mac[6];
  std::memcpy(reply_mac, ns.link_addr ? ns.link_addr : frame.data + kEthSrcOffset, 6);
  uint8_t* ip = frame.data + l3;
  bool dad = true;
  for (int i = 8; i < 24; ++i) dad = dad && ip[i] == 0;

  if (!frame.resize(l3 + kIpv6HeaderLen + kIcmpLen)) return false;
  set_macs_for_reply(frame.data, dad ? nd::kAllNodesMac : reply_mac, our_mac);
  store_be32(ip, 6u << 28);
  store_be16(ip + 4, kIcmpLen);
  ip[6] = kProtoIcmpv6;
  ip[7] = 255;
  std::memcpy(ip + 24, dad ? nd::kAllNodes : ip + 8, 16);
  std::memcpy(ip + 8, target, 16);
  uint8_t* icmp = ip + kIpv6HeaderLen;
  icmp[0] = kIcmpv6NeighborAdvertisement;
  icmp[1] = 0;
  store_be16(icmp + 2, 0);
  store_be32(icmp + 4, dad ? nd::kFlagOverride : nd::kFlagSolicited | nd::kFlagOverride);
  std::memcpy(icmp + nd::kTargetOffset, target, 16);
  icmp[nd::kMessageLen] = kNdOptionTargetLinkAddr;
  icmp[nd::kMessageLen + 1] = 1;
  std::memcpy(icmp + nd::kMessageLen + 2, our_mac.bytes.data(), 6);
  store_be16(icmp + 2, checksum::transport_v6(ip, icmp, kIcmpLen, kProtoIcmpv6));
  return true;
}

}  // namespace detail
}  // namespace sluice
