// SPDX-License-Identifier: BSD-3-Clause
// sluiced's announcements as the routing daemon reads them (docs/bgp.md): one blackhole
// host route per announced VIP (/32, /128) in a kernel routing table that no `ip rule`
// uses, marked with sluiced's own routing-protocol number, the VIP's MED as the route's
// metric. rtnetlink requests, each acknowledged before the call returns (a NETLINK_ROUTE
// socket of the network namespace sluiced runs in). Main loop only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "net/ip_address.h"

namespace sluice::sluiced {

class RouteTable {
 public:
  RouteTable(uint32_t table, uint8_t protocol) : table_(table), protocol_(protocol) {}
  ~RouteTable();
  RouteTable(const RouteTable&) = delete;
  RouteTable& operator=(const RouteTable&) = delete;

  // Each returns nullopt on success, else what went wrong, for `show bgp` and the log.
  std::optional<std::string> open();
  // Installs (or replaces) the route of `vip` with `metric`.
  std::optional<std::string> add(const IpAddress& vip, uint32_t metric);
  // Removes it; a route that is not there is not an error.
  std::optional<std::string> remove(const IpAddress& vip, uint32_t metric);
  // Removes every route of our protocol in the table, both families (a previous run's).
  std::optional<std::string> flush(size_t* removed);
  // The routes of our protocol in the table: (VIP, metric).
  std::optional<std::string> list(std::vector<std::pair<IpAddress, uint32_t>>& out);

  uint32_t table() const { return table_; }
  uint8_t protocol() const { return protocol_; }

 private:
  std::optional<std::string> change(int type, int flags, const IpAddress& vip, uint32_t metric);
  std::optional<std::string> ack();

  uint32_t table_;
  uint8_t protocol_;
  int fd_ = -1;
  uint32_t seq_ = 0;
};

}  // namespace sluice::sluiced
