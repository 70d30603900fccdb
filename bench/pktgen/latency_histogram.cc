// SPDX-License-Identifier: BSD-3-Clause
#include "latency_histogram.h"

#include <algorithm>
#include <cmath>

namespace sluice::pktgen {

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (uint32_t b = 0; b < kBuckets; ++b) buckets_[b] += other.buckets_[b];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

uint64_t LatencyHistogram::upper_bound(uint32_t b) {
  if (b < kSub) return b;
  const uint32_t msb = b / kSub + kSubBits - 1;
  const uint64_t sub = b % kSub;
  const uint64_t low = (uint64_t(kSub) | sub) << (msb - kSubBits);
  return low + (uint64_t(1) << (msb - kSubBits)) - 1;
}

uint64_t LatencyHistogram::percentile(double fraction) const {
  if (!count_) return 0;
  const uint64_t rank = std::max<uint64_t>(1, uint64_t(std::ceil(fraction * double(count_))));
  uint64_t seen = 0;
  for (uint32_t b = 0; b < kBuckets; ++b) {
    seen += buckets_[b];
    if (seen >= rank) return std::clamp(upper_bound(b), min(), max_);
  }
  return max_;
}

}  // namespace sluice::pktgen
