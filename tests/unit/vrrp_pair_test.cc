// SPDX-License-Identifier: BSD-3-Clause
// Two VRRP instances on one fake link: every advert one sends is encoded, carried to the
// other after a small delay, decoded and handed to it, on one fake clock. The link can
// be cut (split brain) and healed.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <deque>
#include <vector>

#include "health/clock.h"
#include "vrrp/instance.h"
#include "vrrp/packet.h"

namespace sluice::vrrp {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

constexpr uint64_t kSecond = 1'000'000;
const std::vector<IpAddress> kVips = {ip("10.0.0.100")};

Config node_config(const char* address, uint8_t priority) {
  Config c;
  c.vrid = 51;
  c.priority = priority;
  c.primary_address = ip(address);
  c.vips = kVips;
  c.garp_count = 3;
  c.garp_interval_ms = 500;
  return c;
}

struct Logged {
  uint64_t at;
  Action action;
};

class Link {
 public:
  Link(Config a, Config b) : nodes_{Instance(std::move(a)), Instance(std::move(b))} {}

  Instance& node(int i) { return nodes_[i]; }
  const std::vector<Logged>& log(int i) const { return logs_[i]; }
  uint64_t now() const { return clock_.now_us(); }
  void cut() { up_ = false; }
  void heal() { up_ = true; }

  void startup(int i) { run(i, nodes_[i].startup(now())); }
  void shutdown(int i) { run(i, nodes_[i].shutdown(now())); }
  void set_fault(int i, bool f) { run(i, nodes_[i].set_fault(f, now())); }
  void set_priority_delta(int i, int d) { run(i, nodes_[i].set_priority_delta(d, now())); }
  void set_preempt_hold(int i, bool hold) { nodes_[i].set_preempt_hold(hold); }

  // Runs every timer and delivery up to and including `until`, in time order.
  void run_until(uint64_t until) {
    for (;;) {
      uint64_t next = UINT64_MAX;
      for (Instance& n : nodes_)
        if (auto t = n.next_timeout_us()) next = std::min(next, *t);
      if (!wire_.empty()) next = std::min(next, wire_.front().at);
      if (next > until) break;
      clock_.set_us(std::max(next, now()));
      while (!wire_.empty() && wire_.front().at <= now()) {
        InFlight p = std::move(wire_.front());
        wire_.pop_front();
        const IpAddress& source = nodes_[1 - p.to].config().primary_address;
        ReceivedIp rx{source, group(source), 255};
        DecodeResult d = decode(p.bytes, rx);
        ASSERT_TRUE(d.ok()) << d.text();
        run(p.to, nodes_[p.to].on_advert(d.advert, rx.source, now()));
      }
      for (int i = 0; i < 2; ++i) run(i, nodes_[i].step(now()));
    }
    clock_.set_us(std::max(until, now()));
  }
  void run_for(uint64_t us) { run_until(now() + us); }

  int masters() const {
    return int(std::count_if(nodes_.begin(), nodes_.end(),
                             [](const Instance& n) { return n.state() == State::kMaster; }));
  }
  // How many re-announce bursts node i started since `since`.
  int reannounces(int i, uint64_t since = 0) const {
    int n = 0;
    for (const Logged& l : logs_[i])
      if (l.at >= since && l.action.kind == ActionKind::kSendGratuitous &&
          l.action.cause == BurstCause::kReannounce && l.action.round == 1)
        ++n;
    return n;
  }
  std::vector<uint8_t> sent_priorities(int i, uint64_t since) const {
    std::vector<uint8_t> p;
    for (const Logged& l : logs_[i])
      if (l.at >= since && l.action.kind == ActionKind::kSendAdvert) p.push_back(l.action.priority);
    return p;
  }
  uint64_t last_transition(int i, ActionKind kind) const {
    for (auto it = logs_[i].rbegin(); it != logs_[i].rend(); ++it)
      if (it->action.kind == kind) return it->at;
    return 0;
  }

 private:
  static IpAddress group(const IpAddress& source) {
    return source.is_v4() ? multicast_group_v4() : multicast_group_v6();
  }

  struct InFlight {
    uint64_t at;
    int to;
    std::vector<uint8_t> bytes;
  };

  void run(int from, const std::vector<Action>& actions) {
    for (const Action& a : actions) {
      logs_[from].push_back({now(), a});
      if (a.kind != ActionKind::kSendAdvert || !up_) continue;
      const Instance& n = nodes_[from];
      wire_.push_back({now() + kDelay, 1 - from,
                       encode(n.advert(a.priority), n.config().primary_address,
                              group(n.config().primary_address))});
    }
  }

  static constexpr uint64_t kDelay = 200;  // us on the wire
  health::FakeClock clock_{0};
  std::array<Instance, 2> nodes_;
  std::array<std::vector<Logged>, 2> logs_;
  std::deque<InFlight> wire_;
  bool up_ = true;
};

constexpr int A = 0;  // 10.0.0.2, priority 200
constexpr int B = 1;  // 10.0.0.3, priority 100

class VrrpPair : public ::testing::Test {
 protected:
  Link link{node_config("10.0.0.2", 200), node_config("10.0.0.3", 100)};

