// SPDX-License-Identifier: BSD-3-Clause
// The policy file sluiced writes for bird (controlplane/bird/policy.h): its exact text.
// bird 2.0.12 accepts this text (`bird -p` on configs/bird-sluice.conf including it; the
// BGP e2e tests load it for real).
#include <gtest/gtest.h>

#include <vector>

#include "bird/policy.h"

namespace sluice::bird {
namespace {

config::Vip vip(const char* name, const char* address, config::VipBgp bgp) {
  config::Vip v;
  v.name = name;
  v.address = *IpAddress::parse(address);
  v.bgp = std::move(bgp);
  return v;
}

constexpr const char* kHeader =
    "# Written by sluiced from [vip.bgp] local_pref and communities ([bgp] bird_policy);\n"
    "# do not edit. bird's export filter calls sluice_vip_policy() (configs/bird-sluice.conf).\n"
    "function sluice_vip_policy()\n"
    "{\n";

TEST(BirdPolicy, EachVipWithAttributesGetsItsHostPrefixBranchInConfigOrder) {
  std::vector<config::Vip> vips = {
      vip("www", "10.213.0.100",
          {.med = 50,
           .local_pref = 200,
           .communities = {{.global = 65010, .local1 = 100},
                           {.large = true, .global = 4200000001u, .local1 = 7, .local2 = 0},
                           {.global = 65535, .local1 = 65281}}}),
      vip("plain", "10.213.0.101", {.med = 10}),
      vip("www6", "fd00:213::100", {.communities = {{.global = 0, .local1 = 0}}}),
      vip("backup", "10.213.0.102", {.local_pref = 0}),
  };
  EXPECT_EQ(policy_text(vips), std::string(kHeader) +
                                   "  if net = 10.213.0.100/32 then {  # www\n"
                                   "    bgp_local_pref = 200;\n"
                                   "    bgp_community.add((65010, 100));\n"
                                   "    bgp_large_community.add((4200000001, 7, 0));\n"
                                   "    bgp_community.add((65535, 65281));\n"
                                   "  }\n"
                                   "  if net = fd00:213::100/128 then {  # www6\n"
                                   "    bgp_community.add((0, 0));\n"
                                   "  }\n"
                                   "  if net = 10.213.0.102/32 then {  # backup\n"
                                   "    bgp_local_pref = 0;\n"
                                   "  }\n"
                                   "}\n");
}

TEST(BirdPolicy, NoAttributesAnywhereGivesAFunctionThatDoesNothing) {
  std::vector<config::Vip> vips = {vip("www", "10.213.0.100", {.med = 5}),
                                   vip("off", "10.213.0.101", {.announce = false})};
  EXPECT_EQ(policy_text(vips), std::string(kHeader) + "}\n");
  EXPECT_EQ(policy_text({}), std::string(kHeader) + "}\n");
}

TEST(BirdPolicy, HealthAndAnnouncementDoNotChangeTheText) {
  std::vector<config::Vip> vips = {vip("www", "10.213.0.100", {.local_pref = 300})};
  std::string before = policy_text(vips);
  vips[0].active = false;  // a VRRP BACKUP
  vips[0].bgp.announce = false;
  vips[0].bgp.min_healthy = 3;
  vips[0].backends.resize(3);
  EXPECT_EQ(policy_text(vips), before);
}

}  // namespace
}  // namespace sluice::bird
