// SPDX-License-Identifier: BSD-3-Clause
// The announcement state machine (controlplane/announce/announcer.h) with a fake clock.
#include "announce/announcer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sluice::announce {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Kind = Change::Kind;

constexpr uint64_t kDrainUs = 5'000'000;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

VipInput vip(const char* name, const char* address, uint32_t serving = 2) {
  VipInput v;
  v.name = name;
  v.address = ip(address);
  v.serving_backends = serving;
  v.in_dataplane = true;
  return v;
}

Inputs healthy(std::vector<VipInput> vips) {
  Inputs in;
  in.dataplane_up = true;
  in.checks_settled = true;
  in.vips = std::move(vips);
  return in;
}

Change announce(const char* name, const char* address, uint32_t med = 0) {
  return {Kind::kAnnounce, name, ip(address), med};
}
Change withdraw(const char* name, const char* address, uint32_t med = 0) {
  return {Kind::kWithdraw, name, ip(address), med};
}

class AnnouncerTest : public ::testing::Test {
 protected:
  health::FakeClock clock_;
  Announcer a_{clock_, kDrainUs};
};

TEST_F(AnnouncerTest, AnnouncesAServableVipOnceAndKeepsItsSince) {
  Inputs in = healthy({vip("www", "10.0.0.100"), vip("www6", "fd00::100")});
  EXPECT_THAT(a_.update(in),
              ElementsAre(announce("www", "10.0.0.100"), announce("www6", "fd00::100")));
  const uint64_t t0 = clock_.now_us();
  clock_.advance_ms(700);
  EXPECT_THAT(a_.update(in), IsEmpty()) << "nothing changed: no route change";
  ASSERT_NE(a_.find("www"), nullptr);
  EXPECT_TRUE(a_.find("www")->announced);
  EXPECT_EQ(a_.find("www")->reason, Reason::kServing);
  EXPECT_EQ(a_.find("www")->since_us, t0);
}

TEST_F(AnnouncerTest, WithdrawsBelowMinHealthyInTheSameUpdateAndAnnouncesAgain) {
  VipInput www = vip("www", "10.0.0.100", 2);
  www.min_healthy = 2;
  a_.update(healthy({www}));
  clock_.advance_ms(300);
  www.serving_backends = 1;
  EXPECT_THAT(a_.update(healthy({www})), ElementsAre(withdraw("www", "10.0.0.100")));
  EXPECT_EQ(a_.find("www")->reason, Reason::kTooFewBackends);
  EXPECT_EQ(a_.find("www")->since_us, clock_.now_us());
  www.serving_backends = 0;
  EXPECT_THAT(a_.update(healthy({www})), IsEmpty());
  clock_.advance_ms(300);
  www.serving_backends = 2;
  EXPECT_THAT(a_.update(healthy({www})), ElementsAre(announce("www", "10.0.0.100")));
  EXPECT_EQ(a_.find("www")->since_us, clock_.now_us());
}

TEST_F(AnnouncerTest, DefaultMinHealthyIsOneServingBackend) {
  EXPECT_THAT(a_.update(healthy({vip("www", "10.0.0.100", 1)})),
              ElementsAre(announce("www", "10.0.0.100")));
  EXPECT_THAT(a_.update(healthy({vip("www", "10.0.0.100", 0)})),
              ElementsAre(withdraw("www", "10.0.0.100")));
}

TEST_F(AnnouncerTest, NothingIsAnnouncedWithoutTheDataplaneOrBeforeChecksSettle) {
  Inputs in = healthy({vip("www", "10.0.0.100")});
  in.checks_settled = false;
  EXPECT_THAT(a_.update(in), IsEmpty());
  EXPECT_EQ(a_.find("www")->reason, Reason::kChecksSettling);
  in.checks_settled = true;
  EXPECT_THAT(a_.update(in), ElementsAre(announce("www", "10.0.0.100")));
  in.dataplane_up = false;
  EXPECT_THAT(a_.update(in), ElementsAre(withdraw("www", "10.0.0.100")));
  EXPECT_EQ(a_.find("www")->reason, Reason::kDataplaneDown);
}

TEST_F(AnnouncerTest, NothingIsAnnouncedWhileTheDataplaneWaitsForItsPeersFlows) {
  Inputs in = healthy({vip("www", "10.0.0.100"), vip("api", "10.0.0.101")});
  in.sync_joining = true;
  EXPECT_THAT(a_.update(in), IsEmpty());
  EXPECT_EQ(a_.find("www")->reason, Reason::kSyncJoining);
  EXPECT_EQ(to_string(a_.find("api")->reason), "waiting for the peers' flows (flow sync join)");
  in.sync_joining = false;
  EXPECT_THAT(a_.update(in),
              ElementsAre(announce("www", "10.0.0.100"), announce("api", "10.0.0.101")));
}

TEST_F(AnnouncerTest, AVipTheDataplaneDoesNotRunIsNotAnnounced) {
  VipInput www = vip("www", "10.0.0.100");
  www.in_dataplane = false;  // not pushed yet, or inactive (VRRP backup)
  EXPECT_THAT(a_.update(healthy({www})), IsEmpty());
  EXPECT_EQ(a_.find("www")->reason, Reason::kNotInDataplane);
}