  void converge() {
    link.startup(A);
    link.startup(B);
    link.run_for(10 * kSecond);
    ASSERT_EQ(link.node(A).state(), State::kMaster);
    ASSERT_EQ(link.node(B).state(), State::kBackup);
  }
};

TEST_F(VrrpPair, HigherPriorityBecomesMasterFirst) {
  link.startup(A);
  link.startup(B);
  link.run_for(10 * kSecond);
  EXPECT_EQ(link.node(A).state(), State::kMaster);
  EXPECT_EQ(link.node(B).state(), State::kBackup);
  // A's Master_Down_Interval (3 s + 218750 us) ends before B's (3 s + 609375 us).
  EXPECT_EQ(link.last_transition(A, ActionKind::kBecomeMaster), 3'218'750u);
  EXPECT_EQ(link.node(B).master_address(), ip("10.0.0.2"));
  EXPECT_EQ(link.node(B).stats().became_master, 0u);
}

TEST_F(VrrpPair, HigherPriorityStartingLaterPreempts) {
  link.startup(B);
  link.run_for(10 * kSecond);
  ASSERT_EQ(link.node(B).state(), State::kMaster);
  uint64_t start = link.now();
  link.startup(A);
  link.run_for(10 * kSecond);
  EXPECT_EQ(link.masters(), 1);
  EXPECT_EQ(link.node(A).state(), State::kMaster);
  // A ignores B's lower adverts, so its first Master_Down_Interval runs out.
  EXPECT_EQ(link.last_transition(A, ActionKind::kBecomeMaster), start + 3'218'750);
  EXPECT_EQ(link.last_transition(B, ActionKind::kBecomeBackup), start + 3'218'750 + 200);
}

TEST_F(VrrpPair, NoPreemptLeavesTheLowerPriorityMaster) {
  Config a = node_config("10.0.0.2", 200);
  a.preempt = false;
  Link l(a, node_config("10.0.0.3", 100));
  l.startup(B);
  l.run_for(10 * kSecond);
  l.startup(A);
  l.run_for(60 * kSecond);
  EXPECT_EQ(l.node(B).state(), State::kMaster);
  EXPECT_EQ(l.node(A).state(), State::kBackup);
}

// sluiced's flow sync join: A comes back while B carries the traffic; held, A leaves B
// Master until the join ends, then preempts after one Master_Down_Interval.
TEST_F(VrrpPair, AHeldNodeLeavesTheLowerPriorityMasterUntilReleased) {
  link.startup(B);
  link.run_for(10 * kSecond);
  ASSERT_EQ(link.node(B).state(), State::kMaster);
  link.set_preempt_hold(A, true);
  link.startup(A);
  link.run_for(30 * kSecond);
  EXPECT_EQ(link.node(B).state(), State::kMaster);
  EXPECT_EQ(link.node(A).state(), State::kBackup);
  EXPECT_EQ(link.node(A).master_address(), ip("10.0.0.3"));
  uint64_t last_heard = link.last_transition(B, ActionKind::kSendAdvert) + 200;
  link.set_preempt_hold(A, false);
  link.run_for(10 * kSecond);
  EXPECT_EQ(link.masters(), 1);
  EXPECT_EQ(link.node(A).state(), State::kMaster);
  EXPECT_EQ(link.last_transition(A, ActionKind::kBecomeMaster), last_heard + 3'218'750);
}

// Held, a node whose peer is dead still takes over: nobody else carries the VIP.
TEST_F(VrrpPair, AHeldNodeTakesOverWhenThePeerIsDead) {
  converge();
  link.shutdown(B);
  link.shutdown(A);
  link.run_for(kSecond);
  link.cut();
  uint64_t start = link.now();
  link.set_preempt_hold(A, true);
  link.startup(A);
  link.run_for(10 * kSecond);
  EXPECT_EQ(link.node(A).state(), State::kMaster);
  EXPECT_EQ(link.last_transition(A, ActionKind::kBecomeMaster), start + 3'218'750);
}

TEST_F(VrrpPair, ShutdownHandsOverAfterSkewTime) {
  converge();
  uint64_t t = link.now();
  link.shutdown(A);
  link.run_for(5 * kSecond);
  EXPECT_EQ(link.node(B).state(), State::kMaster);
  // Priority 0 arrives 200 us later; B waits its Skew_Time, not a Master_Down_Interval.
  EXPECT_EQ(link.last_transition(B, ActionKind::kBecomeMaster), t + 200 + 609'375);
}

TEST_F(VrrpPair, MasterDeathIsNoticedAfterMasterDownInterval) {
  converge();
  uint64_t last_sent = link.last_transition(A, ActionKind::kSendAdvert);
  link.cut();  // A's adverts stop reaching B: as if A died
  link.run_for(10 * kSecond);
  EXPECT_EQ(link.node(B).state(), State::kMaster);
  EXPECT_EQ(link.last_transition(B, ActionKind::kBecomeMaster), last_sent + 200 + 3'609'375);
}

TEST_F(VrrpPair, FaultOnTheMasterHandsOverAfterSkewTime) {
  converge();
  uint64_t t = link.now();
  link.set_fault(A, true);
  link.run_for(5 * kSecond);
  EXPECT_EQ(link.node(A).state(), State::kFault);
  EXPECT_EQ(link.node(B).state(), State::kMaster);
  EXPECT_EQ(link.last_transition(B, ActionKind::kBecomeMaster), t + 200 + 609'375);
  // A comes back, waits as Backup, and preempts B again.
  link.set_fault(A, false);
  link.run_for(10 * kSecond);
  EXPECT_EQ(link.node(A).state(), State::kMaster);
  EXPECT_EQ(link.node(B).state(), State::kBackup);
  EXPECT_EQ(link.masters(), 1);
}

TEST_F(VrrpPair, LoweredPriorityLetsThePeerPreempt) {
  converge();
  uint64_t t = link.now();
  link.set_priority_delta(A, -150);  // a tracked backend pool failed: 200 -> 50
  EXPECT_EQ(link.sent_priorities(A, t), (std::vector<uint8_t>{50}));
  link.run_for(10 * kSecond);
  EXPECT_EQ(link.node(B).state(), State::kMaster);
  EXPECT_EQ(link.node(A).state(), State::kBackup);
  // B discards A's priority-50 adverts; the timer reset by A's last priority-200 advert
  // (at most one interval before t) runs out: B's Master_Down_Interval.
  uint64_t took_over = link.last_transition(B, ActionKind::kBecomeMaster);
  EXPECT_GT(took_over, t + 2 * kSecond);
  EXPECT_LE(took_over, t + 3'609'375);
  // A's tracker recovers; B keeps sending 100, A at 200 preempts.
  link.set_priority_delta(A, 0);
  link.run_for(10 * kSecond);
  EXPECT_EQ(link.node(A).state(), State::kMaster);
  EXPECT_EQ(link.masters(), 1);
}

TEST(VrrpPairV6, ConvergesOverIpv6) {
  Config a = node_config("10.0.0.2", 100);
  Config b = node_config("10.0.0.3", 100);
  a.primary_address = ip("fe80::2");
  b.primary_address = ip("fe80::3");
  a.vips = b.vips = {ip("fe80::1"), ip("2001:db8::100")};
  Link link(a, b);
  link.startup(A);
  link.startup(B);
  link.run_for(20 * kSecond);
  // Equal priorities and timers: both time out together, the higher address stays.
  EXPECT_EQ(link.masters(), 1);
  EXPECT_EQ(link.node(B).state(), State::kMaster);
  EXPECT_EQ(link.node(A).master_address(), ip("fe80::3"));
}

// Split brain, then heal with the given node's advert first on the healed link.
void split_brain_then_heal(bool yield_advert, int first_after_heal, int want_reannounces) {
  Config a = node_config("10.0.0.2", 200);
  Config b = node_config("10.0.0.3", 100);
  a.yield_advert = b.yield_advert = yield_advert;
  Link link(a, b);
  link.startup(A);
  link.startup(B);
  link.run_for(10 * kSecond);
  ASSERT_EQ(link.masters(), 1);

  link.cut();
  link.run_for(10 * kSecond);
  ASSERT_EQ(link.masters(), 2) << "split brain";
  ASSERT_EQ(link.node(B).stats().became_master, 1u);

  // Heal just before the chosen node's next advert.
  auto next = [&](int i) { return *link.node(i).next_timeout_us(); };
  while (next(first_after_heal) >= next(1 - first_after_heal))
    link.run_until(next(1 - first_after_heal));
  link.run_until(next(first_after_heal) - 1);
  uint64_t healed = link.now();
  link.heal();
  link.run_for(10 * kSecond);

  EXPECT_EQ(link.masters(), 1);
  EXPECT_EQ(link.node(A).state(), State::kMaster);
  EXPECT_EQ(link.node(B).state(), State::kBackup);
  EXPECT_EQ(link.reannounces(A, healed), want_reannounces);
  EXPECT_EQ(link.reannounces(B, healed), 0);
}

TEST(VrrpSplitBrain, HealWithTheLowerMasterSpeakingFirstReannounces) {
  split_brain_then_heal(true, B, 1);
}

TEST(VrrpSplitBrain, HealWithTheHigherMasterSpeakingFirstReannouncesThanksToTheYieldAdvert) {
  split_brain_then_heal(true, A, 1);
}

TEST(VrrpSplitBrain, StrictRfcMissesTheReannounceWhenTheWinnerSpeaksFirst) {
  // Why yield_advert exists: B steps down silently, A never learns there were two masters,
  // and clients that followed B's gratuitous ARPs keep B's MAC until their caches expire.
  split_brain_then_heal(false, A, 0);
  split_brain_then_heal(false, B, 1);
}

}  // namespace
}  // namespace sluice::vrrp
