// SPDX-License-Identifier: BSD-3-Clause
// The health state machine of one check: pure (no sockets, no clock of its own), fed
// results with their times. HAProxy semantics:
//  * the state starts at the spec's initial state, "not checked yet" until the first
//    result;
//  * `rise` consecutive successes take a DOWN check UP, `fall` consecutive failures take
//    an UP check DOWN; any opposite result resets the count;
//  * the next check comes after fast_interval while the state is changing (successes
//    while DOWN, failures while UP), after down_interval while fully DOWN, else after
//    interval (0 = interval for both).
// Plain value type, owned by whoever drives it (HealthMonitor's thread).
#pragma once

#include <cstdint>
#include <optional>

#include "health/check_result.h"
#include "health/check_spec.h"

namespace sluice::health {

struct Transition {
  bool up;             // the new state
  CheckResult result;  // the result that completed rise or fall
  uint64_t at_us;
};

class HealthState {
 public:
  HealthState(const CheckSpec& spec, uint64_t now_us);

  // Records one finished check. Returns the transition when this result changed the
  // state, nullopt otherwise (including the first result confirming the initial state).
  std::optional<Transition> record(const CheckResult& result, uint64_t now_us, uint32_t latency_us);

  // Adopts new timing and thresholds (a reload that changed only those); the state and
  // counters stay, the new thresholds apply from the next result.
  void retune(const CheckSpec& spec);

  // Milliseconds from the start of the last check to the start of the next.
  uint32_t interval_ms() const;

  bool up() const { return up_; }
  bool checked() const { return checked_; }
  const CheckResult& last_result() const { return last_; }
  uint32_t consecutive_successes() const { return successes_; }
  uint32_t consecutive_failures() const { return failures_; }
  uint32_t rise() const { return rise_; }
  uint32_t fall() const { return fall_; }
  uint64_t last_change_us() const { return last_change_us_; }  // creation time until then
  uint64_t last_check_us() const { return last_check_us_; }    // 0 until checked
  uint32_t last_latency_us() const { return last_latency_us_; }
  uint64_t checks() const { return checks_; }
  uint64_t failed_checks() const { return failed_checks_; }
  uint64_t transitions() const { return transitions_; }

 private:
  uint32_t rise_, fall_, interval_ms_, fast_interval_ms_, down_interval_ms_;
  bool up_;
  bool checked_ = false;
  CheckResult last_;
  uint32_t successes_ = 0;
  uint32_t failures_ = 0;
  uint64_t last_change_us_;
  uint64_t last_check_us_ = 0;
  uint32_t last_latency_us_ = 0;
  uint64_t checks_ = 0;
  uint64_t failed_checks_ = 0;
  uint64_t transitions_ = 0;
};

}  // namespace sluice::health
