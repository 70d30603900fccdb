// SPDX-License-Identifier: BSD-3-Clause
// The kernel-table driver (controlplane/sluiced/route_table.h) against a real kernel: the
// test moves itself into a network namespace of its own (root only; skipped otherwise),
// so nothing it does reaches the host's routing.
#include "sluiced/route_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

namespace sluice::sluiced {
namespace {

using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using Routes = std::vector<std::pair<IpAddress, uint32_t>>;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

class RouteTableTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (geteuid() == 0) in_own_netns_ = unshare(CLONE_NEWNET) == 0;
  }
  void SetUp() override {
    if (!in_own_netns_) GTEST_SKIP() << "needs root for a network namespace of its own";
  }
  static Routes list(RouteTable& t) {
    Routes out;
    EXPECT_EQ(t.list(out), std::nullopt);
    return out;
  }
  static inline bool in_own_netns_ = false;
};

TEST_F(RouteTableTest, AddsListsAndRemovesHostRoutesOfItsProtocolInItsTable) {
  RouteTable t(100, 200);
  ASSERT_EQ(t.add(ip("10.213.0.100"), 0), std::nullopt);
  ASSERT_EQ(t.add(ip("fd00:213::100"), 50), std::nullopt);
  ASSERT_EQ(t.add(ip("10.213.0.100"), 0), std::nullopt) << "adding twice replaces";
  EXPECT_THAT(list(t), UnorderedElementsAre(std::pair{ip("10.213.0.100"), 0u},
                                            std::pair{ip("fd00:213::100"), 50u}));
  RouteTable main_table(254, 200);
  EXPECT_THAT(list(main_table), IsEmpty()) << "nothing in the table the host routes by";
  ASSERT_EQ(t.remove(ip("10.213.0.100"), 0), std::nullopt);
  EXPECT_EQ(t.remove(ip("10.213.0.100"), 0), std::nullopt) << "removing what is gone is fine";
  EXPECT_THAT(list(t), UnorderedElementsAre(std::pair{ip("fd00:213::100"), 50u}));
  ASSERT_EQ(t.remove(ip("fd00:213::100"), 50), std::nullopt);
  EXPECT_THAT(list(t), IsEmpty());
}

TEST_F(RouteTableTest, FlushRemovesOnlyItsOwnProtocolsRoutes) {
  RouteTable ours(100, 200), theirs(100, 201), other_table(101, 200);
  ASSERT_EQ(ours.add(ip("10.0.0.1"), 0), std::nullopt);
  ASSERT_EQ(ours.add(ip("10.0.0.2"), 7), std::nullopt);
  ASSERT_EQ(theirs.add(ip("10.0.0.3"), 0), std::nullopt);
  ASSERT_EQ(other_table.add(ip("10.0.0.4"), 0), std::nullopt);
  size_t removed = 0;
  ASSERT_EQ(ours.flush(&removed), std::nullopt);
  EXPECT_EQ(removed, 2u);
  EXPECT_THAT(list(ours), IsEmpty());
  EXPECT_THAT(list(theirs), UnorderedElementsAre(std::pair{ip("10.0.0.3"), 0u}));
  EXPECT_THAT(list(other_table), UnorderedElementsAre(std::pair{ip("10.0.0.4"), 0u}));
  ASSERT_EQ(theirs.flush(&removed), std::nullopt);
  ASSERT_EQ(other_table.flush(&removed), std::nullopt);
}

TEST_F(RouteTableTest, ATableAbove255Works) {
  RouteTable t(70000, 200);
  ASSERT_EQ(t.add(ip("10.0.0.9"), 3), std::nullopt);
  EXPECT_THAT(list(t), UnorderedElementsAre(std::pair{ip("10.0.0.9"), 3u}));
  size_t removed = 0;
  ASSERT_EQ(t.flush(&removed), std::nullopt);
  EXPECT_EQ(removed, 1u);
}

}  // namespace
}  // namespace sluice::sluiced
