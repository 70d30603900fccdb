// SPDX-License-Identifier: BSD-3-Clause
// What the tables read so far have claimed. Later tables are checked against it: names,
// devices, addresses and VIP identities must be unique, and dsr-l2 backends on-link.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "config/config.h"

namespace sluice::config::loader {

struct Claims {
  std::map<std::string, uint32_t> port_names;       // name -> line first defined
  std::map<std::string, std::string> devices;       // device identity -> port entity
  std::map<IpAddress, std::string> port_addresses;  // -> port entity
  std::set<IpAddress> neighbor_addresses;
  std::map<std::string, uint32_t> vip_names;  // name -> line first defined
  std::map<std::tuple<IpAddress, uint8_t, uint16_t>, std::string> vip_identities;  // -> entity
  std::map<IpAddress, std::string> vip_addresses;  // -> the first VIP entity with it
  // Backend addresses -> where first written, so that a VIP read later on one is found.
  std::map<IpAddress, toml::source_position> backend_addresses;
  // [nat] local addresses -> where written: no VIP or backend may use one.
  std::map<IpAddress, toml::source_position> nat_addresses;
  size_t vips = 0;           // [[vip]] tables read
  size_t backend_pairs = 0;  // (VIP, backend) pairs read

  // In the subnet of one of `ports`' addresses, or a static neighbor.
  bool on_link(const std::vector<Port>& ports, const IpAddress& a) const;
};

}  // namespace sluice::config::loader
