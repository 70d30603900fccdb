// SPDX-License-Identifier: BSD-3-Clause
#include "health/health_state.h"

#include <algorithm>

namespace sluice::health {

HealthState::HealthState(const CheckSpec& spec, uint64_t now_us)
    : up_(spec.initial == CheckSpec::Initial::kUp), last_change_us_(now_us) {
  retune(spec);
}

void HealthState::retune(const CheckSpec& spec) {
  rise_ = std::max<uint32_t>(spec.rise, 1);
  fall_ = std::max<uint32_t>(spec.fall, 1);
  interval_ms_ = std::max<uint32_t>(spec.interval_ms, 1);
  fast_interval_ms_ = spec.fast_interval_ms ? spec.fast_interval_ms : interval_ms_;
  down_interval_ms_ = spec.down_interval_ms ? spec.down_interval_ms : interval_ms_;
}

std::optional<Transition> HealthState::record(const CheckResult& result, uint64_t now_us,
                                              uint32_t latency_us) {
  checked_ = true;
  last_ = result;
  last_check_us_ = now_us;
  last_latency_us_ = latency_us;
  ++checks_;
  if (result.ok()) {
    ++successes_;
    failures_ = 0;
  } else {
    ++failures_;
    successes_ = 0;
    ++failed_checks_;
  }
  bool flip = up_ ? failures_ >= fall_ : successes_ >= rise_;
  if (!flip) return std::nullopt;
  up_ = !up_;
  last_change_us_ = now_us;
  ++transitions_;
  return Transition{up_, result, now_us};
}

uint32_t HealthState::interval_ms() const {
  if (up_) return failures_ ? fast_interval_ms_ : interval_ms_;
  return successes_ ? fast_interval_ms_ : down_interval_ms_;
}

}  // namespace sluice::health
