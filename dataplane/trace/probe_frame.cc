// SPDX-License-Identifier: BSD-3-Clause
#include "trace/probe_frame.h"

#include <cstring>

#include "net/wire.h"
#include "packet/checksum.h"

namespace sluice {

std::optional<std::string> probe_frame(const channel::TraceFlow& t, uint8_t tcp_flags,
                                       const MacAddress& port_mac, std::string& error) {
  const bool v4 = t.source.is_v4();
  if (v4 != t.destination.is_v4()) {
    error = "the client and the VIP addresses are of different families";
    return std::nullopt;
  }
  if (t.protocol != wire::kProtoTcp && t.protocol != wire::kProtoUdp) {
    error = "only tcp and udp flows can be traced from a tuple";
    return std::nullopt;
  }
  const bool tcp = t.protocol == wire::kProtoTcp;
  const uint32_t l3 = v4 ? wire::kIpv4HeaderLen : wire::kIpv6HeaderLen;
  const uint32_t l4 = tcp ? wire::kTcpMinHeaderLen : 8;
  std::string frame(wire::kEthHeaderLen + l3 + l4, '\0');
  auto* p = reinterpret_cast<uint8_t*>(frame.data());

  std::memcpy(p + wire::kEthDstOffset, port_mac.bytes.data(), 6);
  std::memcpy(p + wire::kEthSrcOffset, kProbeSourceMac.bytes.data(), 6);
  wire::store_be16(p + wire::kEthTypeOffset, v4 ? wire::kEtherTypeIpv4 : wire::kEtherTypeIpv6);

  uint8_t* ip = p + wire::kEthHeaderLen;
  if (v4) {
    ip[0] = 0x45;
    wire::store_be16(ip + 2, uint16_t(l3 + l4));
    wire::store_be16(ip + 6, wire::kIpv4FlagDontFragment);
    ip[8] = 64;
    ip[9] = t.protocol;
    std::memcpy(ip + 12, t.source.v4_wire(), 4);
    std::memcpy(ip + 16, t.destination.v4_wire(), 4);
    wire::store_be16(ip + 10, checksum::ipv4_header(ip, l3));
  } else {
    ip[0] = 0x60;
    wire::store_be16(ip + 4, uint16_t(l4));
    ip[6] = t.protocol;
    ip[7] = 64;
    std::memcpy(ip + 8, t.source.v6_wire(), 16);
    std::memcpy(ip + 24, t.destination.v6_wire(), 16);
  }

  uint8_t* l4p = ip + l3;
  wire::store_be16(l4p, t.source_port);
  wire::store_be16(l4p + 2, t.destination_port);
  uint32_t checksum_offset;
  if (tcp) {
    wire::store_be32(l4p + 4, 1);
    l4p[12] = uint8_t((wire::kTcpMinHeaderLen / 4) << 4);
    l4p[13] = tcp_flags;
    wire::store_be16(l4p + 14, 65535);
    checksum_offset = 16;
  } else {
    wire::store_be16(l4p + 4, uint16_t(l4));
    checksum_offset = 6;
  }
  uint16_t sum = v4 ? checksum::transport_v4(ip, l4p, l4, t.protocol)
                    : checksum::transport_v6(ip, l4p, l4, t.protocol);
  if (!tcp && sum == 0) sum = 0xffff;
  wire::store_be16(l4p + checksum_offset, sum);
  return frame;
}

}  // namespace sluice
