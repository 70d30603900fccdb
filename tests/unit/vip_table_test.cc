// SPDX-License-Identifier: BSD-3-Clause
#include "state/vip_table.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

TEST(VipTable, ExactPortBeatsAnyPort) {
  VipTable t({{ip("10.0.0.100"), 80, 6},
              {ip("10.0.0.100"), 0, 6},
              {ip("10.0.0.100"), 53, 17},
              {ip("2001:db8::100"), 443, 6}});
  EXPECT_EQ(t.find(ip("10.0.0.100"), 6, 80), 0u);
  EXPECT_EQ(t.find(ip("10.0.0.100"), 6, 22), 1u);
  EXPECT_EQ(t.find(ip("10.0.0.100"), 17, 53), 2u);
  EXPECT_EQ(t.find(ip("10.0.0.100"), 17, 54), VipTable::kNone);
  EXPECT_EQ(t.find(ip("2001:db8::100"), 6, 443), 3u);
  EXPECT_EQ(t.find(ip("2001:db8::100"), 6, 80), VipTable::kNone);
  EXPECT_EQ(t.find(ip("10.0.0.101"), 6, 80), VipTable::kNone);
}

TEST(VipTable, EmptyFindsNothing) {
  VipTable t;
  EXPECT_EQ(t.find(ip("10.0.0.1"), 6, 80), VipTable::kNone);
}

TEST(VipTable, ManyKeysAllFound) {
  std::vector<VipKey> keys;
  for (uint32_t i = 0; i < 1000; ++i)
    keys.push_back({IpAddress::v4(0x0a000000u + i), uint16_t(i), 6});
  VipTable t(keys);
  for (uint32_t i = 0; i < 1000; ++i)
    EXPECT_EQ(t.find(IpAddress::v4(0x0a000000u + i), 6, uint16_t(i)), i);
}

TEST(AddressSet, MembershipAndDuplicates) {
  AddressSet s({ip("10.0.0.10"), ip("10.0.0.100"), ip("10.0.0.10"), ip("fe80::1")});
  EXPECT_EQ(s.size(), 3u);
  EXPECT_TRUE(s.contains(ip("10.0.0.100")));
  EXPECT_TRUE(s.contains(ip("fe80::1")));
  EXPECT_FALSE(s.contains(ip("10.0.0.11")));
  EXPECT_FALSE(AddressSet().contains(ip("10.0.0.10")));
}

}  // namespace
}  // namespace sluice
