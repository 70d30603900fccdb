// SPDX-License-Identifier: BSD-3-Clause
// sluiced's rate limit for repeated log lines: the first at once, then at most one per
// period, each saying how many it stands for.
#include "sluiced/log_limiter.h"

#include <gtest/gtest.h>

namespace sluice::sluiced {
namespace {

constexpr uint64_t kMinute = 60'000'000;

TEST(LogLimiter, FirstAtOnceThenOncePerPeriod) {
  LogLimiter limit(kMinute);
  uint64_t t = 5 * kMinute;
  EXPECT_TRUE(limit.allow(t));
  EXPECT_EQ(limit.suppressed(), 0u);
  // Adverts every second for a minute: held back, counted.
  for (int i = 1; i < 60; ++i) EXPECT_FALSE(limit.allow(t + uint64_t(i) * 1'000'000)) << i;
  EXPECT_TRUE(limit.allow(t + kMinute));
  EXPECT_EQ(limit.suppressed(), 59u) << "the line allowed says how many it stands for";
  EXPECT_FALSE(limit.allow(t + kMinute + 1));
  EXPECT_EQ(limit.total(), 62u);
}

TEST(LogLimiter, AQuietPeriodLetsTheNextLineThroughAtOnce) {
  LogLimiter limit(kMinute);
  EXPECT_TRUE(limit.allow(0));  // time 0 is a time like any other
  EXPECT_TRUE(limit.allow(10 * kMinute));
  EXPECT_EQ(limit.suppressed(), 0u);
  EXPECT_FALSE(limit.allow(10 * kMinute + kMinute - 1));
  EXPECT_TRUE(limit.allow(11 * kMinute));
  EXPECT_EQ(limit.suppressed(), 1u);
}

}  // namespace
}  // namespace sluice::sluiced
