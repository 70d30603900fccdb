// SPDX-License-Identifier: BSD-3-Clause
#include "flow/flood_guard.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

int admitted(FloodGuard& g, int tries, uint32_t now_ms) {
  int n = 0;
  for (int i = 0; i < tries; ++i) n += g.admit(now_ms);
  return n;
}

TEST(FloodGuard, AtMostTheLimitPerSecond) {
  FloodGuard g(100);
  EXPECT_EQ(admitted(g, 150, 5'000), 100);
  EXPECT_EQ(admitted(g, 10, 5'999), 0);     // the same second
  EXPECT_EQ(admitted(g, 150, 6'000), 100);  // the next one
  EXPECT_EQ(admitted(g, 30, 9'500), 30);
  EXPECT_EQ(admitted(g, 100, 10'000), 70);  // one window from 9'500
}

TEST(FloodGuard, TheFirstWindowOpensAtTheFirstSyn) {
  FloodGuard g(2);
  EXPECT_EQ(admitted(g, 3, 0), 2);
  EXPECT_EQ(admitted(g, 3, 999), 0);
  EXPECT_EQ(admitted(g, 3, 1'000), 2);
}

TEST(FloodGuard, ZeroIsNoLimit) {
  FloodGuard g(0);
  EXPECT_EQ(admitted(g, 1'000'000, 1), 1'000'000);
}

TEST(FloodGuard, TheClockWrapping) {
  FloodGuard g(1);
  EXPECT_TRUE(g.admit(0xffffff00u));
  EXPECT_FALSE(g.admit(0xffffffffu));
  EXPECT_TRUE(g.admit(0x00000300u));  // 1024 ms later, past the wrap
}

}  // namespace
}  // namespace sluice
