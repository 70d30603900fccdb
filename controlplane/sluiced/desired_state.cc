// SPDX-License-Identifier: BSD-3-Clause
#include "sluiced/desired_state.h"

namespace sluice::sluiced {

BackendDecision decide(const config::Vip& vip, const config::Backend& backend,
                       const AdminOverrides& overrides, HealthStatus health) {
  BackendDecision d{backend.state, backend.weight, health, config::BackendState::kReady};
  auto it = overrides.find({vip.name, backend.address.to_string()});
  if (it != overrides.end()) {
    if (it->second.state) d.admin_state = *it->second.state;
    if (it->second.weight) d.admin_weight = *it->second.weight;
  }
  bool up = vip.check.type == config::HealthCheck::Type::kNone ||
            health == HealthStatus::kUp ||
            (health == HealthStatus::kUnchecked && vip.check.initial_up);
  if (d.admin_state == config::BackendState::kMaint || !up)
    d.effective = config::BackendState::kMaint;
  else if (d.admin_state == config::BackendState::kDrain || d.admin_weight == 0)
    d.effective = config::BackendState::kDrain;
  return d;
}

}  // namespace sluice::sluiced
