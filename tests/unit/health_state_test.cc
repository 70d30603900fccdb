// SPDX-License-Identifier: BSD-3-Clause
// The rise/fall state machine, its intervals and the reason table, on a hand-driven clock.
#include "health/health_state.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "health/check_result.h"
#include "health/check_spec.h"

namespace sluice::health {
namespace {

const CheckResult kOk{Reason::kL4Ok};
const CheckResult kRefused{Reason::kL4Refused};

CheckSpec spec(uint32_t rise = 2, uint32_t fall = 3) {
  CheckSpec s;
  s.address = *IpAddress::parse("10.0.0.1");
  s.port = 80;
  s.rise = rise;
  s.fall = fall;
  s.interval_ms = 2000;
  s.fast_interval_ms = 500;
  s.down_interval_ms = 5000;
  return s;
}

TEST(HealthState, StartsDownAndNotChecked) {
  HealthState h(spec(), 100);
  EXPECT_FALSE(h.up());
  EXPECT_FALSE(h.checked());
  EXPECT_EQ(h.last_result().reason, Reason::kNotChecked);
  EXPECT_EQ(h.last_result().text(), "not checked yet");
  EXPECT_EQ(h.last_change_us(), 100u);
  EXPECT_EQ(h.last_check_us(), 0u);
}

TEST(HealthState, InitialUpIsUpButNotChecked) {
  CheckSpec s = spec();
  s.initial = CheckSpec::Initial::kUp;
  HealthState h(s, 0);
  EXPECT_TRUE(h.up());
  EXPECT_FALSE(h.checked());
  EXPECT_FALSE(h.record(kOk, 10, 5)) << "confirming the initial state is no transition";
  EXPECT_TRUE(h.checked());
  EXPECT_TRUE(h.up());
}

TEST(HealthState, FirstFailureMarksCheckedWithoutTransition) {
  HealthState h(spec(), 0);
  EXPECT_FALSE(h.record(kRefused, 10, 5));
  EXPECT_TRUE(h.checked());
  EXPECT_FALSE(h.up());
  EXPECT_EQ(h.last_result().text(), "L4 connection refused");
  EXPECT_EQ(h.consecutive_failures(), 1u);
}

TEST(HealthState, RiseSuccessesTakeItUp) {
  HealthState h(spec(3, 3), 0);
  EXPECT_FALSE(h.record(kOk, 1000, 40));
  EXPECT_FALSE(h.record(kOk, 2000, 41));
  auto t = h.record(kOk, 3000, 42);
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->up);
  EXPECT_EQ(t->result, kOk);
  EXPECT_EQ(t->at_us, 3000u);
  EXPECT_TRUE(h.up());
  EXPECT_EQ(h.last_change_us(), 3000u);
  EXPECT_EQ(h.last_latency_us(), 42u);
  EXPECT_EQ(h.consecutive_successes(), 3u);
  EXPECT_EQ(h.transitions(), 1u);
}

TEST(HealthState, AFailureResetsTheRise) {
  HealthState h(spec(2, 3), 0);
  EXPECT_FALSE(h.record(kOk, 1, 0));
  EXPECT_FALSE(h.record(kRefused, 2, 0));
  EXPECT_EQ(h.consecutive_successes(), 0u);
  EXPECT_FALSE(h.record(kOk, 3, 0));
  EXPECT_TRUE(h.record(kOk, 4, 0));
}

TEST(HealthState, FallFailuresTakeItDownWithTheLastReason) {
  CheckSpec s = spec(2, 3);
  s.initial = CheckSpec::Initial::kUp;
  HealthState h(s, 0);
  EXPECT_FALSE(h.record(kRefused, 1, 0));
  EXPECT_FALSE(h.record({Reason::kL4Timeout}, 2, 0));
  EXPECT_FALSE(h.record(kOk, 3, 0)) << "a success resets the fall count";
  EXPECT_FALSE(h.record(kRefused, 4, 0));
  EXPECT_FALSE(h.record(kRefused, 5, 0));
  auto t = h.record({Reason::kL7Status, 503}, 6, 0);
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->up);
  EXPECT_EQ(t->result.text(), "L7 HTTP 503");
  EXPECT_EQ(h.last_change_us(), 6u);
  EXPECT_EQ(h.failed_checks(), 5u);
  EXPECT_EQ(h.checks(), 6u);
}

