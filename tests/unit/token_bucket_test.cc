// SPDX-License-Identifier: BSD-3-Clause
#include "pipeline/token_bucket.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

int taken(TokenBucket& b, int tries, uint32_t now_ms) {
  int n = 0;
  for (int i = 0; i < tries; ++i) n += b.take(now_ms);
  return n;
}

TEST(TokenBucket, StartsFullThenRefillsAtItsRate) {
  TokenBucket b(1000, 100);  // 1 a ms, 100 saved up
  EXPECT_EQ(taken(b, 150, 5'000), 100);
  EXPECT_EQ(taken(b, 10, 5'000), 0);
  EXPECT_EQ(taken(b, 10, 5'007), 7);
  EXPECT_EQ(taken(b, 500, 6'000), 100);  // 993 ms of refill, capped at the capacity
}

TEST(TokenBucket, ARateBelowOneAMillisecondAddsUp) {
  TokenBucket b(250, 1);  // one every 4 ms
  EXPECT_EQ(taken(b, 5, 0), 1);
  EXPECT_EQ(taken(b, 5, 1), 0);
  EXPECT_EQ(taken(b, 5, 3), 0);
  EXPECT_EQ(taken(b, 5, 4), 1);
  int total = 0;
  for (uint32_t ms = 5; ms <= 1'004; ++ms) total += taken(b, 5, ms);
  EXPECT_EQ(total, 250);  // a second's worth over the next second
}

TEST(TokenBucket, ZeroIsNoLimit) {
  TokenBucket b(0, 1);
  EXPECT_EQ(taken(b, 1'000'000, 1), 1'000'000);
}

TEST(TokenBucket, TheClockWrapping) {
  TokenBucket b(1000, 1);
  EXPECT_TRUE(b.take(0xfffffffeu));
  EXPECT_FALSE(b.take(0xfffffffeu));
  EXPECT_TRUE(b.take(0x00000001u));  // 3 ms later, past the wrap
}

}  // namespace
}  // namespace sluice
