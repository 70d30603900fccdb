// SPDX-License-Identifier: BSD-3-Clause
// The kernel's links and their addresses as rtnetlink tells them (RTM_NEWLINK /
// RTM_DELLINK, RTM_NEWADDR / RTM_DELADDR, from dumps or from the RTNLGRP_LINK and
// RTNLGRP_IPV4_IFADDR / IPV6_IFADDR groups): which interface is usable, and whether an
// address is on it. Pure: fed the bytes of netlink messages (link_monitor.h reads them
// from the socket), so tests build the messages.
//
// A link is up when it is administratively up and running (IFF_UP and IFF_RUNNING: the
// kernel sets IFF_RUNNING while the operational state is UP or UNKNOWN, so a veth whose
// peer is down, a cable pulled or a NIC without carrier is down). A link the table has
// never heard of, or that was deleted, is down. An address is usable when it is on the link
// and neither tentative (IPv6 duplicate address detection running) nor a duplicate: a
// VRRP instance sends its adverts from it. Main loop only.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "net/ip_address.h"

namespace sluice::sluiced {

class LinkTable {
 public:
  // Applies every RTM_NEWLINK / RTM_DELLINK in `messages` (one recv()'s worth: several
  // netlink messages back to back); skips other types and malformed ones. Returns the
  // number of link messages applied.
  size_t apply(std::span<const uint8_t> messages);

  bool up(const std::string& name) const;
  bool known(const std::string& name) const;
  // "up", "down (admin)", "down (no carrier)", "absent": for log lines.
  std::string describe(const std::string& name) const;

  bool has_address(const std::string& link, const IpAddress& address) const;
  // "on eth0", "not on eth0", "tentative on eth0 (duplicate address detection)", "a
  // duplicate on eth0 (DAD failed)": for log lines.
  std::string describe_address(const std::string& link, const IpAddress& address) const;

 private:
  struct Link {
    std::string name;
    uint32_t flags = 0;  // ifi_flags
  };
  const Link* find(const std::string& name, int32_t* index = nullptr) const;
  void apply_link(uint16_t type, const uint8_t* message, uint32_t length);
  void apply_address(uint16_t type, const uint8_t* message, uint32_t length);
  const uint32_t* address_flags(const std::string& link, const IpAddress& address) const;

  std::map<int32_t, Link> links_;  // by ifindex: a rename keeps the index
  std::map<std::pair<int32_t, IpAddress>, uint32_t> addresses_;  // -> IFA_F_* flags
};

}  // namespace sluice::sluiced
