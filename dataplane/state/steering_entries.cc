// SPDX-License-Identifier: BSD-3-Clause
#include "state/steering_entries.h"

#include <algorithm>

namespace sluice {

namespace {

template <class T>
void sort_unique(std::vector<T>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

void answer_echo_and_neighbors(const IpAddress& address, SteeringEntries& out) {
  out.services.push_back({address, address.is_v4() ? kProtocolIcmp : kProtocolIcmpv6, 0});
  out.addresses.push_back(address);
}

}  // namespace

SteeringEntries steering_entries(const config::Config& config, size_t port_index) {
  SteeringEntries out;
  for (const config::Vip& vip : config.vips) {
    if (!vip.active) continue;
    out.services.push_back({vip.address, vip.protocol, vip.port});
    answer_echo_and_neighbors(vip.address, out);
  }
  if (port_index < config.ports.size())
    for (const IpPrefix& own : config.ports[port_index].addresses)
      answer_echo_and_neighbors(own.address, out);
  for (const IpAddress& local : config.nat.local_addresses) {
    out.services.push_back({local, config::kProtocolTcp, 0});
    out.services.push_back({local, config::kProtocolUdp, 0});
    answer_echo_and_neighbors(local, out);
  }
  sort_unique(out.services);
  sort_unique(out.addresses);
  return out;
}

}  // namespace sluice
