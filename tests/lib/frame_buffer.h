// SPDX-License-Identifier: BSD-3-Clause
// A test frame in a buffer with headroom and tailroom like a single-segment mbuf, and the
// real parser's view of a frame: what the unit tests and benchmarks of the packet code
// hand to it. The bytes come from packet_builder.h (or from scapy as hex). Header-only.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "packet/packet_buffer.h"
#include "packet/parser.h"

namespace sluice::testing_support {

// `bytes` in a 512-byte buffer after `headroom` bytes; the tailroom is the rest of the
// buffer unless given (smaller, to test frames that cannot grow). It points into itself:
// a copy's buffer still points into the original.
struct TestFrame {
  std::array<uint8_t, 512> storage{};
  PacketBuffer buf;

  explicit TestFrame(const std::vector<uint8_t>& bytes, uint32_t headroom = 128,
                     std::optional<uint32_t> tailroom = std::nullopt) {
    std::memcpy(storage.data() + headroom, bytes.data(), bytes.size());
    buf.data = storage.data() + headroom;
    buf.length = uint32_t(bytes.size());
    buf.headroom = headroom;
    buf.tailroom = tailroom.value_or(uint32_t(storage.size() - headroom - bytes.size()));
  }
  std::vector<uint8_t> bytes() const { return {buf.data, buf.data + buf.length}; }
};

// The real parser's view of a frame.
inline ParsedPacket describe(const std::vector<uint8_t>& f) {
  ParsedPacket p;
  parse_frame(f.data(), uint32_t(f.size()), p);
  return p;
}

}  // namespace sluice::testing_support
