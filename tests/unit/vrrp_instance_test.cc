// SPDX-License-Identifier: BSD-3-Clause
// The VRRPv3 state machine, one instance on a hand-driven clock: every transition of
// RFC 5798 §6.4 / RFC 9568 §6.4, the timers to the microsecond, and sluice's extensions
// (fault, priority delta, preempt_delay, preempt hold, re-announce).
#include <gtest/gtest.h>

#include <vector>

#include "health/clock.h"
#include "vrrp/instance.h"

namespace sluice::vrrp {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

const IpAddress kSelf = ip("10.0.0.2");
const IpAddress kLowerPeer = ip("10.0.0.1");   // loses equal-priority ties to kSelf
const IpAddress kHigherPeer = ip("10.0.0.3");  // wins them
const std::vector<IpAddress> kVips = {ip("10.0.0.100"), ip("10.0.0.101")};

constexpr uint64_t kSecond = 1'000'000;

Config config(uint8_t priority = 100) {
  Config c;
  c.vrid = 51;
  c.priority = priority;
  c.advert_interval_cs = 100;
  c.primary_address = kSelf;
  c.vips = kVips;
  return c;
}

Advert advert(uint8_t priority, uint16_t interval_cs = 100) {
  return Advert{51, priority, interval_cs, kVips};
}

std::vector<ActionKind> kinds(const std::vector<Action>& actions) {
  std::vector<ActionKind> k;
  for (const Action& a : actions) k.push_back(a.kind);
  return k;
}

using K = ActionKind;

class VrrpInstance : public ::testing::Test {
 protected:
  health::FakeClock clock{1000 * kSecond};
  uint64_t now() const { return clock.now_us(); }
  void at(uint64_t t) { clock.set_us(t); }
  uint64_t due(const Instance& vr) const { return vr.next_timeout_us().value_or(0); }

