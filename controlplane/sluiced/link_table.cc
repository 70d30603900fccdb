// SPDX-License-Identifier: BSD-3-Clause
#include "sluiced/link_table.h"

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>
#include <optional>
#include <utility>

namespace sluice::sluiced {

namespace {

// Calls f(type, payload, payload length) for each attribute of a message whose attributes
// start at `offset`; stops at the first malformed one.
template <class F>
void for_each_attribute(const uint8_t* message, uint32_t length, size_t offset, F f) {
  while (offset + sizeof(rtattr) <= length) {
    rtattr a;
    std::memcpy(&a, message + offset, sizeof a);
    if (a.rta_len < sizeof a || offset + a.rta_len > length) return;
    f(a.rta_type, message + offset + RTA_LENGTH(0), size_t(a.rta_len - RTA_LENGTH(0)));
    offset += RTA_ALIGN(a.rta_len);
  }
}

}  // namespace

size_t LinkTable::apply(std::span<const uint8_t> messages) {
  size_t applied = 0;
  const uint8_t* p = messages.data();
  size_t left = messages.size();
  while (left >= sizeof(nlmsghdr)) {
    nlmsghdr h;
    std::memcpy(&h, p, sizeof h);
    if (h.nlmsg_len < sizeof h || h.nlmsg_len > left) break;
    switch (h.nlmsg_type) {
      case RTM_NEWLINK:
      case RTM_DELLINK:
        if (h.nlmsg_len >= NLMSG_LENGTH(sizeof(ifinfomsg))) {
          apply_link(h.nlmsg_type, p, h.nlmsg_len);
          ++applied;
        }
        break;
      case RTM_NEWADDR:
      case RTM_DELADDR:
        if (h.nlmsg_len >= NLMSG_LENGTH(sizeof(ifaddrmsg))) {
          apply_address(h.nlmsg_type, p, h.nlmsg_len);
          ++applied;
        }
        break;
      default:
        break;
    }
    size_t step = NLMSG_ALIGN(h.nlmsg_len);
    if (step >= left) break;
    p += step;
    left -= step;
  }
  return applied;
}

void LinkTable::apply_link(uint16_t type, const uint8_t* message, uint32_t length) {
  ifinfomsg info;
  std::memcpy(&info, message + NLMSG_HDRLEN, sizeof info);
  std::string name;
  for_each_attribute(message, length, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifinfomsg)),
                     [&](uint16_t t, const uint8_t* data, size_t n) {
                       if (t != IFLA_IFNAME) return;
                       const char* text = reinterpret_cast<const char*>(data);
                       name.assign(text, strnlen(text, n));
                     });
  if (type == RTM_DELLINK) {
    links_.erase(info.ifi_index);
    std::erase_if(addresses_, [&](const auto& a) { return a.first.first == info.ifi_index; });
  } else if (!name.empty()) {
    links_[info.ifi_index] = Link{name, info.ifi_flags};
  }
}

void LinkTable::apply_address(uint16_t type, const uint8_t* message, uint32_t length) {
  ifaddrmsg info;
  std::memcpy(&info, message + NLMSG_HDRLEN, sizeof info);
  if (info.ifa_family != AF_INET && info.ifa_family != AF_INET6) return;
  bool v4 = info.ifa_family == AF_INET;
  std::optional<IpAddress> address, local;
  uint32_t flags = info.ifa_flags;
  for_each_attribute(message, length, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifaddrmsg)),
                     [&](uint16_t t, const uint8_t* data, size_t n) {
                       if ((t == IFA_ADDRESS || t == IFA_LOCAL) && n == (v4 ? 4u : 16u)) {
                         IpAddress a =
                             v4 ? IpAddress::v4_from_wire(data) : IpAddress::v6_from_wire(data);
                         (t == IFA_LOCAL ? local : address) = a;
                       } else if (t == IFA_FLAGS && n == sizeof(uint32_t)) {
                         std::memcpy(&flags, data, sizeof flags);
                       }
                     });
  // IPv4: IFA_LOCAL is the interface's own address (IFA_ADDRESS is the peer's on a
  // point-to-point link); IPv6 sends IFA_ADDRESS only.
  std::optional<IpAddress> own = local ? local : address;
  if (!own) return;
  auto key = std::make_pair(int32_t(info.ifa_index), *own);
  if (type == RTM_DELADDR)
    addresses_.erase(key);
  else
    addresses_[key] = flags;
}

const LinkTable::Link* LinkTable::find(const std::string& name, int32_t* index) const {
  for (const auto& [i, link] : links_)
    if (link.name == name) {
      if (index) *index = i;
      return &link;
    }
  return nullptr;
}

bool LinkTable::known(const std::string& name) const { return find(name) != nullptr; }

bool LinkTable::up(const std::string& name) const {
  const Link* l = find(name);
  return l && (l->flags & IFF_UP) && (l->flags & IFF_RUNNING);
}

std::string LinkTable::describe(const std::string& name) const {
  const Link* l = find(name);
  if (!l) return "absent";
  if (!(l->flags & IFF_UP)) return "down (admin)";
  if (!(l->flags & IFF_RUNNING)) return "down (no carrier)";
  return "up";
}

const uint32_t* LinkTable::address_flags(const std::string& link, const IpAddress& address) const {
  int32_t index = 0;
  if (!find(link, &index)) return nullptr;
  auto it = addresses_.find({index, address});
  return it == addresses_.end() ? nullptr : &it->second;
}

bool LinkTable::has_address(const std::string& link, const IpAddress& address) const {
  const uint32_t* flags = address_flags(link, address);
  return flags && !(*flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED));
}

std::string LinkTable::describe_address(const std::string& link, const IpAddress& address) const {
  const uint32_t* flags = address_flags(link, address);
  if (!flags) return "not on " + link;
  if (*flags & IFA_F_DADFAILED) return "a duplicate on " + link + " (DAD failed)";
  if (*flags & IFA_F_TENTATIVE) return "tentative on " + link + " (duplicate address detection)";
  return "on " + link;
}

}  // namespace sluice::sluiced
