// SPDX-License-Identifier: BSD-3-Clause
#include "rx_classifier.h"

#include <cstring>

#include "frame_template.h"
#include "net/wire.h"

namespace sluice::pktgen {
namespace {

constexpr int kMaxVlanTags = 2;

struct L3 {
  const uint8_t* l4 = nullptr;  // nullptr: not a whole first fragment or header
  uint32_t l4_length = 0;
  uint8_t protocol = 0;
  const uint8_t* dst = nullptr;
  bool v6 = false;
};

// The IP header at p (version from its first nibble); no extension headers, no fragments.
L3 parse_ip(const uint8_t* p, uint32_t length) {
  L3 r;
  if (length < 1) return r;
  if (p[0] >> 4 == 4) {
    const uint32_t header = (p[0] & 0x0f) * 4u;
    if (header < wire::kIpv4HeaderLen || length < header) return r;
    if (wire::load_be16(p + 6) & (wire::kIpv4FlagMoreFragments | wire::kIpv4FragmentOffsetMask))
      return r;
    const uint32_t total = wire::load_be16(p + 2);
    if (total < header || total > length) return r;
    r = {p + header, total - header, p[9], p + 16, false};
  } else if (p[0] >> 4 == 6) {
    if (length < wire::kIpv6HeaderLen) return r;
    const uint32_t payload = wire::load_be16(p + 4);
    if (payload > length - wire::kIpv6HeaderLen) return r;
    r = {p + wire::kIpv6HeaderLen, payload, p[6], p + 24, true};
  }
  return r;
}

void set_tunnel(const L3& outer, BackendKey& key) {
  key.kind = outer.v6 ? 6 : 4;
  std::memcpy(key.bytes.data(), outer.dst, outer.v6 ? 16 : 4);
}

void read_stamp(const L3& ip, Received& out) {
  uint32_t header;
  if (ip.protocol == wire::kProtoTcp) {
    if (ip.l4_length < wire::kTcpMinHeaderLen) return;
    header = (ip.l4[12] >> 4) * 4u;
  } else if (ip.protocol == wire::kProtoUdp) {
    header = wire::kUdpHeaderLen;
  } else {
    return;
  }
  if (ip.l4_length < header + kStampLength) return;
  const uint8_t* stamp = ip.l4 + header;
  if (wire::load_be32(stamp) != kStampMagic) return;
  out.stamped = true;
  out.flow = wire::load_be32(stamp + 4);
  out.tsc = wire::load_be64(stamp + 8);
}

}  // namespace

bool classify(const uint8_t* frame, uint32_t length, uint16_t gue_port, Received& out) {
  out = Received{};
  if (length < wire::kEthHeaderLen) return false;
  std::memcpy(out.backend.bytes.data(), frame + wire::kEthDstOffset, 6);
  uint32_t at = wire::kEthTypeOffset;
  uint16_t type = wire::load_be16(frame + at);
  for (int tags = 0;
       tags < kMaxVlanTags && (type == wire::kEtherTypeVlan || type == wire::kEtherTypeQinQ);
       ++tags) {
    at += wire::kVlanTagLen;
    if (length < at + 2) return true;
    type = wire::load_be16(frame + at);
  }
  if (type != wire::kEtherTypeIpv4 && type != wire::kEtherTypeIpv6) return true;
  at += 2;
  L3 ip = parse_ip(frame + at, length - at);
  if (!ip.l4) return true;
  if (ip.protocol == wire::kProtoIpip || ip.protocol == wire::kProtoIpv6) {
    set_tunnel(ip, out.backend);
    ip = parse_ip(ip.l4, ip.l4_length);
  } else if (ip.protocol == wire::kProtoUdp && ip.l4_length >= wire::kUdpHeaderLen &&
             wire::load_be16(ip.l4 + 2) == gue_port) {
    set_tunnel(ip, out.backend);
    ip = parse_ip(ip.l4 + wire::kUdpHeaderLen, ip.l4_length - wire::kUdpHeaderLen);
  }
  if (ip.l4) read_stamp(ip, out);
  return true;
}

}  // namespace sluice::pktgen
