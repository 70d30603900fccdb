// SPDX-License-Identifier: BSD-3-Clause
// How long finished checks took, counted in fixed buckets (a Prometheus histogram without
// the text): observe() adds one duration to the first bucket whose upper bound holds it,
// or to the last, unbounded one. Plain value type, owned by HealthMonitor's thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace sluice::health {

class DurationHistogram {
 public:
  // Upper bounds in microseconds, ascending: 0.5 ms to 10 s, a check's timeout range.
  static constexpr std::array<uint32_t, 14> kUpperBoundsUs = {
      500,     1'000,   2'500,   5'000,     10'000,    25'000,    50'000,
      100'000, 250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000};
  static constexpr size_t kBuckets = kUpperBoundsUs.size() + 1;  // the last: no bound

  void observe(uint32_t duration_us);

  // Per bucket, not cumulative.
  const std::array<uint64_t, kBuckets>& counts() const { return counts_; }
  uint64_t count() const { return count_; }
  uint64_t sum_us() const { return sum_us_; }

 private:
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t sum_us_ = 0;
};

}  // namespace sluice::health
