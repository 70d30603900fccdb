// SPDX-License-Identifier: BSD-3-Clause
#include "sluiced/desired_state.h"

#include <gtest/gtest.h>

namespace sluice::sluiced {
namespace {

using config::BackendState;

config::Vip vip(config::HealthCheck::Type check, bool initial_up = false) {
  config::Vip v;
  v.name = "www";
  v.check.type = check;
  v.check.initial_up = initial_up;
  config::Backend b;
  b.address = *IpAddress::parse("10.0.0.21");
  b.weight = 4;
  v.backends.push_back(b);
  return v;
}

BackendState effective(const config::Vip& v, HealthStatus h, const AdminOverrides& o = {}) {
  return decide(v, v.backends[0], o, h).effective;
}

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

TEST(Decide, AdminStateAndWeightOverrideTheConfig) {
  auto v = vip(config::HealthCheck::Type::kTcp);
  AdminOverrides drain{{{"www", "10.0.0.21"}, {BackendState::kDrain, std::nullopt}}};
  EXPECT_EQ(effective(v, HealthStatus::kUp, drain), BackendState::kDrain);
  EXPECT_EQ(effective(v, HealthStatus::kDown, drain), BackendState::kMaint);  // down wins
  AdminOverrides zero{{{"www", "10.0.0.21"}, {std::nullopt, 0}}};
  EXPECT_EQ(effective(v, HealthStatus::kUp, zero), BackendState::kDrain);
  AdminOverrides heavy{{{"www", "10.0.0.21"}, {std::nullopt, 9}}};
  BackendDecision d = decide(v, v.backends[0], heavy, HealthStatus::kUp);
  EXPECT_EQ(d.admin_weight, 9);
  EXPECT_EQ(d.admin_state, BackendState::kReady);
  AdminOverrides maint{{{"www", "10.0.0.21"}, {BackendState::kMaint, std::nullopt}}};
  EXPECT_EQ(effective(v, HealthStatus::kUp, maint), BackendState::kMaint);
}

TEST(DesiredVips, CarryEffectiveStateAndDropChecks) {
  config::Config c;
  c.vips.push_back(vip(config::HealthCheck::Type::kHttp));
  auto out = desired_vips(c, {}, [](const config::Vip&, const config::Backend&) {
    return HealthStatus::kDown;
  });
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].backends[0].state, BackendState::kMaint);
  EXPECT_EQ(out[0].check.type, config::HealthCheck::Type::kNone);
}

}  // namespace
}  // namespace sluice::sluiced
