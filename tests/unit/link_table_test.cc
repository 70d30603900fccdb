// SPDX-License-Identifier: BSD-3-Clause
// LinkTable against rtnetlink messages built here as the kernel lays them out: a dump, an
// admin down, a carrier loss, a rename, a deletion, and messages it must skip.
#include "sluiced/link_table.h"

#include <gtest/gtest.h>
#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <string>
#include <vector>

namespace sluice::sluiced {
namespace {

constexpr uint32_t kUp = IFF_UP | IFF_RUNNING | IFF_LOWER_UP | IFF_BROADCAST | IFF_MULTICAST;
constexpr uint32_t kNoCarrier = IFF_UP | IFF_BROADCAST | IFF_MULTICAST;
constexpr uint32_t kAdminDown = IFF_BROADCAST | IFF_MULTICAST;

// One RTM_NEWLINK / RTM_DELLINK: header, ifinfomsg, IFLA_IFNAME (and IFLA_MTU, to show
// other attributes are skipped).
std::vector<uint8_t> link_message(uint16_t type, int32_t index, uint32_t flags,
                                  const std::string& name) {
  std::vector<uint8_t> m(NLMSG_SPACE(sizeof(ifinfomsg)));
  auto attr = [&m](uint16_t t, const void* data, size_t n) {
    size_t at = m.size();
    m.resize(at + RTA_SPACE(n));
    rtattr a{uint16_t(RTA_LENGTH(n)), t};
    std::memcpy(m.data() + at, &a, sizeof a);
    std::memcpy(m.data() + at + RTA_LENGTH(0), data, n);
  };
  uint32_t mtu = 1500;
  attr(IFLA_MTU, &mtu, sizeof mtu);
  attr(IFLA_IFNAME, name.c_str(), name.size() + 1);
  nlmsghdr h{uint32_t(m.size()), type, NLM_F_MULTI, 1, 0};
  std::memcpy(m.data(), &h, sizeof h);
  ifinfomsg info{};
  info.ifi_family = AF_UNSPEC;
  info.ifi_index = index;
  info.ifi_flags = flags;
  std::memcpy(m.data() + NLMSG_HDRLEN, &info, sizeof info);
  return m;
}

// One RTM_NEWADDR / RTM_DELADDR for `text` on link `index`: IFA_ADDRESS (and, for IPv4,
// IFA_LOCAL, as the kernel sends both) and IFA_FLAGS.
std::vector<uint8_t> address_message(uint16_t type, int32_t index, const char* text,
                                     uint32_t flags = IFA_F_PERMANENT) {
  IpAddress a = *IpAddress::parse(text);
  bool v4 = a.is_v4();
  std::vector<uint8_t> m(NLMSG_SPACE(sizeof(ifaddrmsg)));
  auto attr = [&m](uint16_t t, const void* data, size_t n) {
    size_t at = m.size();
    m.resize(at + RTA_SPACE(n));
    rtattr r{uint16_t(RTA_LENGTH(n)), t};
    std::memcpy(m.data() + at, &r, sizeof r);
    std::memcpy(m.data() + at + RTA_LENGTH(0), data, n);
  };
  const uint8_t* wire = v4 ? a.v4_wire() : a.v6_wire();
  attr(IFA_ADDRESS, wire, v4 ? 4 : 16);
  if (v4) attr(IFA_LOCAL, wire, 4);
  attr(IFA_FLAGS, &flags, sizeof flags);
  nlmsghdr h{uint32_t(m.size()), type, 0, 0, 0};
  std::memcpy(m.data(), &h, sizeof h);
  ifaddrmsg info{};
  info.ifa_family = uint8_t(v4 ? AF_INET : AF_INET6);
  info.ifa_prefixlen = uint8_t(v4 ? 24 : 64);
  info.ifa_flags = uint8_t(flags);
  info.ifa_index = uint32_t(index);
  std::memcpy(m.data() + NLMSG_HDRLEN, &info, sizeof info);
  return m;
}

std::vector<uint8_t> done_message() {
  std::vector<uint8_t> m(NLMSG_SPACE(sizeof(int)));
  nlmsghdr h{uint32_t(m.size()), NLMSG_DONE, NLM_F_MULTI, 1, 0};
  std::memcpy(m.data(), &h, sizeof h);
  return m;
}

std::vector<uint8_t> join(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(LinkTable, ADumpThenEvents) {
  LinkTable t;
  EXPECT_FALSE(t.up("eth0")) << "unknown is down";
  EXPECT_EQ(t.describe("eth0"), "absent");
  EXPECT_EQ(t.apply(join({link_message(RTM_NEWLINK, 1, IFF_UP | IFF_RUNNING | IFF_LOOPBACK, "lo"),
                          link_message(RTM_NEWLINK, 7, kUp, "eth0"),
                          link_message(RTM_NEWLINK, 9, kUp, "eth1"), done_message()})),
            3u);
  EXPECT_TRUE(t.up("eth0"));
  EXPECT_TRUE(t.up("eth1"));
  EXPECT_EQ(t.describe("eth0"), "up");

  t.apply(link_message(RTM_NEWLINK, 7, kAdminDown, "eth0"));  // ip link set eth0 down
  EXPECT_FALSE(t.up("eth0"));
  EXPECT_EQ(t.describe("eth0"), "down (admin)");
  t.apply(link_message(RTM_NEWLINK, 9, kNoCarrier, "eth1"));  // the veth's peer went down
  EXPECT_FALSE(t.up("eth1"));
  EXPECT_EQ(t.describe("eth1"), "down (no carrier)");
  t.apply(link_message(RTM_NEWLINK, 7, kUp, "eth0"));
  EXPECT_TRUE(t.up("eth0"));
}

TEST(LinkTable, RenameAndDelete) {
  LinkTable t;
  t.apply(link_message(RTM_NEWLINK, 4, kUp, "eth1"));
  t.apply(link_message(RTM_NEWLINK, 4, kUp, "wan0"));  // ip link set eth1 name wan0
  EXPECT_FALSE(t.known("eth1"));
  EXPECT_TRUE(t.up("wan0"));
  t.apply(link_message(RTM_DELLINK, 4, kUp, "wan0"));
  EXPECT_FALSE(t.up("wan0"));
  EXPECT_EQ(t.describe("wan0"), "absent");
}

TEST(LinkTable, SkipsOtherAndMalformedMessages) {
  LinkTable t;
  std::vector<uint8_t> truncated = link_message(RTM_NEWLINK, 5, kUp, "eth5");
  truncated.resize(truncated.size() - 8);  // shorter than its own nlmsg_len
  EXPECT_EQ(t.apply(truncated), 0u);
  EXPECT_FALSE(t.known("eth5"));
  EXPECT_EQ(t.apply(done_message()), 0u);
  EXPECT_EQ(t.apply({}), 0u);
  // A message after one of another type is still read.
  EXPECT_EQ(t.apply(join({done_message(), link_message(RTM_NEWLINK, 6, kUp, "eth6")})), 1u);
  EXPECT_TRUE(t.up("eth6"));
}

// A VRRP instance's own address must be on its interface and usable: a link that comes
// back without its (manually added) IPv6 link-local address, or with one still in DAD,
// cannot send adverts from it.
TEST(LinkTable, AddressesOfALink) {
  LinkTable t;
  const IpAddress v4 = *IpAddress::parse("10.0.0.11");
  const IpAddress ll = *IpAddress::parse("fe80::11");
  EXPECT_EQ(t.describe_address("eth0", v4), "not on eth0");
  t.apply(
      join({link_message(RTM_NEWLINK, 7, kUp, "eth0"), address_message(RTM_NEWADDR, 7, "10.0.0.11"),
            address_message(RTM_NEWADDR, 7, "fe80::11", IFA_F_PERMANENT | IFA_F_NODAD)}));
  EXPECT_TRUE(t.has_address("eth0", v4));
  EXPECT_TRUE(t.has_address("eth0", ll));
  EXPECT_FALSE(t.has_address("eth1", v4)) << "on another link";
  EXPECT_EQ(t.describe_address("eth0", ll), "on eth0");

  t.apply(address_message(RTM_DELADDR, 7, "fe80::11"));  // flushed with the link down
  EXPECT_FALSE(t.has_address("eth0", ll));
  EXPECT_EQ(t.describe_address("eth0", ll), "not on eth0");
  t.apply(address_message(RTM_NEWADDR, 7, "fe80::11", IFA_F_PERMANENT | IFA_F_TENTATIVE));
  EXPECT_FALSE(t.has_address("eth0", ll));
  EXPECT_EQ(t.describe_address("eth0", ll), "tentative on eth0 (duplicate address detection)");
  t.apply(address_message(RTM_NEWADDR, 7, "fe80::11", IFA_F_PERMANENT | IFA_F_DADFAILED));
  EXPECT_EQ(t.describe_address("eth0", ll), "a duplicate on eth0 (DAD failed)");
  t.apply(address_message(RTM_NEWADDR, 7, "fe80::11", IFA_F_PERMANENT));
  EXPECT_TRUE(t.has_address("eth0", ll));

  t.apply(link_message(RTM_DELLINK, 7, kUp, "eth0"));  // the link's addresses go with it
  EXPECT_FALSE(t.has_address("eth0", v4));
}

}  // namespace
}  // namespace sluice::sluiced
