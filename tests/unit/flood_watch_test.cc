// SPDX-License-Identifier: BSD-3-Clause
#include "sluiced/flood_watch.h"

#include <gtest/gtest.h>

namespace sluice::sluiced {
namespace {

channel::Stats counters(uint64_t www_new, uint64_t www_not_admitted, uint64_t dns_new = 0) {
  channel::Stats s;
  s.vips.push_back({.name = "www",
                    .traffic = {.packets = 0, .bytes = 0, .new_flows = www_new},
                    .backends = {},
                    .syns_not_admitted = www_not_admitted});
  s.vips.push_back({.name = "dns",
                    .traffic = {.packets = 0, .bytes = 0, .new_flows = dns_new},
                    .backends = {},
                    .syns_not_admitted = 0});
  return s;
}

TEST(FloodWatch, RatesFromTheSecondSampleOn) {
  FloodWatch w;
  EXPECT_EQ(w.find("www"), nullptr);
  w.sample(counters(1000, 0, 50), 10'000);
  ASSERT_NE(w.find("www"), nullptr);
  EXPECT_EQ(w.find("www")->new_flows_per_s, 0u);
  w.sample(counters(3000, 0, 60), 12'000);  // two seconds later
  EXPECT_EQ(w.find("www")->new_flows_per_s, 1000u);
  EXPECT_EQ(w.find("dns")->new_flows_per_s, 5u);
  EXPECT_FALSE(w.find("www")->under_flood());
  EXPECT_FALSE(w.find("www")->last_flood_ms);
  EXPECT_EQ(w.find("ftp"), nullptr);
}

TEST(FloodWatch, UnderFloodWhileSynsAreNotAdmitted) {
  FloodWatch w;
  w.sample(counters(0, 0), 1'000);
  w.sample(counters(150'000, 50'000), 2'000);
  const FloodWatch::Vip* www = w.find("www");
  EXPECT_TRUE(www->under_flood());
  EXPECT_EQ(www->flood_since_ms, 2'000u);
  EXPECT_EQ(www->syns_not_admitted_per_s, 50'000u);
  EXPECT_EQ(www->syns_not_admitted, 50'000u);
  EXPECT_FALSE(w.find("dns")->under_flood());

  w.sample(counters(300'000, 100'000), 3'000);
  EXPECT_EQ(w.find("www")->flood_since_ms, 2'000u);  // the same flood
  EXPECT_EQ(w.find("www")->last_flood_ms, 3'000u);

  w.sample(counters(300'010, 100'000), 4'000);  // over
  www = w.find("www");
  EXPECT_FALSE(www->under_flood());
  EXPECT_EQ(www->syns_not_admitted_per_s, 0u);
  EXPECT_EQ(www->new_flows_per_s, 10u);
  EXPECT_EQ(www->last_flood_ms, 3'000u);

  w.sample(counters(300'020, 100'001), 5'000);  // a new one
  EXPECT_EQ(w.find("www")->flood_since_ms, 5'000u);
}

TEST(FloodWatch, ARestartedDataplaneStartsOver) {
  FloodWatch w;
  w.sample(counters(1000, 500), 1'000);
  w.sample(counters(2000, 900), 2'000);
  EXPECT_TRUE(w.find("www")->under_flood());
  w.sample(counters(10, 0), 3'000);  // counters went back
  EXPECT_FALSE(w.find("www")->under_flood());
  EXPECT_EQ(w.find("www")->new_flows_per_s, 0u);
  w.sample(counters(110, 0), 4'000);
  EXPECT_EQ(w.find("www")->new_flows_per_s, 100u);
}

TEST(FloodWatch, AVipGoneAndBackHasNoRateAtFirst) {
  FloodWatch w;
  w.sample(counters(1000, 0), 1'000);
  channel::Stats without;
  w.sample(without, 2'000);
  EXPECT_EQ(w.find("www"), nullptr);
  w.sample(counters(5000, 0), 3'000);
  EXPECT_EQ(w.find("www")->new_flows_per_s, 0u);
}

}  // namespace
}  // namespace sluice::sluiced
