// SPDX-License-Identifier: BSD-3-Clause
#include "nat/local_ports.h"

#include <gtest/gtest.h>

#include <set>

namespace sluice {
namespace {

TEST(LocalPorts, EachWorkerTakesTheDistinctPortsItOwns) {
  std::set<uint16_t> seen;
  for (uint16_t self = 0; self < 3; ++self) {
    LocalPorts ports(1, 1000, 1010, 3, self);
    while (auto p = ports.take(0)) {
      EXPECT_EQ(local_port_owner(*p, 3), self) << *p;
      EXPECT_GE(*p, 1000);
      EXPECT_LE(*p, 1010);
      EXPECT_TRUE(seen.insert(*p).second) << *p;
    }
  }
  EXPECT_EQ(seen.size(), 11u);  // every port of the range, once
}

TEST(LocalPorts, OneWorkerOwnsTheWholeRange) {
  LocalPorts ports(2, 1, 65535, 1, 0);
  EXPECT_EQ(ports.ports_per_address(), 65535u);
  EXPECT_EQ(ports.free_ports(1), 65535u);
  EXPECT_EQ(local_port_owner(65535, 1), 0);
}

TEST(LocalPorts, AddressesHaveTheirOwnPools) {
  LocalPorts ports(2, 2000, 2001, 1, 0);
  EXPECT_EQ(ports.take(0), 2000);
  EXPECT_EQ(ports.take(0), 2001);
  EXPECT_EQ(ports.take(0), std::nullopt);
  EXPECT_EQ(ports.take(1), 2000);
  EXPECT_EQ(ports.free_ports(0), 0u);
  EXPECT_EQ(ports.free_ports(1), 1u);
}

// A freed port goes to the back: the others are all used before it comes back, so the
// backend has the longest time to forget the previous connection on it.
TEST(LocalPorts, AFreedPortIsTakenLast) {
  LocalPorts ports(1, 3000, 3003, 1, 0);
  EXPECT_EQ(ports.take(0), 3000);
  EXPECT_EQ(ports.take(0), 3001);
  ports.give_back(0, 3000);
  EXPECT_EQ(ports.take(0), 3002);
  EXPECT_EQ(ports.take(0), 3003);
  EXPECT_EQ(ports.take(0), 3000);
  EXPECT_EQ(ports.take(0), std::nullopt);
  ports.give_back(0, 3001);
  ports.give_back(0, 3003);
  EXPECT_EQ(ports.free_ports(0), 2u);
  EXPECT_EQ(ports.take(0), 3001);
  EXPECT_EQ(ports.take(0), 3003);
}

TEST(LocalPorts, ClaimTakesThatPortOfTheShareOnce) {
  LocalPorts ports(2, 2000, 2009, 2, 1);  // worker 1 of 2: 2001, 2003, ..., 2009
  EXPECT_FALSE(ports.claim(0, 2002));     // worker 0's
  EXPECT_FALSE(ports.claim(0, 1999));     // outside the range
  EXPECT_FALSE(ports.claim(0, 2011));
  EXPECT_TRUE(ports.claim(0, 2005));
  EXPECT_FALSE(ports.claim(0, 2005));  // taken
  EXPECT_EQ(ports.free_ports(0), 4u);
  EXPECT_EQ(ports.free_ports(1), 5u);  // the other address's pool is its own
  // The others are still handed out, 2005 never; the oldest took its place.
  std::multiset<uint16_t> taken;
  while (auto p = ports.take(0)) taken.insert(*p);
  EXPECT_EQ(taken, (std::multiset<uint16_t>{2001, 2003, 2007, 2009}));
  EXPECT_FALSE(ports.claim(0, 2003));  // taken by take()
  ports.give_back(0, 2005);
  ports.give_back(0, 2003);
  EXPECT_TRUE(ports.claim(0, 2003));
  EXPECT_EQ(ports.take(0), 2005);
  EXPECT_EQ(ports.take(0), std::nullopt);
}

TEST(LocalPorts, ClaimedPortsComeBackInTheirTurn) {
  LocalPorts ports(1, 1000, 1003, 1, 0);
  EXPECT_TRUE(ports.claim(0, 1000));
  EXPECT_TRUE(ports.claim(0, 1002));
  EXPECT_EQ(ports.take(0), 1001);
  ports.give_back(0, 1002);
  ports.give_back(0, 1000);
  EXPECT_EQ(ports.take(0), 1003);
  EXPECT_EQ(ports.take(0), 1002);
  EXPECT_EQ(ports.take(0), 1000);
  EXPECT_EQ(ports.free_ports(0), 0u);
}

}  // namespace
}  // namespace sluice
