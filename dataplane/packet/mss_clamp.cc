// SPDX-License-Identifier: BSD-3-Clause
#include "packet/mss_clamp.h"

#include "net/wire.h"
#include "packet/checksum.h"

namespace sluice {

namespace {

constexpr uint8_t kOptionEnd = 0;
constexpr uint8_t kOptionNop = 1;
constexpr uint8_t kOptionMss = 2;
constexpr uint32_t kOptionMssLength = 4;
constexpr uint32_t kTcpChecksumOffset = 16;
constexpr uint32_t kTcpDataOffsetOffset = 12;

}  // namespace

bool clamp_mss_options(uint8_t* tcp, uint32_t header_length, uint16_t max_mss) {
  bool lowered = false;
  uint32_t at = wire::kTcpMinHeaderLen;
  while (at < header_length) {
    const uint8_t kind = tcp[at];
    if (kind == kOptionEnd) break;
    if (kind == kOptionNop) {
      ++at;
      continue;
    }
    if (at + 1 >= header_length) break;
    const uint32_t length = tcp[at + 1];
    if (length < 2 || at + length > header_length) break;
    if (kind == kOptionMss && length == kOptionMssLength) {
      uint8_t* value = tcp + at + 2;
      const uint16_t mss = wire::load_be16(value);
      if (mss > max_mss) {
        wire::store_be16(value, max_mss);
        // The checksum sums 16-bit words from the header's start: a value at an odd offset
        // straddles two of them and counts byte-swapped.
        const bool odd = (at + 2) & 1;
        const uint16_t old_word = odd ? __builtin_bswap16(mss) : mss;
        const uint16_t new_word = odd ? __builtin_bswap16(max_mss) : max_mss;
        uint8_t* field = tcp + kTcpChecksumOffset;
        wire::store_be16(field, checksum::update16(wire::load_be16(field), old_word, new_word));
        lowered = true;
      }
    }
    at += length;
  }
  return lowered;
}

bool clamp_mss(PacketBuffer& frame, const ParsedPacket& parsed, uint16_t max_mss) {
  uint8_t* tcp = frame.data + parsed.l4_offset;
  return clamp_mss_options(tcp, uint32_t(tcp[kTcpDataOffsetOffset] >> 4) * 4, max_mss);
}

}  // namespace sluice
