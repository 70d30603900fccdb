// SPDX-License-Identifier: BSD-3-Clause
// sluiced's view of the kernel's links and addresses for VRRP interface tracking: a
// NETLINK_ROUTE socket subscribed to RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR and
// RTNLGRP_IPV6_IFADDR, read from the daemon's epoll loop, feeding a LinkTable
// (link_table.h). open() dumps the links and the addresses before it returns, so the table
// is complete before the first tracking decision; afterwards every change (ip link set
// down, carrier loss, a deleted or renamed interface, an address removed or in DAD)
// arrives as an event. Main loop only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sluiced/link_table.h"

namespace sluice::sluiced {

class LinkMonitor {
 public:
  LinkMonitor() = default;
  ~LinkMonitor();
  LinkMonitor(const LinkMonitor&) = delete;
  LinkMonitor& operator=(const LinkMonitor&) = delete;

  // nullopt on success, else why not (for the log).
  std::optional<std::string> open();
  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  // Reads every message waiting (non-blocking). When the kernel dropped events (the
  // socket's buffer overflowed), asks for new dumps, whose answers arrive on the socket.
  void on_readable();
  const LinkTable& links() const { return links_; }

 private:
  bool request_dump(uint16_t type);  // RTM_GETLINK or RTM_GETADDR
  void next_dump();                  // the next queued one, if none is running

  int fd_ = -1;
  LinkTable links_;
  std::vector<uint16_t> queued_dumps_;
  bool dumping_ = false;  // one dump at a time per socket
};

}  // namespace sluice::sluiced
