// SPDX-License-Identifier: BSD-3-Clause
// NeighborCache's solicitation schedule: exponential backoff of unanswered next hops and
// the cap on solicitations per second, so that dead backends cost little on the wire.
#include "state/neighbor_cache.h"

#include <gtest/gtest.h>

#include <vector>

namespace sluice {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }
const MacAddress kMac{{2, 0, 0, 0, 0, 0x21}};

// The times at which `cache` solicits its one next hop, polled every millisecond.
std::vector<uint32_t> solicit_times(NeighborCache& cache, uint32_t until_ms) {
  std::vector<uint32_t> at;
  bool changed = false;
  for (uint32_t t = 0; t <= until_ms; ++t)
    if (!cache.due(t, changed).empty()) at.push_back(t);
  return at;
}

TEST(NeighborCache, AnUnansweredNextHopIsAskedLessAndLessOften) {
  NeighborCache cache(NeighborTimers{.retry_ms = 200, .max_retry_ms = 3200});
  cache.configure({ip("10.0.0.21")}, {});
  EXPECT_EQ(solicit_times(cache, 13'000),
            (std::vector<uint32_t>{0, 200, 600, 1400, 3000, 6200, 9400, 12'600}));
  EXPECT_EQ(cache.stats().solicited, 8u);
}

TEST(NeighborCache, AReplyResetsTheBackoff) {
  NeighborCache cache(NeighborTimers{
      .retry_ms = 200, .refresh_ms = 10'000, .refresh_retry_ms = 500, .expiry_ms = 60'000});
  cache.configure({ip("10.0.0.21")}, {});
  bool changed = false;
  for (uint32_t t : {0u, 200u, 600u, 1400u}) EXPECT_EQ(cache.due(t, changed).size(), 1u) << t;
  cache.learn(ip("10.0.0.21"), kMac, 1500);
  EXPECT_TRUE(cache.due(11'499, changed).empty());
  // Refreshing a resolved binding backs off from refresh_retry_ms.
  EXPECT_EQ(cache.due(11'500, changed).size(), 1u);
  EXPECT_TRUE(cache.due(11'999, changed).empty());
  EXPECT_EQ(cache.due(12'000, changed).size(), 1u);
  EXPECT_TRUE(cache.due(12'999, changed).empty());
  EXPECT_EQ(cache.due(13'000, changed).size(), 1u);
  cache.learn(ip("10.0.0.21"), kMac, 13'100);
  EXPECT_EQ(cache.due(23'100, changed).size(), 1u);
  EXPECT_EQ(cache.due(23'600, changed).size(), 1u) << "confirmed: back to refresh_retry_ms";
}

TEST(NeighborCache, TwoThousandDeadBackendsStayUnderTheRateCap) {
  // The reported case: 2,000 unresolved backends were each asked every 200 ms forever
  // (~10,000 solicitations per second).
  NeighborCache cache;  // defaults: 1,000 per second, backoff up to 30 s
  std::vector<IpAddress> dead;
  for (uint32_t i = 0; i < 2000; ++i) dead.push_back(IpAddress::v4(0x0a010000u + i));
  cache.configure(dead, {});
  bool changed = false;
  EXPECT_EQ(cache.due(0, changed).size(), 1000u) << "a burst of one second's worth";
  EXPECT_EQ(cache.stats().rate_limited, 1000u);
  uint64_t sent = 1000, most_in_a_second = 0, in_this_second = 0;
  for (uint32_t t = 50; t <= 300'000; t += 50) {
    size_t n = cache.due(t, changed).size();
    sent += n;
    in_this_second += n;
    if (t % 1000 == 0) {
      most_in_a_second = std::max(most_in_a_second, in_this_second);
      in_this_second = 0;
    }
  }
  EXPECT_LE(most_in_a_second, 1000u);
  // Every one was asked, and in the steady state each about every 30 s: 2,000 / 30 s.
  EXPECT_EQ(cache.stats().solicited, sent);
  EXPECT_GE(sent, 2000u * 5);
  EXPECT_LE(sent, 2000u * (300 / 30 + 8));
  cache.learn(dead[1999], kMac, 300'001);
  EXPECT_EQ(cache.lookup(dead[1999]), kMac);
}

TEST(NeighborCache, NeverAskedNextHopsGoFirst) {
  NeighborCache cache(NeighborTimers{.solicit_rate = 1});
  cache.configure({ip("10.0.0.21")}, {});
  bool changed = false;
  EXPECT_EQ(cache.due(0, changed).size(), 1u);
  cache.configure({ip("10.0.0.21"), ip("10.0.0.22")}, {});
  EXPECT_EQ(cache.due(1000, changed), std::vector<IpAddress>{ip("10.0.0.22")});
  EXPECT_EQ(cache.due(2000, changed), std::vector<IpAddress>{ip("10.0.0.21")});
}

}  // namespace
}  // namespace sluice
