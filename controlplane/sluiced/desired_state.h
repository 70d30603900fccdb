// SPDX-License-Identifier: BSD-3-Clause
// What sluiced asks of the dataplane: the configured VIPs with each backend's state and
// weight made effective from three separate inputs — the config, the operator's admin
// overrides (CLI, persisted) and the health checks. Pure; main loop only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"

namespace sluice::sluiced {

struct AdminOverride {
  std::optional<config::BackendState> state;
  std::optional<uint16_t> weight;
};
// (VIP name, backend address text) -> override.
using AdminOverrides = std::map<std::pair<std::string, std::string>, AdminOverride>;

enum class HealthStatus { kUnchecked, kUp, kDown };

struct BackendDecision {
  config::BackendState admin_state;
  uint16_t admin_weight;
  HealthStatus health;
  // What the dataplane gets: kReady (with admin_weight), kDrain, or kMaint.
  config::BackendState effective;
};

// A backend with no check counts as up. With a check, a backend not checked yet counts as
// its check's initial state (down unless `initial = "up"`). DOWN or maint: no traffic
// (existing flows move); drain or weight 0: existing flows only.
BackendDecision decide(const config::Vip& vip, const config::Backend& backend,
                       const AdminOverrides& overrides, HealthStatus health);

template <class HealthOf>
std::vector<config::Vip> desired_vips(const config::Config& config,
                                      const AdminOverrides& overrides, HealthOf&& health_of) {
  std::vector<config::Vip> out;
  for (const config::Vip& v : config.vips) {
    config::Vip d = v;
    d.check = {};
    for (config::Backend& b : d.backends) {
      BackendDecision decision = decide(v, b, overrides, health_of(v, b));
      b.state = decision.effective;
      b.weight = decision.admin_weight;
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace sluice::sluiced