TEST(HealthState, RiseAndFallOfOne) {
  HealthState h(spec(1, 1), 0);
  EXPECT_TRUE(h.record(kOk, 1, 0));
  EXPECT_TRUE(h.record(kRefused, 2, 0));
  EXPECT_TRUE(h.record(kOk, 3, 0));
  EXPECT_EQ(h.transitions(), 3u);
}

TEST(HealthState, IntervalsFollowTheState) {
  HealthState h(spec(2, 2), 0);
  EXPECT_EQ(h.interval_ms(), 5000u) << "fully down: down interval";
  h.record(kOk, 1, 0);
  EXPECT_EQ(h.interval_ms(), 500u) << "rising: fast interval";
  h.record(kOk, 2, 0);
  ASSERT_TRUE(h.up());
  EXPECT_EQ(h.interval_ms(), 2000u) << "fully up: interval";
  h.record(kRefused, 3, 0);
  EXPECT_EQ(h.interval_ms(), 500u) << "falling: fast interval";
  h.record(kOk, 4, 0);
  EXPECT_EQ(h.interval_ms(), 2000u);
  h.record(kRefused, 5, 0);
  h.record(kRefused, 6, 0);
  ASSERT_FALSE(h.up());
  EXPECT_EQ(h.interval_ms(), 5000u);
}

TEST(HealthState, ZeroFastAndDownIntervalsMeanInterval) {
  CheckSpec s = spec(2, 2);
  s.fast_interval_ms = 0;
  s.down_interval_ms = 0;
  HealthState h(s, 0);
  EXPECT_EQ(h.interval_ms(), 2000u);
  h.record(kOk, 1, 0);
  EXPECT_EQ(h.interval_ms(), 2000u);
}

TEST(HealthState, RetuneKeepsStateAndAppliesNewThresholds) {
  HealthState h(spec(2, 3), 0);
  h.record(kOk, 1, 0);
  h.record(kOk, 2, 0);
  h.record(kRefused, 3, 0);
  ASSERT_TRUE(h.up());
  CheckSpec s = spec(2, 2);
  s.interval_ms = 1000;
  s.fast_interval_ms = 0;
  h.retune(s);
  EXPECT_TRUE(h.up());
  EXPECT_EQ(h.consecutive_failures(), 1u);
  EXPECT_EQ(h.interval_ms(), 1000u);
  EXPECT_TRUE(h.record(kRefused, 4, 0)) << "the new fall of 2 applies";
}

TEST(CheckResult, ReasonTexts) {
  EXPECT_EQ(CheckResult{Reason::kL4Ok}.text(), "L4 OK");
  EXPECT_EQ(CheckResult{Reason::kL4Refused}.text(), "L4 connection refused");
  EXPECT_EQ(CheckResult{Reason::kL4Timeout}.text(), "L4 timeout");
  EXPECT_EQ((CheckResult{Reason::kL7Ok, 200}).text(), "L7 OK HTTP 200");
  EXPECT_EQ((CheckResult{Reason::kL7Status, 503}).text(), "L7 HTTP 503");
  EXPECT_EQ(CheckResult{Reason::kL7BadResponse}.text(), "L7 bad response");
  EXPECT_EQ(CheckResult{Reason::kL7Timeout}.text(), "L7 timeout");
  EXPECT_EQ(CheckResult{Reason::kUdpNoReply}.text(), "UDP no reply");
  EXPECT_EQ(CheckResult{Reason::kUdpUnexpected}.text(), "UDP unexpected reply");
  EXPECT_EQ(CheckResult{Reason::kUdpRefused}.text(), "UDP connection refused");
  EXPECT_EQ((CheckResult{Reason::kL4Error, 0, EHOSTDOWN}).text(), "L4 error: Host is down");
}

TEST(CheckResult, OnlyOkReasonsSucceedAndCodesAreUnique) {
  std::set<std::string_view> codes;
  for (size_t i = 0; i < size_t(Reason::kCount); ++i) {
    Reason r = Reason(i);
    bool ok = r == Reason::kL4Ok || r == Reason::kL7Ok || r == Reason::kUdpOk;
    EXPECT_EQ(reason_info(r).success, ok) << reason_info(r).text;
    EXPECT_TRUE(codes.insert(reason_info(r).code).second) << reason_info(r).code;
  }
}

}  // namespace
}  // namespace sluice::health
