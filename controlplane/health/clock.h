// SPDX-License-Identifier: BSD-3-Clause
// Time source for health checks, in microseconds since an arbitrary epoch. sluiced uses
// MonotonicClock; tests drive FakeClock by hand. A clock is read only from the thread
// that owns the HealthMonitor using it.
#pragma once

#include <cstdint>

namespace sluice::health {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual uint64_t now_us() const = 0;
};

// CLOCK_MONOTONIC: never jumps with wall-clock changes.
class MonotonicClock final : public Clock {
 public:
  uint64_t now_us() const override;
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(uint64_t start_us = 1'000'000) : now_(start_us) {}
  uint64_t now_us() const override { return now_; }
  void set_us(uint64_t t) { now_ = t; }
  void advance_ms(uint64_t ms) { now_ += ms * 1000; }

 private:
  uint64_t now_;
};

}  // namespace sluice::health
