// SPDX-License-Identifier: BSD-3-Clause
// sluice-pktgen's rate pacing on a made-up TSC.
#include <gtest/gtest.h>

#include "pacer.h"

namespace sluice::pktgen {
namespace {

constexpr uint64_t kHz = 1'000'000'000;  // 1 cycle = 1 ns

// Polls every `step` cycles for `cycles`, sending all that is due; returns packets sent.
uint64_t run(Pacer& p, uint64_t start, uint64_t cycles, uint64_t step, uint32_t burst) {
  uint64_t sent = 0;
  for (uint64_t now = start; now < start + cycles; now += step) {
    const uint32_t n = p.due(now, burst);
    p.sent(n);
    sent += n;
  }
  return sent;
}

TEST(PktgenPacer, UnlimitedIsAlwaysABurst) {
  Pacer p(kHz, 0, 0);
  EXPECT_TRUE(p.unlimited());
  EXPECT_EQ(p.due(0, 32), 32u);
  EXPECT_EQ(p.due(0, 32), 32u);
}

TEST(PktgenPacer, KeepsTheRateExactlyWhenPolledOften) {
  Pacer p(kHz, 1'000'000, 5000);   // one packet per 1000 cycles
  EXPECT_EQ(p.due(5000, 32), 1u);  // the first is due at the start
  p.sent(1);
  EXPECT_EQ(p.due(5999, 32), 0u);
  EXPECT_EQ(p.due(6000, 32), 1u);
  p.sent(1);
  // 0.1 s: exactly 100,000 packets (two already sent), polled every 7 cycles
  EXPECT_EQ(run(p, 6001, kHz / 10 - 1001, 7, 32), 100'000u - 2);
}

TEST(PktgenPacer, RatesThatDoNotDivideTheClockAverageExactly) {
  Pacer p(kHz, 3'000'000, 0);  // 333.33 cycles per packet
  EXPECT_EQ(run(p, 0, kHz, 100, 32), 3'000'000u);
}

TEST(PktgenPacer, SlowPollsGetBurstsNotMore) {
  Pacer p(kHz, 10'000'000, 0);      // 100 cycles per packet
  EXPECT_EQ(p.due(0, 32), 1u);      // due at 0
  EXPECT_EQ(p.due(1000, 32), 11u);  // 0, 100, ..., 1000: not sent yet
  p.sent(11);
  EXPECT_EQ(p.due(1000, 32), 0u);
  EXPECT_EQ(p.due(1'000'000, 32), 32u);  // far behind: one burst, the debt forgiven
  p.sent(32);
  EXPECT_EQ(p.due(1'000'000, 32), 0u);
  EXPECT_EQ(p.due(1'000'100, 32), 1u);
}

}  // namespace
}  // namespace sluice::pktgen
