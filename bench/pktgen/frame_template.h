// SPDX-License-Identifier: BSD-3-Clause
// The frame of a flow set, built once, and the per-packet patch that turns a copy of it
// into flow i's frame: the varying fields (the last 32 bits of the source address, the
// source port, the flow number and TSC of the payload's stamp) are written and the
// checksums fixed incrementally (RFC 1624) from sums taken once at build time. Pure.
//
// The stamp, at the start of the L4 payload (big-endian): magic "SLPG", the flow number
// (32 bits), the sender's TSC (64 bits). The rest of the payload is zero. Fixed fields:
// IPv4 ID 0, DF, TTL 64; IPv6 flow label 0, hop limit 64; TCP seq 1000, ack 2000 (0 for a
// SYN), window 8192, PSH|ACK (established) or SYN; UDP over IPv4 without checksum (0),
// as dpdk-testpmd txonly sends it; over IPv6 with one.
#pragma once

#include <array>
#include <cstdint>

#include "flow_spec.h"
#include "net/wire.h"
#include "packet/checksum.h"

namespace sluice::pktgen {

inline constexpr uint32_t kStampMagic = 0x534c5047;  // "SLPG"
inline constexpr uint32_t kStampLength = 16;

// The varying fields of one packet.
struct FlowFields {
  uint32_t flow = 0;       // 0 .. flows - 1
  uint32_t src_low32 = 0;  // the source address's last 32 bits
  uint16_t sport = 0;
};

struct FrameTemplate {
  std::array<uint8_t, kMaxFrameSize> bytes{};  // flow 0's frame, stamp TSC 0
  uint16_t length = 0;
  uint16_t src_low32_offset = 0;
  uint16_t sport_offset = 0;
  uint16_t stamp_offset = 0;
  uint16_t ip_checksum_offset = 0;  // 0: none (IPv6)
  uint16_t l4_checksum_offset = 0;  // 0: none (UDP over IPv4)
  bool udp = false;
  // ~checksum + ~(each varying word of flow 0's frame), per checksum: adding the new
  // words and folding gives ~(the new checksum).
  uint32_t ip_checksum_base = 0;
  uint32_t l4_checksum_base = 0;
  FlowFields first;  // flow 0's fields
};

FrameTemplate build_template(const FlowSpec& spec);

// Turns `frame`, a copy of t.bytes[0 .. t.length), into the frame of `f` stamped with `tsc`.
inline void write_flow(uint8_t* frame, const FrameTemplate& t, const FlowFields& f, uint64_t tsc) {
  wire::store_be32(frame + t.src_low32_offset, f.src_low32);
  wire::store_be16(frame + t.sport_offset, f.sport);
  wire::store_be32(frame + t.stamp_offset + 4, f.flow);
  wire::store_be64(frame + t.stamp_offset + 8, tsc);
  const uint32_t address_words = (f.src_low32 >> 16) + (f.src_low32 & 0xffff);
  if (t.ip_checksum_offset)
    wire::store_be16(
        frame + t.ip_checksum_offset,
        checksum::finish(checksum::fold(uint64_t(t.ip_checksum_base) + address_words)));
  if (t.l4_checksum_offset) {
    const uint64_t sum = uint64_t(t.l4_checksum_base) + address_words + f.sport + (f.flow >> 16) +
                         (f.flow & 0xffff) + (tsc >> 48) + ((tsc >> 32) & 0xffff) +
                         ((tsc >> 16) & 0xffff) + (tsc & 0xffff);
    uint16_t value = checksum::finish(checksum::fold(sum));
    if (t.udp && value == 0) value = 0xffff;
    wire::store_be16(frame + t.l4_checksum_offset, value);
  }
}

}  // namespace sluice::pktgen
