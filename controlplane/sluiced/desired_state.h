// SPDX-License-Identifier: BSD-3-Clause
// What sluiced asks of the dataplane: the configured VIPs with each backend's state and
// weight made effective from the admin state (the config with the operator's persisted
// overrides applied, AdminStateStore::apply) and the health checks. Pure.
#pragma once

#include <vector>

#include "config/config.h"

namespace sluice::sluiced {

enum class HealthStatus { kUnchecked, kUp, kDown };

// What the dataplane gets for a backend: kReady (with its weight), kDrain, or kMaint.

// A backend with no check counts as up. With a check, a backend not checked yet counts as
// its check's initial state (down unless `initial = "up"`). DOWN or maint: no traffic
// (existing flows move); drain or weight 0: existing flows only.
config::BackendState decide(const config::Vip& vip, const config::Backend& backend,
                            HealthStatus health);

template <class HealthOf>
std::vector<config::Vip> desired_vips(const config::Config& config, HealthOf&& health_of) {
  std::vector<config::Vip> out;
  for (const config::Vip& v : config.vips) {
    config::Vip d = v;
    d.check = {};
    for (config::Backend& b : d.backends) b.state = decide(v, b, health_of(v, b));
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace sluice::sluiced
