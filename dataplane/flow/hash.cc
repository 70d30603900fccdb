// SPDX-License-Identifier: BSD-3-Clause
#include "flow/hash.h"

#include <array>

namespace sluice::detail {

namespace {
constexpr std::array<uint32_t, 256> make_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr auto kTable = make_table();
}  // namespace

uint32_t crc32c_software(uint32_t crc, const uint8_t* data, size_t len) {
  while (len--) crc = kTable[(crc ^ *data++) & 0xff] ^ (crc >> 8);
  return crc;
}

}  // namespace sluice::detail
