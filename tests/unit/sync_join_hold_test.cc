// SPDX-License-Identifier: BSD-3-Clause
// sluiced's hold on VRRP preemption during the dataplane's flow sync join: from each
// connection to the dataplane until its counters say the join is over, bounded by
// join_wait plus the counters' delay.
#include "sluiced/sync_join_hold.h"

#include <gtest/gtest.h>

namespace sluice::sluiced {
namespace {

constexpr uint64_t kSecond = 1'000'000;
constexpr uint64_t kStart = 1000 * kSecond;
const std::string kWaitingForFlows = "waiting for the peers' flows (flow sync join)";
const std::string kWaitingForCounters =
    "waiting for the dataplane's first counters (flow sync join)";

TEST(SyncJoinHold, WithoutJoinWaitNeverHolds) {
  SyncJoinHold hold(0);
  hold.update(kStart, 0, std::nullopt);
  EXPECT_FALSE(hold.held());
  hold.update(kStart + kSecond, 1, true);
  EXPECT_FALSE(hold.held());
  EXPECT_EQ(hold.reason(), "");
}

TEST(SyncJoinHold, HoldsFromStartUntilTheCountersSayTheJoinIsOver) {
  SyncJoinHold hold(3000);
  hold.update(kStart, 0, std::nullopt);  // before the dataplane's channel is up
  EXPECT_TRUE(hold.held());
  EXPECT_EQ(hold.reason(), kWaitingForCounters);
  hold.update(kStart + kSecond / 2, 1, std::nullopt);  // connected, no counters yet
  EXPECT_EQ(hold.reason(), kWaitingForCounters);
  hold.update(kStart + kSecond, 1, true);
  EXPECT_EQ(hold.reason(), kWaitingForFlows);
  hold.update(kStart + 2 * kSecond, 1, false);
  EXPECT_FALSE(hold.held());
  EXPECT_EQ(hold.reason(), "");
  // Over for this connection: older counters saying otherwise do not bring it back.
  hold.update(kStart + 2 * kSecond, 1, true);
  EXPECT_FALSE(hold.held());
}

TEST(SyncJoinHold, ADataplaneThatIsNotJoiningEndsTheHoldWithItsFirstCounters) {
  SyncJoinHold hold(10'000);
  hold.update(kStart, 0, std::nullopt);
  hold.update(kStart + kSecond, 3, false);  // sluiced restarted, the dataplane runs on
  EXPECT_FALSE(hold.held());
}

TEST(SyncJoinHold, NeverOutlastsJoinWaitPlusTheCountersDelay) {
  SyncJoinHold hold(3000);
  hold.update(kStart, 1, true);
  uint64_t end = kStart + 3 * kSecond + SyncJoinHold::kCountersDelayUs;
  hold.update(end - 1, 1, true);
  EXPECT_TRUE(hold.held());
  hold.update(end, 1, true);  // a dataplane whose counters never say it is over
  EXPECT_FALSE(hold.held());
  SyncJoinHold silent(3000);
  silent.update(kStart, 1, std::nullopt);
  silent.update(end, 1, std::nullopt);  // nor any counters at all
  EXPECT_FALSE(silent.held());
}

TEST(SyncJoinHold, ANewConnectionIsANewJoin) {
  SyncJoinHold hold(3000);
  hold.update(kStart, 1, false);
  EXPECT_FALSE(hold.held());
  // The dataplane restarted: the counters sluiced kept are the old one's until the new
  // one answers.
  uint64_t reconnect = kStart + 60 * kSecond;
  hold.update(reconnect, 2, std::nullopt);
  EXPECT_EQ(hold.reason(), kWaitingForCounters);
  hold.update(reconnect + kSecond, 2, true);
  EXPECT_EQ(hold.reason(), kWaitingForFlows);
  hold.update(reconnect + 3 * kSecond + SyncJoinHold::kCountersDelayUs, 2, true);
  EXPECT_FALSE(hold.held());
}

}  // namespace
}  // namespace sluice::sluiced
