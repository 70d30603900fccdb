// SPDX-License-Identifier: BSD-3-Clause
// Test frames for the packet code: hex fixtures to bytes, and a frame placed in a buffer
// with headroom and tailroom like a single-segment mbuf. Header-only, for tests and
// benchmarks.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "packet/packet_buffer.h"
#include "packet/parser.h"

namespace sluice::testing_support {

inline std::vector<uint8_t> from_hex(std::string_view hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(uint8_t(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

// `bytes` in a 512-byte buffer after `headroom` bytes; the tailroom is the rest of the
// buffer unless given (smaller, to test frames that cannot grow).
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

// The real parser's view of a fixture frame.
inline ParsedPacket describe(const std::vector<uint8_t>& f) {
  ParsedPacket p;
  parse_frame(f.data(), uint32_t(f.size()), p);
  return p;
}

}  // namespace sluice::testing_support
