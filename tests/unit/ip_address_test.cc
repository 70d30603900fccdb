// SPDX-License-Identifier: BSD-3-Clause
#include "net/ip_address.h"

#include <gtest/gtest.h>

#include "net/socket_address.h"

namespace sluice {
namespace {

TEST(IpAddress, ParsesAndPrintsBothFamilies) {
  auto v4 = IpAddress::parse("10.0.0.7");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->is_v4());
  EXPECT_EQ(v4->v4_host_order(), 0x0a000007u);
  EXPECT_EQ(v4->to_string(), "10.0.0.7");
  auto v6 = IpAddress::parse("2001:db8::7");
  ASSERT_TRUE(v6);
  EXPECT_FALSE(v6->is_v4());
  EXPECT_EQ(v6->to_string(), "2001:db8::7");
}

TEST(IpAddress, RejectsMalformed) {
  EXPECT_FALSE(IpAddress::parse(""));
  EXPECT_FALSE(IpAddress::parse("10.0.0"));
  EXPECT_FALSE(IpAddress::parse("10.0.0.256"));
  EXPECT_FALSE(IpAddress::parse("2001:db8:::1"));
  EXPECT_FALSE(IpAddress::parse("www.foobar.com"));
}

TEST(IpPrefix, ContainsByFamilyAndLength) {
  auto p = IpPrefix::parse("10.1.0.0/16");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->contains(*IpAddress::parse("10.1.255.3")));
  EXPECT_FALSE(p->contains(*IpAddress::parse("10.2.0.1")));
  EXPECT_FALSE(p->contains(*IpAddress::parse("2001:db8::1")));
  auto p6 = IpPrefix::parse("2001:db8:1::/48");
  ASSERT_TRUE(p6);
  EXPECT_TRUE(p6->contains(*IpAddress::parse("2001:db8:1:ffff::1")));
  EXPECT_FALSE(p6->contains(*IpAddress::parse("2001:db8:2::1")));
  EXPECT_FALSE(IpPrefix::parse("10.0.0.0/33"));
  EXPECT_FALSE(IpPrefix::parse("10.0.0.0/"));
  EXPECT_FALSE(IpPrefix::parse("10.0.0.0"));
  EXPECT_EQ(IpPrefix::parse("0.0.0.0/0")->length, 0);
}

TEST(SocketAddress, ParsesBothFamiliesAndPrintsTheSameForm) {
  auto v4 = SocketAddress::parse("127.0.0.1:9101");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->address, *IpAddress::parse("127.0.0.1"));
  EXPECT_EQ(v4->port, 9101);
  EXPECT_EQ(v4->to_string(), "127.0.0.1:9101");
  auto v6 = SocketAddress::parse("[2001:DB8:0::1]:65535");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->port, 65535);
  EXPECT_EQ(v6->to_string(), "[2001:db8::1]:65535");
  EXPECT_EQ(SocketAddress::parse("[::]:1")->to_string(), "[::]:1");
}

TEST(SocketAddress, RejectsEveryOtherSpelling) {
  for (const char* bad : {"",
                          "127.0.0.1",
                          "127.0.0.1:",
                          ":9101",
                          "127.0.0.1:0",
                          "127.0.0.1:65536",
                          "127.0.0.1:09101",
                          "127.0.0.1:+91",
                          "127.0.0.1: 91",
                          "127.0.0.1:91x",
                          "localhost:9101",
                          "::1:9101",
                          "[::1]",
                          "[::1]9101",
                          "[127.0.0.1]:9101",
                          "::ffff:127.0.0.1:80",
                          "[::ffff:127.0.0.1]:80",
                          "[::1:9101",
                          "::1]:9101",
                          "127.0.0.1:123456"})
    EXPECT_FALSE(SocketAddress::parse(bad)) << bad;
}

}  // namespace
}  // namespace sluice
