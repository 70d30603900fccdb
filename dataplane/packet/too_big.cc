// SPDX-License-Identifier: BSD-3-Clause
#include "packet/too_big.h"

#include <algorithm>
#include <cstring>

#include "net/wire.h"
#include "packet/checksum.h"

namespace sluice {

using namespace wire;

namespace {
constexpr uint32_t kMaxIcmpv4Packet = 576;   // RFC 1812 4.3.2.3
constexpr uint32_t kMaxIcmpv6Packet = 1280;  // RFC 4443 2.4 (c)
}  // namespace

bool make_too_big(PacketBuffer& frame, const ParsedPacket& parsed, const MacAddress& our_mac,
                  uint16_t inner_mtu) {
  if (parsed.icmp_error) return false;  // never an error about an error
  const bool v4 = parsed.kind == PacketKind::kIpv4;
  if (!v4 && parsed.kind != PacketKind::kIpv6) return false;
  const uint32_t l3 = parsed.l3_offset;
  const uint8_t* original = frame.data + l3;
  if (v4 && !(load_be16(original + 6) & kIpv4FlagDontFragment)) return false;
  // A later fragment's ICMPv6 type is unknown, and an ICMPv6 error is never fragmented.
  if (!v4 && parsed.key.protocol == kProtoIcmpv6 && parsed.fragment != Fragment::kLater &&
      parsed.icmp_type < 128)
    return false;

  const uint32_t headers = (v4 ? kIpv4HeaderLen : kIpv6HeaderLen) + kIcmpHeaderLen;
  const uint32_t quote =
      std::min<uint32_t>(parsed.l3_length, (v4 ? kMaxIcmpv4Packet : kMaxIcmpv6Packet) - headers);
  if (headers > frame.headroom) return false;

  MacAddress sender;
  std::memcpy(sender.bytes.data(), frame.data + kEthSrcOffset, 6);
  IpAddress from = parsed.key.dst, to = parsed.key.src;  // as the packet says, not reversed
  frame.resize(l3 + quote);
  uint8_t* old = frame.data;
  uint8_t* eth = frame.prepend(headers);
  std::memmove(eth + kEthTypeOffset, old + kEthTypeOffset, l3 - kEthTypeOffset);
  std::memcpy(eth + kEthDstOffset, sender.bytes.data(), 6);
  std::memcpy(eth + kEthSrcOffset, our_mac.bytes.data(), 6);

  uint8_t* ip = eth + l3;
  uint8_t* icmp = ip + (v4 ? kIpv4HeaderLen : kIpv6HeaderLen);
  const uint32_t icmp_length = kIcmpHeaderLen + quote;
  if (v4) {
    ip[0] = 0x45;
    ip[1] = 0;
    store_be16(ip + 2, uint16_t(kIpv4HeaderLen + icmp_length));
    store_be32(ip + 4, 0);
    ip[8] = 64;
    ip[9] = kProtoIcmp;
    store_be16(ip + 10, 0);
    std::memcpy(ip + 12, from.v4_wire(), 4);
    std::memcpy(ip + 16, to.v4_wire(), 4);
    store_be16(ip + 10, checksum::finish(checksum::sum(ip, kIpv4HeaderLen)));
    icmp[0] = kIcmpDestUnreachable;
    icmp[1] = kIcmpCodeFragNeeded;
    store_be16(icmp + 2, 0);
    store_be16(icmp + 4, 0);
    store_be16(icmp + 6, inner_mtu);
    store_be16(icmp + 2, checksum::finish(checksum::sum(icmp, icmp_length)));
  } else {
    store_be32(ip, 0x60000000u);
    store_be16(ip + 4, uint16_t(icmp_length));
    ip[6] = kProtoIcmpv6;
    ip[7] = 64;
    std::memcpy(ip + 8, from.v6_wire(), 16);
    std::memcpy(ip + 24, to.v6_wire(), 16);
    icmp[0] = kIcmpv6PacketTooBig;
    icmp[1] = 0;
    store_be16(icmp + 2, 0);
    store_be32(icmp + 4, inner_mtu);
    store_be16(icmp + 2, checksum::transport_v6(ip, icmp, icmp_length, kProtoIcmpv6));
  }
  return true;
}

}  // namespace sluice
