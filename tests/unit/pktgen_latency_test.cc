// SPDX-License-Identifier: BSD-3-Clause
// sluice-pktgen's latency histogram: buckets, percentiles, merge.
#include <gtest/gtest.h>

#include "latency_histogram.h"

namespace sluice::pktgen {
namespace {

TEST(PktgenLatency, BucketsAreExactBelow16ThenSixteenPerPowerOfTwo) {
  for (uint64_t v = 0; v < 16; ++v) {
    EXPECT_EQ(LatencyHistogram::bucket_of(v), v);
    EXPECT_EQ(LatencyHistogram::upper_bound(uint32_t(v)), v);
  }
  EXPECT_EQ(LatencyHistogram::bucket_of(16), 16u);
  EXPECT_EQ(LatencyHistogram::bucket_of(31), 31u);
  EXPECT_EQ(LatencyHistogram::bucket_of(32), 32u);
  EXPECT_EQ(LatencyHistogram::bucket_of(33), 32u);
  EXPECT_EQ(LatencyHistogram::upper_bound(32), 33u);
  EXPECT_EQ(LatencyHistogram::bucket_of(1000), LatencyHistogram::bucket_of(1023));
  EXPECT_EQ(LatencyHistogram::upper_bound(LatencyHistogram::bucket_of(1000)), 1023u);
  EXPECT_EQ(LatencyHistogram::upper_bound(LatencyHistogram::bucket_of(UINT64_MAX)), UINT64_MAX);
  // every value lies in its bucket: not above its upper bound, above the previous one's
  for (uint64_t v : {17ull, 100ull, 4095ull, 4096ull, 123456789ull, 1ull << 40}) {
    const uint32_t b = LatencyHistogram::bucket_of(v);
    EXPECT_LE(v, LatencyHistogram::upper_bound(b));
    EXPECT_GT(v, LatencyHistogram::upper_bound(b - 1));
  }
}

TEST(PktgenLatency, Percentiles) {
  LatencyHistogram h;
  EXPECT_EQ(h.percentile(0.5), 0u);
  for (uint64_t v = 1; v <= 100; ++v) h.add(v);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_EQ(h.max(), 100u);
  EXPECT_EQ(h.mean(), 50u);
  EXPECT_EQ(h.percentile(0.10), 10u);  // exact below 16
  EXPECT_EQ(h.percentile(0.50), 51u);  // 50 is in [50, 51]
  EXPECT_EQ(h.percentile(0.99), 99u);  // [96, 99]
  EXPECT_EQ(h.percentile(1.0), 100u);  // [100, 103], clamped to the max
}

TEST(PktgenLatency, Merge) {
  LatencyHistogram a, b;
  a.add(5);
  b.add(7);
  b.add(1000);
  a.merge(b);
  EXPECT_EQ(a.count(), 3u);
  EXPECT_EQ(a.min(), 5u);
  EXPECT_EQ(a.max(), 1000u);
  EXPECT_EQ(a.percentile(0.5), 7u);
  LatencyHistogram empty;
  a.merge(empty);
  EXPECT_EQ(a.min(), 5u);
}

}  // namespace
}  // namespace sluice::pktgen
