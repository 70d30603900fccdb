// SPDX-License-Identifier: BSD-3-Clause
#include "flow/hash.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(Crc32c, MatchesTheStandardCheckValue) {
  // CRC-32C("123456789") = 0xE3069283 (RFC 3720, appendix B.4 convention: init and
  // final xor with ~0).
  const char* text = "123456789";
  EXPECT_EQ(~crc32c(~0u, text, 9), 0xe3069283u);
  EXPECT_EQ(~detail::crc32c_software(~0u, reinterpret_cast<const uint8_t*>(text), 9), 0xe3069283u);
}

TEST(Crc32c, EveryLengthMatchesTheByteWiseComputation) {
  // Covers each combination of 8-, 4-, 2- and 1-byte steps the hardware path takes.
  uint8_t data[48];
  for (uint32_t i = 0; i < sizeof data; ++i) data[i] = uint8_t(mix32(i) >> 7);
  for (size_t len = 0; len <= sizeof data; ++len)
    for (size_t offset : {0, 1, 3})
      if (offset + len <= sizeof data)
        ASSERT_EQ(crc32c(0x5109ce11u, data + offset, len),
                  detail::crc32c_software(0x5109ce11u, data + offset, len))
            << "length " << len << " offset " << offset;
}

TEST(Crc32c, WordsFromRegistersMatchTheirBytesInMemory) {
  for (uint32_t i = 0; i < 1000; ++i) {
    const uint64_t w0 = uint64_t(mix32(i)) << 32 | mix32(i + 1000);
    const uint64_t w1 = uint64_t(mix32(i + 2000)) << 32 | mix32(i + 3000);
    const uint32_t w2 = mix32(i + 4000);
    uint8_t bytes[20];
    std::memcpy(bytes, &w0, 8);
    std::memcpy(bytes + 8, &w1, 8);
    std::memcpy(bytes + 16, &w2, 4);
    ASSERT_EQ(crc32c_words(0x7a1u, w0, w1, w2), detail::crc32c_software(0x7a1u, bytes, 20)) << i;
  }
}

TEST(Reduce, StaysInRange) {
  EXPECT_EQ(reduce(0, 65537), 0u);
  EXPECT_EQ(reduce(0xffffffffu, 65537), 65536u);
}

}  // namespace
}  // namespace sluice
