// SPDX-License-Identifier: BSD-3-Clause
#include "sluiced/desired_state.h"

#include <gtest/gtest.h>

namespace sluice::sluiced {
namespace {

using config::BackendState;

config::Vip vip(config::HealthCheck::Type check, bool initial_up = false,
                BackendState admin = BackendState::kReady, uint16_t weight = 4) {
  config::Vip v;
  v.name = "www";
  v.check.type = check;
  v.check.initial_up = initial_up;
  config::Backend b;
  b.address = *IpAddress::parse("10.0.0.21");
  b.weight = weight;
  b.state = admin;
  v.backends.push_back(b);
  return v;
}

BackendState effective(const config::Vip& v, HealthStatus h) { return decide(v, v.backends[0], h); }

TEST(Decide, NoCheckMeansUp) {
  EXPECT_EQ(effective(vip(config::HealthCheck::Type::kNone), HealthStatus::kUnchecked),
            BackendState::kReady);
}

TEST(Decide, CheckedBackendsFollowHealthAndTheInitialState) {
  auto v = vip(config::HealthCheck::Type::kTcp);
  EXPECT_EQ(effective(v, HealthStatus::kUnchecked), BackendState::kMaint);
  EXPECT_EQ(effective(v, HealthStatus::kUp), BackendState::kReady);
  EXPECT_EQ(effective(v, HealthStatus::kDown), BackendState::kMaint);
  EXPECT_EQ(effective(vip(config::HealthCheck::Type::kTcp, true), HealthStatus::kUnchecked),
            BackendState::kReady);
}

TEST(Decide, AdminStateAndWeightCombineWithHealth) {
  auto drain = vip(config::HealthCheck::Type::kTcp, false, BackendState::kDrain);
  EXPECT_EQ(effective(drain, HealthStatus::kUp), BackendState::kDrain);
  EXPECT_EQ(effective(drain, HealthStatus::kDown), BackendState::kMaint);  // down wins
  auto zero = vip(config::HealthCheck::Type::kTcp, false, BackendState::kReady, 0);
  EXPECT_EQ(effective(zero, HealthStatus::kUp), BackendState::kDrain);
  auto maint = vip(config::HealthCheck::Type::kTcp, false, BackendState::kMaint);
  EXPECT_EQ(effective(maint, HealthStatus::kUp), BackendState::kMaint);
}

TEST(DesiredVips, CarryEffectiveStateAndDropChecks) {
  config::Config c;
  c.vips.push_back(vip(config::HealthCheck::Type::kHttp));
  auto out = desired_vips(
      c, [](const config::Vip&, const config::Backend&) { return HealthStatus::kDown; });
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].backends[0].state, BackendState::kMaint);
  EXPECT_EQ(out[0].backends[0].weight, 4);
  EXPECT_EQ(out[0].check.type, config::HealthCheck::Type::kNone);
}

}  // namespace
}  // namespace sluice::sluiced
