// SPDX-License-Identifier: BSD-3-Clause
#include "flow/table_memory.h"

#include <gtest/gtest.h>
#include <linux/mempolicy.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace sluice {
namespace {

constexpr size_t kHugePage = size_t(2) << 20;

struct Policy {
  int mode = -1;
  unsigned long nodes = 0;
};

// get_mempolicy(2) of the page at `address`; nullopt-like mode -1 without NUMA support.
Policy policy_at(const void* address) {
  Policy p;
  if (syscall(SYS_get_mempolicy, &p.mode, &p.nodes, 65, address, MPOL_F_ADDR) != 0) p.mode = -1;
  return p;
}

TEST(TableMemory, ZeroedAndAlignedForHugePages) {
  TableMemory big(3 * kHugePage);
  const auto* bytes = big.as<uint8_t>();
  EXPECT_EQ(reinterpret_cast<uintptr_t>(bytes) % kHugePage, 0u);
  for (size_t i = 0; i < big.bytes(); i += 4096) ASSERT_EQ(bytes[i], 0) << i;
  EXPECT_EQ(bytes[big.bytes() - 1], 0);

  TableMemory small(192);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(small.as<uint8_t>()) % 64, 0u);
  EXPECT_FALSE(small.placed_on_node());

  TableMemory none(0);
  EXPECT_EQ(none.as<uint8_t>(), nullptr);
}

// The worker's tables are made by the main lcore: the NUMA policy, not first touch, puts
// them on the worker's node.
TEST(TableMemory, AHugePageTableIsPlacedOnTheNodeAskedFor) {
  if (syscall(SYS_get_mempolicy, nullptr, nullptr, 0, nullptr, 0) != 0 && errno == ENOSYS)
    GTEST_SKIP() << "no NUMA support in this kernel";
  TableMemory table(2 * kHugePage, 0);
  ASSERT_TRUE(table.placed_on_node());
  const Policy p = policy_at(table.as<uint8_t>() + kHugePage + 4096);
  EXPECT_EQ(p.mode, MPOL_PREFERRED);
  EXPECT_EQ(p.nodes, 1ul);

  TableMemory anywhere(2 * kHugePage);
  EXPECT_FALSE(anywhere.placed_on_node());
  EXPECT_EQ(policy_at(anywhere.as<uint8_t>()).mode, MPOL_DEFAULT);
}

}  // namespace
}  // namespace sluice
