// SPDX-License-Identifier: BSD-3-Clause
#include "frame_template.h"

#include <algorithm>

namespace sluice::pktgen {
namespace {

constexpr uint32_t kTcpSeq = 1000;
constexpr uint32_t kTcpAck = 2000;
constexpr uint16_t kTcpWindow = 8192;
constexpr uint8_t kTtl = 64;

uint32_t complement_words(uint32_t value) {
  return uint16_t(~(value >> 16)) + uint32_t(uint16_t(~value));
}

}  // namespace

FrameTemplate build_template(const FlowSpec& spec) {
  FrameTemplate t;
  uint8_t* f = t.bytes.data();
  const bool v6 = spec.ipv6();
  const bool tcp = spec.protocol == Protocol::kTcp;
  t.length = spec.size;
  t.udp = !tcp;

  std::copy(spec.dmac.bytes.begin(), spec.dmac.bytes.end(), f + wire::kEthDstOffset);
  std::copy(spec.smac.bytes.begin(), spec.smac.bytes.end(), f + wire::kEthSrcOffset);
  wire::store_be16(f + wire::kEthTypeOffset, v6 ? wire::kEtherTypeIpv6 : wire::kEtherTypeIpv4);

  uint8_t* ip = f + wire::kEthHeaderLen;
  const uint32_t ip_header = v6 ? wire::kIpv6HeaderLen : wire::kIpv4HeaderLen;
  const uint8_t protocol = tcp ? wire::kProtoTcp : wire::kProtoUdp;
  const uint32_t l4_length = spec.size - wire::kEthHeaderLen - ip_header;
  if (v6) {
    ip[0] = 0x60;
    wire::store_be16(ip + 4, uint16_t(l4_length));
    ip[6] = protocol;
    ip[7] = kTtl;
    std::copy(spec.src.bytes.begin(), spec.src.bytes.end(), ip + 8);
    std::copy(spec.dst.bytes.begin(), spec.dst.bytes.end(), ip + 24);
    t.src_low32_offset = uint16_t(wire::kEthHeaderLen + 8 + 12);
  } else {
    ip[0] = 0x45;
    wire::store_be16(ip + 2, uint16_t(ip_header + l4_length));
    wire::store_be16(ip + 6, wire::kIpv4FlagDontFragment);
    ip[8] = kTtl;
    ip[9] = protocol;
    std::copy_n(spec.src.v4_wire(), 4, ip + 12);
    std::copy_n(spec.dst.v4_wire(), 4, ip + 16);
    t.src_low32_offset = uint16_t(wire::kEthHeaderLen + 12);
    t.ip_checksum_offset = uint16_t(wire::kEthHeaderLen + 10);
  }

  uint8_t* l4 = ip + ip_header;
  const uint32_t l4_header = tcp ? wire::kTcpMinHeaderLen : wire::kUdpHeaderLen;
  wire::store_be16(l4, spec.sport);
  wire::store_be16(l4 + 2, spec.dport);
  if (tcp) {
    const bool syn = spec.kind == Kind::kSyn;
    wire::store_be32(l4 + 4, kTcpSeq);
    wire::store_be32(l4 + 8, syn ? 0 : kTcpAck);
    l4[12] = uint8_t((wire::kTcpMinHeaderLen / 4) << 4);
    l4[13] = syn ? wire::kTcpSyn : wire::kTcpPsh | wire::kTcpAck;
    wire::store_be16(l4 + 14, kTcpWindow);
  } else {
    wire::store_be16(l4 + 4, uint16_t(l4_length));
  }
  t.sport_offset = uint16_t(l4 - f);
  t.stamp_offset = uint16_t(l4 - f + l4_header);
  wire::store_be32(f + t.stamp_offset, kStampMagic);

  t.first = FlowFields{0, wire::load_be32(f + t.src_low32_offset), spec.sport};
  const uint32_t varying = complement_words(t.first.src_low32);
  if (!v6) {
    const uint16_t value = checksum::ipv4_header(ip, ip_header);
    wire::store_be16(f + t.ip_checksum_offset, value);
    t.ip_checksum_base = uint16_t(~value) + varying;
  }
  if (tcp || v6) {
    t.l4_checksum_offset = uint16_t(l4 - f + (tcp ? 16 : 6));
    uint16_t value = v6 ? checksum::transport_v6(ip, l4, l4_length, protocol)
                        : checksum::transport_v4(ip, l4, l4_length, protocol);
    if (!tcp && value == 0) value = 0xffff;
    wire::store_be16(f + t.l4_checksum_offset, value);
    // flow 0 and TSC 0: their words are 0 and their complements 0xffff each (6 words)
    t.l4_checksum_base =
        uint16_t(~value) + varying + uint16_t(~t.first.sport) + 6 * uint32_t(0xffff);
  }
  return t;
}

}  // namespace sluice::pktgen
