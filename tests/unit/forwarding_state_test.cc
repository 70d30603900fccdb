// SPDX-License-Identifier: BSD-3-Clause
// The main lcore's state keepers: id registry, neighbor cache, next-hop choice.
#include <gtest/gtest.h>

#include <set>

#include "state/id_registry.h"
#include "state/neighbor_cache.h"
#include "state/state_builder.h"

namespace sluice {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }
const MacAddress kMac{{2, 0, 0, 0, 0, 0x21}};
const MacAddress kOtherMac{{2, 0, 0, 0, 0, 0x22}};

TEST(IdRegistry, IdsAreStableAndReusedOnlyAfterQuarantine) {
  IdRegistry<int> ids(3, 1000);
  EXPECT_EQ(ids.acquire(10, 0), 0u);
  EXPECT_EQ(ids.acquire(20, 0), 1u);
  EXPECT_EQ(ids.acquire(10, 5), 0u);  // same key, same id
  ids.release(10, 100);               // 0 into quarantine at t=100
  ids.release(99, 100);               // not held: nothing
  EXPECT_EQ(ids.acquire(30, 200), 2u);
  EXPECT_FALSE(ids.acquire(40, 500));  // 0 still in quarantine, capacity reached
  EXPECT_EQ(ids.acquire(40, 1100), 0u);
  EXPECT_FALSE(ids.find(10));
  EXPECT_EQ(ids.find(40), 0u);
}

TEST(NeighborCache, SolicitsUntilLearntThenRefreshesAndExpires) {
  NeighborTimers timers{1000, 30'000, 5000, 120'000};
  NeighborCache cache(timers);
  EXPECT_TRUE(cache.configure({ip("10.0.0.21")}, {}));
  bool changed = false;
  EXPECT_EQ(cache.due(0, changed), std::vector<IpAddress>{ip("10.0.0.21")});
  EXPECT_TRUE(cache.due(500, changed).empty());
  EXPECT_EQ(cache.due(1000, changed).size(), 1u);          // retry after 1 s
  EXPECT_FALSE(cache.learn(ip("10.0.0.99"), kMac, 1200));  // not wanted: ignored
  EXPECT_TRUE(cache.learn(ip("10.0.0.21"), kMac, 1200));
  EXPECT_EQ(cache.lookup(ip("10.0.0.21")), kMac);
  EXPECT_FALSE(cache.learn(ip("10.0.0.21"), kMac, 1300));  // same MAC: no change, but confirmed
  EXPECT_TRUE(cache.due(20'000, changed).empty());
  EXPECT_EQ(cache.due(31'300, changed).size(), 1u);  // refresh
  EXPECT_FALSE(changed);
  cache.due(121'300, changed);
  EXPECT_TRUE(changed);  // unconfirmed for 120 s: forgotten
  EXPECT_FALSE(cache.lookup(ip("10.0.0.21")));
}

TEST(NeighborCache, StaticEntriesWinAndAreNeverSolicited) {
  NeighborCache cache;
  cache.configure({ip("10.0.0.21")}, {{ip("10.0.0.21"), kMac}});
  EXPECT_FALSE(cache.learn(ip("10.0.0.21"), kOtherMac, 5));
  EXPECT_EQ(cache.lookup(ip("10.0.0.21")), kMac);
  bool changed = false;
  EXPECT_TRUE(cache.due(0, changed).empty());
}

TEST(NeighborCache, ReconfigureKeepsLearntBindings) {
  NeighborCache cache;
  cache.configure({ip("10.0.0.21")}, {});
  cache.learn(ip("10.0.0.21"), kMac, 10);
  EXPECT_FALSE(cache.configure({ip("10.0.0.21")}, {}));
  EXPECT_EQ(cache.lookup(ip("10.0.0.21")), kMac);
}

TEST(NextHop, OnLinkBackendItselfElseTheGatewayOfItsFamily) {
  config::Config c;
  config::Port port;
  port.addresses = {*IpPrefix::parse("10.0.0.10/24"), *IpPrefix::parse("2001:db8::10/64")};
  port.gateway = ip("10.0.0.1");
  c.ports.push_back(port);
  EXPECT_EQ(next_hop_for(c, ip("10.0.0.21")), ip("10.0.0.21"));
  EXPECT_EQ(next_hop_for(c, ip("192.0.2.7")), ip("10.0.0.1"));
  EXPECT_EQ(next_hop_for(c, ip("2001:db8::21")), ip("2001:db8::21"));
  EXPECT_FALSE(next_hop_for(c, ip("2001:db9::21")));  // off-link, no IPv6 gateway
}

}  // namespace
}  // namespace sluice