TEST_F(AnnouncerTest, PinsWithdrawAndSayWhoPinned) {
  VipInput www = vip("www", "10.0.0.100");
  a_.update(healthy({www}));
  www.pinned_by_operator = true;
  EXPECT_THAT(a_.update(healthy({www})), ElementsAre(withdraw("www", "10.0.0.100")));
  EXPECT_EQ(a_.find("www")->reason, Reason::kPinnedOperator);
  www.pinned_by_config = true;
  a_.update(healthy({www}));
  EXPECT_EQ(a_.find("www")->reason, Reason::kPinnedConfig);
  www.pinned_by_config = www.pinned_by_operator = false;
  EXPECT_THAT(a_.update(healthy({www})), ElementsAre(announce("www", "10.0.0.100")));
}

TEST_F(AnnouncerTest, MaintenanceWithdrawsEverythingAtOnceAndDrainsAfterDrainTime) {
  Inputs in = healthy({vip("a", "10.0.0.1"), vip("b", "10.0.0.2"), vip("c", "fd00::3")});
  a_.update(in);
  EXPECT_FALSE(a_.drained()) << "a ready node is never drained";
  clock_.advance_ms(1000);
  ASSERT_TRUE(a_.set_mode(NodeMode::kMaint));
  EXPECT_THAT(a_.update(in), ElementsAre(withdraw("a", "10.0.0.1"), withdraw("b", "10.0.0.2"),
                                         withdraw("c", "fd00::3")));
  for (const VipStatus& s : a_.vips()) EXPECT_EQ(s.reason, Reason::kNodeMaint);
  clock_.advance_ms(4999);
  EXPECT_FALSE(a_.drained()) << "the routers may still send flows";
  clock_.advance_ms(1);
  EXPECT_TRUE(a_.drained());
  ASSERT_TRUE(a_.set_mode(NodeMode::kReady));
  EXPECT_FALSE(a_.drained());
  EXPECT_THAT(a_.update(in), ElementsAre(announce("a", "10.0.0.1"), announce("b", "10.0.0.2"),
                                         announce("c", "fd00::3")));
}

TEST_F(AnnouncerTest, StoppingIsFinalAndKeepsADrainAlreadyRunning) {
  Inputs in = healthy({vip("www", "10.0.0.100")});
  a_.update(in);
  a_.set_mode(NodeMode::kMaint);
  a_.update(in);
  clock_.advance_ms(3000);
  a_.set_mode(NodeMode::kStopping);
  EXPECT_THAT(a_.update(in), IsEmpty()) << "already withdrawn by maint";
  EXPECT_EQ(a_.find("www")->reason, Reason::kNodeStopping);
  clock_.advance_ms(2000);
  EXPECT_TRUE(a_.drained()) << "maint's 3 s count towards the 5 s drain";
  EXPECT_FALSE(a_.set_mode(NodeMode::kReady));
  EXPECT_EQ(a_.mode(), NodeMode::kStopping);
  EXPECT_THAT(a_.update(in), IsEmpty());
}

TEST_F(AnnouncerTest, StoppingFromReadyWithdrawsAndWaitsTheWholeDrain) {
  Inputs in = healthy({vip("www", "10.0.0.100")});
  a_.update(in);
  a_.set_mode(NodeMode::kStopping);
  EXPECT_FALSE(a_.drained()) << "the VIP is still announced until the next update";
  EXPECT_THAT(a_.update(in), ElementsAre(withdraw("www", "10.0.0.100")));
  clock_.advance_ms(4900);
  EXPECT_FALSE(a_.drained());
  clock_.advance_ms(100);
  EXPECT_TRUE(a_.drained());
}

TEST_F(AnnouncerTest, ARemovedVipIsWithdrawnAndAMovedOneReplaced) {
  a_.update(healthy({vip("a", "10.0.0.1"), vip("b", "10.0.0.2")}));
  EXPECT_THAT(
      a_.update(healthy({vip("b", "10.0.0.9")})),
      ElementsAre(withdraw("b", "10.0.0.2"), withdraw("a", "10.0.0.1"), announce("b", "10.0.0.9")));
  EXPECT_EQ(a_.find("a"), nullptr);
}

TEST_F(AnnouncerTest, AMedChangeReannouncesWithTheNewMed) {
  VipInput www = vip("www", "10.0.0.100");
  www.med = 10;
  EXPECT_THAT(a_.update(healthy({www})), ElementsAre(announce("www", "10.0.0.100", 10)));
  const uint64_t t0 = clock_.now_us();
  clock_.advance_ms(100);
  www.med = 20;
  EXPECT_THAT(a_.update(healthy({www})), ElementsAre(announce("www", "10.0.0.100", 20)));
  EXPECT_EQ(a_.find("www")->since_us, t0) << "still announced all along";
}

TEST(AnnouncerNames, EveryReasonAndModeHasAPhrase) {
  for (Reason r :
       {Reason::kServing, Reason::kNodeMaint, Reason::kNodeStopping, Reason::kPinnedConfig,
        Reason::kPinnedOperator, Reason::kDataplaneDown, Reason::kChecksSettling,
        Reason::kSyncJoining, Reason::kNotInDataplane, Reason::kTooFewBackends})
    EXPECT_NE(to_string(r), "?");
  EXPECT_EQ(to_string(NodeMode::kMaint), "maint");
}

}  // namespace
}  // namespace sluice::announce
