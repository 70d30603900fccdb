// SPDX-License-Identifier: BSD-3-Clause
#include "common/hash.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(Crc32c, MatchesTheStandardCheckValue) {
  // CRC-32C("123456789") = 0xE3069283 (RFC 3720, appendix B.4 convention: init and
  // final xor with ~0).
  const char* text = "123456789";
  EXPECT_EQ(~crc32c(~0u, text, 9), 0xe3069283u);
  EXPECT_EQ(~detail::crc32c_software(~0u, reinterpret_cast<const uint8_t*>(text), 9),
            0xe3069283u);
}

TEST(Reduce, StaysInRange) {
  EXPECT_EQ(reduce(0, 65537), 0u);
  EXPECT_EQ(reduce(0xffffffffu, 65537), 65536u);
}

}  // namespace
}  // namespace sluice
