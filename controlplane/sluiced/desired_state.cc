// SPDX-License-Identifier: BSD-3-Clause
#include "sluiced/desired_state.h"

namespace sluice::sluiced {

config::BackendState decide(const config::Vip& vip, const config::Backend& backend,
                            HealthStatus health) {
  bool up = vip.check.type == config::HealthCheck::Type::kNone || health == HealthStatus::kUp ||
            (health == HealthStatus::kUnchecked && vip.check.initial_up);
  if (backend.state == config::BackendState::kMaint || !up) return config::BackendState::kMaint;
  if (backend.state == config::BackendState::kDrain || backend.weight == 0)
    return config::BackendState::kDrain;
  return config::BackendState::kReady;
}

}  // namespace sluice::sluiced
