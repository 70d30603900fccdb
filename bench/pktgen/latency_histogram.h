// SPDX-License-Identifier: BSD-3-Clause
// Latencies in TSC cycles: count, min, max, mean and percentiles from a log-linear
// histogram (each power of two split into 16 buckets, so a percentile is within 1/16 of
// the true value). Fixed size, no allocation on add(). Pure; one per lcore, merged after.
#pragma once

#include <array>
#include <bit>
#include <cstdint>

namespace sluice::pktgen {

class LatencyHistogram {
 public:
  void add(uint64_t cycles) {
    ++buckets_[bucket_of(cycles)];
    ++count_;
    sum_ += cycles;
    if (cycles < min_) min_ = cycles;
    if (cycles > max_) max_ = cycles;
  }
  void merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ ? min_ : 0; }
  uint64_t max() const { return max_; }
  uint64_t mean() const { return count_ ? sum_ / count_ : 0; }
  // The smallest value v such that at least `fraction` of the samples are <= v, rounded
  // up to its bucket's upper bound (and down to max()); 0 without samples.
  uint64_t percentile(double fraction) const;

  static uint32_t bucket_of(uint64_t cycles) {
    if (cycles < kSub) return uint32_t(cycles);
    const uint32_t msb = 63 - uint32_t(std::countl_zero(cycles));
    const uint32_t sub = uint32_t(cycles >> (msb - kSubBits)) & (kSub - 1);
    return (msb - kSubBits + 1) * kSub + sub;
  }
  // The largest value of bucket b.
  static uint64_t upper_bound(uint32_t b);

 private:
  static constexpr uint32_t kSubBits = 4;
  static constexpr uint32_t kSub = 1u << kSubBits;
  static constexpr uint32_t kBuckets = (64 - kSubBits + 1) * kSub;

  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

}  // namespace sluice::pktgen
