// SPDX-License-Identifier: BSD-3-Clause
// A 48-bit Ethernet address. Plain value type.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

struct MacAddress {
  std::array<uint8_t, 6> bytes{};

  // "02:00:00:00:00:21" (case-insensitive); nullopt when malformed.
  static std::optional<MacAddress> parse(std::string_view text) {
    if (text.size() != 17) return std::nullopt;
    MacAddress m;
    for (int i = 0; i < 6; ++i) {
      if (i > 0 && text[i * 3 - 1] != ':') return std::nullopt;
      int value = 0;
      for (int k = 0; k < 2; ++k) {
        char c = text[i * 3 + k];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) return std::nullopt;
        value = value * 16 + d;
      }
      m.bytes[i] = uint8_t(value);
    }
    return m;
  }
  std::string to_string() const {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", bytes[0], bytes[1], bytes[2],
                  bytes[3], bytes[4], bytes[5]);
    return buf;
  }
  bool is_zero() const {
    return (bytes[0] | bytes[1] | bytes[2] | bytes[3] | bytes[4] | bytes[5]) == 0;
  }
  bool is_multicast() const { return bytes[0] & 1; }
  static MacAddress broadcast() { return MacAddress{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }

  friend bool operator==(const MacAddress&, const MacAddress&) = default;
};

}  // namespace sluice
