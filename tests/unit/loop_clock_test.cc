// SPDX-License-Identifier: BSD-3-Clause
#include "pipeline/loop_clock.h"

#include <gtest/gtest.h>

#include <memory>

namespace sluice {
namespace {

// A worker's loop driven by a fake TSC: each turn polls (and maybe processes frames) for
// `work` cycles, then idles for `idle` cycles more (a sleep, an interrupt wait, or
// nothing when busy polling).
class FakeWorker {
 public:
  FakeWorker() : clock_(now_) {}
  void turn(bool received, uint64_t work, uint64_t idle = 0) {
    clock_.next_turn(now_, last_received_, *counters_);
    now_ += work + idle;
    last_received_ = received;
  }
  LoopCycles reading() {
    clock_.next_turn(now_, last_received_, *counters_);  // what the next turn would charge
    last_received_ = false;
    return loop_cycles(*counters_);
  }
  uint64_t now() const { return now_; }

 private:
  uint64_t now_ = 1'000'000;
  bool last_received_ = false;
  LoopClock clock_;
  std::unique_ptr<WorkerCounters> counters_ = std::make_unique<WorkerCounters>();
};

TEST(LoopClock, ChargesEveryTurnToLoopAndTurnsThatReceivedToBusy) {
  FakeWorker w;
  w.turn(true, 300);
  w.turn(false, 50);
  w.turn(true, 200);
  const LoopCycles r = w.reading();
  EXPECT_EQ(r.loop, 550u);
  EXPECT_EQ(r.busy, 500u);
}

// The same traffic (10 turns of 1,000 cycles with frames over 100,000 cycles) gives the
// same ratio whether the idle time is spent spinning, asleep or waiting for an interrupt.
TEST(LoopClock, BusyRatioMeansTheSameInEveryIdleMode) {
  FakeWorker spinning, sleeping, waiting;
  const LoopCycles start[] = {spinning.reading(), sleeping.reading(), waiting.reading()};
  for (int i = 0; i < 10; ++i) {
    spinning.turn(true, 1000);
    for (int j = 0; j < 90; ++j) spinning.turn(false, 100);  // empty polls
    sleeping.turn(true, 1000);
    sleeping.turn(false, 100, 8900);  // idle_sleep_us
    waiting.turn(true, 1000);
    waiting.turn(false, 100);
    waiting.turn(false, 200, 8700);  // rearm, poll once more, epoll_wait
  }
  EXPECT_EQ(spinning.now(), sleeping.now());
  EXPECT_EQ(spinning.now(), waiting.now());
  EXPECT_DOUBLE_EQ(busy_ratio(start[0], spinning.reading()), 0.1);
  EXPECT_DOUBLE_EQ(busy_ratio(start[1], sleeping.reading()), 0.1);
  EXPECT_DOUBLE_EQ(busy_ratio(start[2], waiting.reading()), 0.1);
}

TEST(LoopClock, BusyRatioOfAWindow) {
  FakeWorker w;
  w.turn(true, 1000);  // before the window
  const LoopCycles before = w.reading();
  w.turn(true, 250);
  w.turn(false, 750);
  EXPECT_DOUBLE_EQ(busy_ratio(before, w.reading()), 0.25);
}

TEST(LoopClock, BusyRatioIsZeroWithoutATurnAndNeverAboveOne) {
  EXPECT_EQ(busy_ratio({10, 20}, {10, 20}), 0.0);
  // A turn's busy cycles read before its loop cycles.
  EXPECT_EQ(busy_ratio({10, 20}, {40, 30}), 1.0);
}

}  // namespace
}  // namespace sluice
