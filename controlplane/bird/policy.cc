// SPDX-License-Identifier: BSD-3-Clause
#include "bird/policy.h"

namespace sluice::bird {

namespace {

std::string host_prefix(const IpAddress& a) { return a.to_string() + (a.is_v4() ? "/32" : "/128"); }

std::string bird_pair(const config::BgpCommunity& c) {
  if (c.large)
    return "(" + std::to_string(c.global) + ", " + std::to_string(c.local1) + ", " +
           std::to_string(c.local2) + ")";
  return "(" + std::to_string(c.global) + ", " + std::to_string(c.local1) + ")";
}

}  // namespace

std::string policy_text(std::span<const config::Vip> vips) {
  std::string out =
      "# Written by sluiced from [vip.bgp] local_pref and communities ([bgp] bird_policy);\n"
      "# do not edit. bird's export filter calls sluice_vip_policy() (configs/bird-sluice.conf).\n"
      "function sluice_vip_policy()\n"
      "{\n";
  for (const config::Vip& v : vips) {
    const config::VipBgp& b = v.bgp;
    if (!b.local_pref && b.communities.empty()) continue;
    out += "  if net = " + host_prefix(v.address) + " then {  # " + v.name + "\n";
    if (b.local_pref) out += "    bgp_local_pref = " + std::to_string(*b.local_pref) + ";\n";
    for (const config::BgpCommunity& c : b.communities)
      out += std::string("    ") + (c.large ? "bgp_large_community" : "bgp_community") + ".add(" +
             bird_pair(c) + ");\n";
    out += "  }\n";
  }
  out += "}\n";
  return out;
}

}  // namespace sluice::bird