  // A Backup that took over after its Master_Down_Timer; the clock is at the takeover.
  Instance master(Config c) {
    Instance vr(std::move(c));
    vr.startup(now());
    at(due(vr));
    vr.step(now());
    EXPECT_EQ(vr.state(), State::kMaster);
    return vr;
  }
};

TEST(VrrpTimers, SkewAndMasterDownInterval) {
  // ((256 - 100) * 100 cs) / 256 = 60.9375 cs
  EXPECT_EQ(skew_time_us(100, 100), 609'375u);
  EXPECT_EQ(master_down_interval_us(100, 100), 3'609'375u);
  EXPECT_EQ(skew_time_us(200, 100), 218'750u);
  EXPECT_EQ(skew_time_us(254, 100), 7'812u);  // 7812.5 us, truncated
  EXPECT_EQ(skew_time_us(1, 100), 996'093u);
  EXPECT_EQ(skew_time_us(255, 1), 39u);  // stays distinct at the smallest interval
  EXPECT_EQ(skew_time_us(254, 1), 78u);
  EXPECT_EQ(master_down_interval_us(100, 4095), 3 * 40'950'000u + 24'953'906u);
}

TEST(VrrpConfig, Validates) {
  EXPECT_EQ(config().validate(), "");
  Config c = config();
  c.vrid = 0;
  EXPECT_EQ(c.validate(), "vrid must be 1..255");
  c = config(0);
  EXPECT_EQ(c.validate(), "priority must be 1..255 (0 is only sent to resign)");
  c = config();
  c.advert_interval_cs = 4096;
  EXPECT_EQ(c.validate(), "advert_interval must be 1..4095 centiseconds (10 ms .. 40.95 s)");
  c = config();
  c.vips.push_back(ip("2001:db8::1"));
  EXPECT_EQ(c.validate(),
            "virtual address 2001:db8::1 is not of the family of the primary address 10.0.0.2 "
            "(one instance per family, RFC 5798 5.2.9)");
  c = config();
  c.vips.clear();
  EXPECT_EQ(c.validate(), "at least one virtual address is needed");
  c = config();
  c.primary_address = {};
  EXPECT_EQ(c.validate(), "primary address is missing");
  c = config();
  c.garp_count = 0;
  EXPECT_EQ(c.validate(), "garp_count must be 1..100");
}

TEST_F(VrrpInstance, InitializeToBackup) {
  Instance vr(config());
  EXPECT_EQ(vr.state(), State::kInitialize);
  EXPECT_FALSE(vr.next_timeout_us());
  auto out = vr.startup(now());
  ASSERT_EQ(kinds(out), (std::vector{K::kBecomeBackup}));
  EXPECT_EQ(out[0].from, State::kInitialize);
  EXPECT_EQ(out[0].trigger, Trigger::kStartup);
  EXPECT_EQ(out[0].text(), "BACKUP (was INIT): startup");
  EXPECT_EQ(vr.state(), State::kBackup);
  EXPECT_EQ(vr.master_adver_interval_cs(), 100);
  EXPECT_EQ(vr.next_timeout_us(), now() + 3'609'375);
  EXPECT_FALSE(vr.master_address());
  EXPECT_TRUE(vr.startup(now()).empty()) << "only from Initialize";
}

TEST_F(VrrpInstance, OwnerGoesStraightToMaster) {
  Instance vr(config(255));
  auto out = vr.startup(now());
  ASSERT_EQ(kinds(out), (std::vector{K::kSendAdvert, K::kBecomeMaster, K::kSendGratuitous}));
  EXPECT_EQ(out[0].priority, 255);
  EXPECT_EQ(out[1].trigger, Trigger::kOwner);
  EXPECT_EQ(out[2].round, 1u);
  EXPECT_EQ(out[2].rounds, 5u);
  EXPECT_EQ(vr.state(), State::kMaster);
  EXPECT_EQ(vr.master_address(), kSelf);
  EXPECT_EQ(vr.next_timeout_us(), now() + kSecond);
}

TEST_F(VrrpInstance, BackupBecomesMasterExactlyAtMasterDownInterval) {
  Instance vr(config(100));
  uint64_t start = now();
  vr.startup(start);
  at(start + 3'609'375 - 1);
  EXPECT_TRUE(vr.step(now()).empty());
  EXPECT_EQ(vr.state(), State::kBackup);
  at(start + 3'609'375);
  auto out = vr.step(now());
  ASSERT_EQ(kinds(out), (std::vector{K::kSendAdvert, K::kBecomeMaster, K::kSendGratuitous}));
  EXPECT_EQ(out[0].priority, 100);
  EXPECT_EQ(out[1].from, State::kBackup);
  EXPECT_EQ(out[1].trigger, Trigger::kMasterDown);
  EXPECT_EQ(out[1].text(), "MASTER (was BACKUP): master down timer expired");
  EXPECT_EQ(out[2].cause, BurstCause::kTakeover);
  EXPECT_EQ(out[2].text(), "gratuitous ARP/NA round 1/5 (takeover)");
  EXPECT_EQ(vr.stats().became_master, 1u);
}

TEST_F(VrrpInstance, MasterAdvertisesEveryIntervalAndBurstsGratuitously) {
  Config c = config();
  c.advert_interval_cs = 100;
  c.garp_count = 3;
  c.garp_interval_ms = 300;
  Instance vr = master(c);
  uint64_t t0 = now();
  std::vector<std::pair<uint64_t, ActionKind>> seen;
  while (now() < t0 + 3 * kSecond) {
    at(due(vr));
    for (const Action& a : vr.step(now())) seen.push_back({now() - t0, a.kind});
  }
  std::vector<std::pair<uint64_t, ActionKind>> want = {
      {300'000, K::kSendGratuitous}, {600'000, K::kSendGratuitous}, {1'000'000, K::kSendAdvert},
      {2'000'000, K::kSendAdvert},   {3'000'000, K::kSendAdvert},
  };
  EXPECT_EQ(seen, want);
}

TEST_F(VrrpInstance, MasterYieldsToHigherPriority) {
  Instance vr = master(config(100));
  auto out = vr.on_advert(advert(200, 50), kLowerPeer, now());
  ASSERT_EQ(kinds(out), (std::vector{K::kSendAdvert, K::kBecomeBackup}));
  EXPECT_EQ(out[0].priority, 100) << "the yield advert";
  EXPECT_EQ(out[1].from, State::kMaster);
  EXPECT_EQ(out[1].trigger, Trigger::kPreempted);
  EXPECT_EQ(out[1].peer, kLowerPeer);
  EXPECT_EQ(out[1].text(), "BACKUP (was MASTER): preempted by 10.0.0.1 priority 200");
  EXPECT_EQ(vr.state(), State::kBackup);
  EXPECT_EQ(vr.master_address(), kLowerPeer);
  EXPECT_EQ(vr.master_priority(), 200);
  // §6.4.3: Master_Adver_Interval from the winner's advert (50 cs), then
  // 3 * 0.5 s + (156 * 50 / 256) cs = 1.5 s + 304687 us.
  EXPECT_EQ(vr.master_adver_interval_cs(), 50);
  EXPECT_EQ(vr.next_timeout_us(), now() + 1'804'687);
}

TEST_F(VrrpInstance, StrictRfcYieldSendsNothing) {
  Config c = config(100);
  c.yield_advert = false;
  Instance vr = master(c);
  EXPECT_EQ(kinds(vr.on_advert(advert(200), kLowerPeer, now())), (std::vector{K::kBecomeBackup}));
}

TEST_F(VrrpInstance, MasterStaysOnLowerPriorityAndReannounces) {
  Config c = config(200);
  c.garp_count = 2;
  c.garp_interval_ms = 100;
  Instance vr = master(c);
  at(now() + 500'000);  // the takeover burst is over
  vr.step(now());
  auto out = vr.on_advert(advert(100), kHigherPeer, now());
  ASSERT_EQ(kinds(out), (std::vector{K::kSendAdvert, K::kReannounce, K::kSendGratuitous}));
  EXPECT_EQ(out[0].priority, 200);
  EXPECT_EQ(out[1].peer, kHigherPeer);
  EXPECT_EQ(out[1].peer_priority, 100);
  EXPECT_EQ(out[1].text(), "re-announce: 10.0.0.3 priority 100 is also master");
  EXPECT_EQ(out[2].cause, BurstCause::kReannounce);
  EXPECT_EQ(out[2].text(), "gratuitous ARP/NA round 1/2 (re-announce)");
  EXPECT_EQ(vr.state(), State::kMaster);
  EXPECT_EQ(vr.stats().reannounces, 1u);
  // While the burst runs, another such advert gets the RFC 9568 advert only.
  EXPECT_EQ(kinds(vr.on_advert(advert(100), kHigherPeer, now() + 10)),
            (std::vector{K::kSendAdvert}));
  at(now() + 100'000);
  auto round2 = vr.step(now());
  ASSERT_EQ(kinds(round2), (std::vector{K::kSendGratuitous}));
  EXPECT_EQ(round2[0].round, 2u);
  EXPECT_EQ(kinds(vr.on_advert(advert(100), kHigherPeer, now())),
            (std::vector{K::kSendAdvert, K::kReannounce, K::kSendGratuitous}));
}

TEST_F(VrrpInstance, EqualPriorityHigherAddressWins) {
  Instance vr = master(config(100));
  auto out = vr.on_advert(advert(100), kHigherPeer, now());
  EXPECT_EQ(kinds(out), (std::vector{K::kSendAdvert, K::kBecomeBackup}));
  EXPECT_EQ(vr.state(), State::kBackup);
}

TEST_F(VrrpInstance, EqualPriorityLowerAddressLoses) {
  Config c = config(100);
  c.garp_count = 1;  // no burst running: the re-announce starts one
  Instance vr = master(c);
  auto out = vr.on_advert(advert(100), kLowerPeer, now());
  EXPECT_EQ(kinds(out), (std::vector{K::kSendAdvert, K::kReannounce, K::kSendGratuitous}));
  EXPECT_EQ(vr.state(), State::kMaster);
}

TEST_F(VrrpInstance, TieBreakIsUnsignedNetworkOrder) {
  Config c = config(100);
  c.primary_address = ip("10.0.0.127");
  c.vips = kVips;
  Instance vr = master(c);
  vr.on_advert(advert(100), ip("10.0.0.128"), now());  // 0x80 > 0x7f unsigned
  EXPECT_EQ(vr.state(), State::kBackup);

  Config c6 = config(100);
  c6.primary_address = ip("fe80::7f");
  c6.vips = {ip("fe80::1")};
  Instance v6 = master(c6);
  v6.on_advert(Advert{51, 100, 100, {ip("fe80::1")}}, ip("fe80::80"), now());
  EXPECT_EQ(v6.state(), State::kBackup);
}

TEST_F(VrrpInstance, BackupWithPreemptIgnoresLowerPriorityAndTakesOver) {
  Instance vr(config(200));
  uint64_t start = now();
  vr.startup(start);
  uint64_t down = master_down_interval_us(200, 100);  // 3.21875 s
  for (uint64_t t = start + kSecond / 2; t < start + down; t += kSecond) {
    at(t);
    EXPECT_TRUE(vr.on_advert(advert(100), kLowerPeer, now()).empty());
    EXPECT_EQ(vr.last_rx().verdict, RxVerdict::kLowerPriorityIgnored);
  }
  EXPECT_EQ(vr.next_timeout_us(), start + down) << "the lower adverts never reset the timer";
  at(start + down);
  EXPECT_EQ(kinds(vr.step(now())),
            (std::vector{K::kSendAdvert, K::kBecomeMaster, K::kSendGratuitous}));
}

TEST_F(VrrpInstance, BackupWithoutPreemptFollowsLowerPriorityMaster) {
  Config c = config(200);
  c.preempt = false;
  Instance vr(c);
  vr.startup(now());
  for (int i = 0; i < 20; ++i) {
    at(now() + kSecond);
    EXPECT_TRUE(vr.on_advert(advert(100), kLowerPeer, now()).empty());
    EXPECT_EQ(vr.last_rx().verdict, RxVerdict::kProcessed);
    EXPECT_TRUE(vr.step(now()).empty());
    EXPECT_EQ(vr.next_timeout_us(), now() + master_down_interval_us(200, 100));
  }
  EXPECT_EQ(vr.state(), State::kBackup);
  EXPECT_EQ(vr.master_address(), kLowerPeer);
  EXPECT_EQ(vr.master_priority(), 100);
}

TEST_F(VrrpInstance, OwnerAlwaysPreempts) {
  // An owner in Backup (it lost a 255 tie) preempts even with preempt = false.
  Config c = config(255);
  c.preempt = false;
  Instance vr(c);
  vr.startup(now());
  vr.on_advert(advert(255), kHigherPeer, now());
  ASSERT_EQ(vr.state(), State::kBackup);
  at(now() + kSecond);
  EXPECT_TRUE(vr.on_advert(advert(100), kHigherPeer, now()).empty());
  EXPECT_EQ(vr.last_rx().verdict, RxVerdict::kLowerPriorityIgnored);
}

TEST_F(VrrpInstance, PreemptDelayHoldsOffPreemptionAfterStartup) {
  Config c = config(200);
  c.preempt_delay_ms = 10'000;
  Instance vr(c);
  uint64_t start = now();
  vr.startup(start);
  uint64_t t = start;
  for (; t < start + 10 * kSecond; t += kSecond) {
    at(t);
    vr.on_advert(advert(100), kLowerPeer, now());
    EXPECT_EQ(vr.last_rx().verdict, RxVerdict::kProcessed) << (t - start);
    EXPECT_TRUE(vr.step(now()).empty());
  }
  uint64_t last_accepted = t - kSecond;
  // From start + 10 s the lower adverts are discarded; the timer set by the last one
  // accepted runs out.
  for (; t < last_accepted + master_down_interval_us(200, 100); t += kSecond) {
    at(t);
    vr.on_advert(advert(100), kLowerPeer, now());
    EXPECT_EQ(vr.last_rx().verdict, RxVerdict::kLowerPriorityIgnored);
    EXPECT_EQ(vr.state(), State::kBackup);
  }
  at(last_accepted + master_down_interval_us(200, 100));
  EXPECT_EQ(kinds(vr.step(now())),
            (std::vector{K::kSendAdvert, K::kBecomeMaster, K::kSendGratuitous}));
}

TEST_F(VrrpInstance, PreemptDelayNeverDelaysTakingOverFromADeadMaster) {
  Config c = config(200);
  c.preempt_delay_ms = 60'000;
  Instance vr(c);
  vr.startup(now());
  at(due(vr));
  vr.step(now());
  EXPECT_EQ(vr.state(), State::kMaster);
}

// The preempt hold (sluiced's, during a flow sync join): a Backup follows a live
// lower-priority Master for as long as it is held, and preempts once released.
TEST_F(VrrpInstance, PreemptHoldFollowsALowerPriorityMasterUntilReleased) {
  Instance vr(config(200));
  vr.set_preempt_hold(true);
  uint64_t start = now();
  vr.startup(start);
  uint64_t t = start;
  for (; t < start + 20 * kSecond; t += kSecond) {  // far beyond a Master_Down_Interval
    at(t);
    EXPECT_TRUE(vr.on_advert(advert(100), kLowerPeer, now()).empty());
    EXPECT_EQ(vr.last_rx().verdict, RxVerdict::kProcessed) << (t - start);
    EXPECT_TRUE(vr.step(now()).empty());
    EXPECT_EQ(vr.next_timeout_us(), now() + master_down_interval_us(200, 100));
  }
  EXPECT_EQ(vr.state(), State::kBackup);
  EXPECT_EQ(vr.master_address(), kLowerPeer);
  EXPECT_EQ(vr.master_priority(), 100);
  uint64_t last_accepted = t - kSecond;
  vr.set_preempt_hold(false);
  for (; t < last_accepted + master_down_interval_us(200, 100); t += kSecond) {
    at(t);
    vr.on_advert(advert(100), kLowerPeer, now());
    EXPECT_EQ(vr.last_rx().verdict, RxVerdict::kLowerPriorityIgnored);
    EXPECT_TRUE(vr.step(now()).empty());
  }
  at(last_accepted + master_down_interval_us(200, 100));
  auto out = vr.step(now());
  ASSERT_EQ(kinds(out), (std::vector{K::kSendAdvert, K::kBecomeMaster, K::kSendGratuitous}));
  EXPECT_EQ(out[1].trigger, Trigger::kMasterDown);
}

TEST_F(VrrpInstance, PreemptHoldNeverDelaysTakingOverWhenNoMasterIsHeard) {
  Instance vr(config(200));
  vr.set_preempt_hold(true);
  uint64_t start = now();
  vr.startup(start);
  at(start + master_down_interval_us(200, 100) - 1);
  EXPECT_TRUE(vr.step(now()).empty());
  at(start + master_down_interval_us(200, 100));
  auto out = vr.step(now());
  ASSERT_EQ(kinds(out), (std::vector{K::kSendAdvert, K::kBecomeMaster, K::kSendGratuitous}));
  EXPECT_EQ(out[1].trigger, Trigger::kMasterDown);
  EXPECT_TRUE(vr.preempt_hold()) << "held or not, a node alone takes over";
}

TEST_F(VrrpInstance, PreemptHoldMakesAnOwnerStartAsBackup) {
  Config c = config(255);
  Instance vr(c);
  vr.set_preempt_hold(true);
  auto out = vr.startup(now());
  ASSERT_EQ(kinds(out), (std::vector{K::kBecomeBackup}));
  EXPECT_EQ(vr.next_timeout_us(), now() + master_down_interval_us(255, 100));
  at(now() + kSecond);
  EXPECT_TRUE(vr.on_advert(advert(100), kLowerPeer, now()).empty());
  EXPECT_EQ(vr.last_rx().verdict, RxVerdict::kProcessed);
  EXPECT_EQ(vr.master_address(), kLowerPeer);
  // Released: an owner always preempts.
  vr.set_preempt_hold(false);
  uint64_t last_accepted = now();
  at(now() + kSecond);
  vr.on_advert(advert(100), kLowerPeer, now());
  EXPECT_EQ(vr.last_rx().verdict, RxVerdict::kLowerPriorityIgnored);
  at(last_accepted + master_down_interval_us(255, 100));
  EXPECT_EQ(kinds(vr.step(now())),
            (std::vector{K::kSendAdvert, K::kBecomeMaster, K::kSendGratuitous}));
  // A fault cleared while held starts it over as Backup too.
  vr.set_fault(true, now());
  vr.set_preempt_hold(true);
  EXPECT_EQ(kinds(vr.set_fault(false, now())), (std::vector{K::kBecomeBackup}));
}

TEST_F(VrrpInstance, PreemptHoldNeverDemotesAMaster) {
  Instance vr = master(config(150));
  vr.set_preempt_hold(true);
  at(now() + kSecond / 10);
  auto out = vr.on_advert(advert(100), kLowerPeer, now());
  EXPECT_EQ(vr.state(), State::kMaster) << "a lower Master is answered, as without the hold";
  EXPECT_EQ(out.front().kind, K::kSendAdvert);
  EXPECT_EQ(out.front().priority, 150);
  at(now() + kSecond / 10);
  vr.on_advert(advert(200), kHigherPeer, now());
  EXPECT_EQ(vr.state(), State::kBackup) << "a higher one preempts it, as without the hold";
}

TEST_F(VrrpInstance, ResignMakesTheBackupTakeOverAfterSkewTimeOnly) {
  Instance vr(config(100));
  vr.startup(now());
  at(now() + kSecond);
  vr.on_advert(advert(200), kHigherPeer, now());
  at(now() + 300'000);
  EXPECT_TRUE(vr.on_advert(advert(0), kHigherPeer, now()).empty());
  EXPECT_EQ(vr.stats().resigns_received, 1u);
  uint64_t resigned = now();
  EXPECT_EQ(vr.next_timeout_us(), resigned + 609'375);
  at(resigned + 609'374);
  EXPECT_TRUE(vr.step(now()).empty());
  at(resigned + 609'375);
  auto out = vr.step(now());
  ASSERT_EQ(kinds(out), (std::vector{K::kSendAdvert, K::kBecomeMaster, K::kSendGratuitous}));
  EXPECT_EQ(out[1].trigger, Trigger::kMasterDown);
}

TEST_F(VrrpInstance, BackupLearnsTheMastersAdvertInterval) {
  Instance vr(config(100));
  vr.startup(now());
  at(now() + kSecond);
  vr.on_advert(advert(200, 200), kHigherPeer, now());
  EXPECT_EQ(vr.master_adver_interval_cs(), 200);
  EXPECT_EQ(vr.skew_time_us(), 1'218'750u);  // (156 * 200 / 256) cs
  EXPECT_EQ(vr.master_down_interval_us(), 7'218'750u);
  EXPECT_EQ(vr.next_timeout_us(), now() + 7'218'750);
  // Its own adverts keep its own interval.
  EXPECT_EQ(vr.advert(100).max_adver_int_cs, 100);
  // A later Master with a faster interval is learnt too.
  at(now() + kSecond);
  vr.on_advert(advert(150, 10), kLowerPeer, now());
  EXPECT_EQ(vr.master_adver_interval_cs(), 10);
  EXPECT_EQ(vr.next_timeout_us(), now() + 300'000 + 60'937);
}

TEST_F(VrrpInstance, MasterAnswersAResignWithAnAdvert) {
  Config c = config(100);
  c.garp_count = 1;
  Instance vr = master(c);
  at(now() + 400'000);
  auto out = vr.on_advert(advert(0), kHigherPeer, now());
  ASSERT_EQ(kinds(out), (std::vector{K::kSendAdvert}));
  EXPECT_EQ(out[0].priority, 100);
  EXPECT_EQ(vr.state(), State::kMaster);
  vr.step(now());
  EXPECT_EQ(vr.next_timeout_us(), now() + kSecond) << "Adver_Timer reset";
}

TEST_F(VrrpInstance, ShutdownOfAMasterResigns) {
  Instance vr = master(config(100));
  auto out = vr.shutdown(now());
  ASSERT_EQ(kinds(out), (std::vector{K::kSendAdvert, K::kBecomeInitialize}));
  EXPECT_EQ(out[0].priority, 0);
  EXPECT_EQ(out[1].from, State::kMaster);
  EXPECT_EQ(out[1].trigger, Trigger::kShutdown);
  EXPECT_EQ(vr.state(), State::kInitialize);
  EXPECT_FALSE(vr.next_timeout_us());
  EXPECT_EQ(vr.stats().resigns_sent, 1u);
  EXPECT_TRUE(vr.shutdown(now()).empty());
  EXPECT_TRUE(vr.on_advert(advert(200), kHigherPeer, now()).empty());
  EXPECT_EQ(vr.last_rx().verdict, RxVerdict::kNotRunning);
}

TEST_F(VrrpInstance, ShutdownOfABackupIsSilent) {
  Instance vr(config(100));
  vr.startup(now());
  EXPECT_EQ(kinds(vr.shutdown(now())), (std::vector{K::kBecomeInitialize}));
  EXPECT_FALSE(vr.next_timeout_us());
  // And it can start again.
  EXPECT_EQ(kinds(vr.startup(now())), (std::vector{K::kBecomeBackup}));
}

TEST_F(VrrpInstance, FaultMakesAMasterResignAndClearingStartsOver) {
  Instance vr = master(config(100));
  auto out = vr.set_fault(true, now());
  ASSERT_EQ(kinds(out), (std::vector{K::kSendAdvert, K::kBecomeFault}));
  EXPECT_EQ(out[0].priority, 0);
  EXPECT_EQ(out[1].text(), "FAULT (was MASTER): fault");
  EXPECT_EQ(vr.state(), State::kFault);
  EXPECT_FALSE(vr.next_timeout_us());
  EXPECT_TRUE(vr.on_advert(advert(50), kHigherPeer, now()).empty());
  EXPECT_EQ(vr.last_rx().verdict, RxVerdict::kNotRunning);
  EXPECT_TRUE(vr.set_fault(true, now()).empty());

  at(now() + 5 * kSecond);
  out = vr.set_fault(false, now());
  ASSERT_EQ(kinds(out), (std::vector{K::kBecomeBackup}));
  EXPECT_EQ(out[0].trigger, Trigger::kFaultCleared);
  EXPECT_EQ(vr.next_timeout_us(), now() + 3'609'375);
}

TEST_F(VrrpInstance, FaultBeforeStartup) {
  Instance vr(config(255));
  EXPECT_TRUE(vr.set_fault(true, now()).empty());
  auto out = vr.startup(now());
  ASSERT_EQ(kinds(out), (std::vector{K::kBecomeFault}));
  EXPECT_EQ(out[0].from, State::kInitialize);
  out = vr.set_fault(false, now());
  EXPECT_EQ(kinds(out), (std::vector{K::kSendAdvert, K::kBecomeMaster, K::kSendGratuitous}));
  EXPECT_EQ(out[1].trigger, Trigger::kFaultCleared);
}

TEST_F(VrrpInstance, PriorityDelta) {
  Instance vr = master(config(100));
  at(now() + 200'000);
  auto out = vr.set_priority_delta(-30, now());
  ASSERT_EQ(kinds(out), (std::vector{K::kSendAdvert}));
  EXPECT_EQ(out[0].priority, 70);
  EXPECT_EQ(vr.priority(), 70);
  EXPECT_TRUE(vr.set_priority_delta(-30, now()).empty()) << "unchanged";
  EXPECT_EQ(vr.set_priority_delta(-500, now())[0].priority, 1);
  EXPECT_EQ(vr.set_priority_delta(+500, now())[0].priority, 254);
  EXPECT_EQ(vr.set_priority_delta(0, now())[0].priority, 100);
  // A lowered Master now loses to a peer it used to beat.
  vr.set_priority_delta(-30, now());
  vr.on_advert(advert(80), kLowerPeer, now());
  EXPECT_EQ(vr.state(), State::kBackup);
  // A Backup's skew follows its priority.
  EXPECT_EQ(vr.skew_time_us(), skew_time_us(70, 100));

  Instance owner(config(255));
  EXPECT_TRUE(owner.set_priority_delta(-100, now()).empty());
  EXPECT_EQ(owner.priority(), 255);
}

TEST_F(VrrpInstance, IgnoresAdvertsThatAreNotForIt) {
  Instance vr(config(100));
  vr.startup(now());
  uint64_t down = due(vr);
  Advert other = advert(200);
  other.vrid = 52;
  EXPECT_TRUE(vr.on_advert(other, kHigherPeer, now()).empty());
  EXPECT_EQ(vr.last_rx().verdict, RxVerdict::kWrongVrid);
  vr.on_advert(Advert{51, 200, 100, {ip("2001:db8::1")}}, ip("fe80::3"), now());
  EXPECT_EQ(vr.last_rx().verdict, RxVerdict::kWrongFamily);
  vr.on_advert(advert(200), kSelf, now());
  EXPECT_EQ(vr.last_rx().verdict, RxVerdict::kOwnAdvert);
  vr.on_advert(advert(200, 0), kHigherPeer, now());
  EXPECT_EQ(vr.last_rx().verdict, RxVerdict::kZeroInterval);
  EXPECT_EQ(due(vr), down);
  EXPECT_EQ(vr.stats().adverts_ignored, 4u);
  EXPECT_STREQ(rx_verdict_name(RxVerdict::kWrongVrid), "wrong VRID");
}

TEST_F(VrrpInstance, FlagsAnAddressListMismatchButUsesTheAdvert) {
  Instance vr(config(100));
  vr.startup(now());
  Advert reordered = advert(200);
  std::swap(reordered.addresses[0], reordered.addresses[1]);
  vr.on_advert(reordered, kHigherPeer, now());
  EXPECT_FALSE(vr.last_rx().addresses_differ) << "order does not matter";
  EXPECT_TRUE(vr.last_rx().addresses.empty());
  Advert different{51, 200, 100, {ip("10.0.0.100")}};
  at(now() + kSecond);
  vr.on_advert(different, kHigherPeer, now());
  EXPECT_TRUE(vr.last_rx().addresses_differ);
  // The advertised list, for the log line (both lists, RFC 5798 7.1).
  EXPECT_EQ(vr.last_rx().addresses, different.addresses);
  EXPECT_EQ(address_list_text(vr.last_rx().addresses), "10.0.0.100");
  EXPECT_EQ(address_list_text(vr.config().vips), "10.0.0.100 10.0.0.101");
  EXPECT_EQ(vr.last_rx().verdict, RxVerdict::kProcessed);
  EXPECT_EQ(vr.next_timeout_us(), now() + 3'609'375);
  EXPECT_EQ(vr.stats().address_mismatches, 1u);
}

TEST_F(VrrpInstance, AnAddressCarriedByTwoVipsIsOneVirtualAddress) {
  // configs/foobar.toml's shape: www (tcp/80) and www-tls (tcp/443) on one address.
  // keepalived drops adverts that list an address twice ("unexpected ip number count").
  Config c = config(100);
  c.vips = {ip("10.0.0.100"), ip("10.0.0.101"), ip("10.0.0.100"), ip("10.0.0.101")};
  Instance vr(c);
  EXPECT_EQ(vr.config().vips, kVips) << "each address once, in the order first written";
  vr.startup(now());
  vr.on_advert(advert(200), kHigherPeer, now());
  EXPECT_FALSE(vr.last_rx().addresses_differ);
}

TEST_F(VrrpInstance, OwnersListenToOtherOwners) {
  // RFC 9568 erratum 8298: two routers claiming 255 converge on the higher address.
  Instance vr(config(255));
  vr.startup(now());
  vr.on_advert(advert(255), kHigherPeer, now());
  EXPECT_EQ(vr.state(), State::kBackup);
}

TEST_F(VrrpInstance, AdvertCarriesTheConfiguration) {
  Instance vr(config(100));
  EXPECT_EQ(vr.advert(0), (Advert{51, 0, 100, kVips}));
}

}  // namespace
}  // namespace sluice::vrrp
