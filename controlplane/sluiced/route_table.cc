// SPDX-License-Identifier: BSD-3-Clause
#include "sluiced/route_table.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice::sluiced {

namespace {

constexpr size_t kBufferBytes = 32768;

struct Request {
  nlmsghdr header;
  rtmsg route;
  char attributes[64];
};

void put_attribute(Request& r, uint16_t type, const void* data, size_t size) {
  auto* a =
      reinterpret_cast<rtattr*>(reinterpret_cast<char*>(&r) + NLMSG_ALIGN(r.header.nlmsg_len));
  a->rta_type = type;
  a->rta_len = uint16_t(RTA_LENGTH(size));
  std::memcpy(RTA_DATA(a), data, size);
  r.header.nlmsg_len = uint32_t(NLMSG_ALIGN(r.header.nlmsg_len) + RTA_ALIGN(a->rta_len));
}

std::string errno_text(int err) { return std::strerror(err); }

}  // namespace

RouteTable::~RouteTable() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<std::string> RouteTable::open() {
  if (fd_ >= 0) return std::nullopt;
  fd_ = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd_ < 0) return "netlink socket: " + errno_text(errno);
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
    int err = errno;
    ::close(fd_);
    fd_ = -1;
    return "netlink bind: " + errno_text(err);
  }
  timeval timeout{.tv_sec = 2, .tv_usec = 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  return std::nullopt;
}

std::optional<std::string> RouteTable::change(int type, int flags, const IpAddress& vip,
                                              uint32_t metric) {
  if (auto error = open()) return error;
  Request r{};
  r.header.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
  r.header.nlmsg_type = uint16_t(type);
  r.header.nlmsg_flags = uint16_t(NLM_F_REQUEST | NLM_F_ACK | flags);
  r.header.nlmsg_seq = ++seq_;
  r.route.rtm_family = vip.is_v4() ? AF_INET : AF_INET6;
  r.route.rtm_dst_len = vip.is_v4() ? 32 : 128;
  r.route.rtm_table = table_ < 256 ? uint8_t(table_) : RT_TABLE_UNSPEC;
  r.route.rtm_protocol = protocol_;
  r.route.rtm_scope = RT_SCOPE_UNIVERSE;
  r.route.rtm_type = RTN_BLACKHOLE;
  if (vip.is_v4())
    put_attribute(r, RTA_DST, vip.v4_wire(), 4);
  else
    put_attribute(r, RTA_DST, vip.v6_wire(), 16);
  put_attribute(r, RTA_TABLE, &table_, sizeof table_);
  put_attribute(r, RTA_PRIORITY, &metric, sizeof metric);
  if (::send(fd_, &r, r.header.nlmsg_len, 0) < 0) return "netlink send: " + errno_text(errno);
  return ack();
}

std::optional<std::string> RouteTable::ack() {
  alignas(nlmsghdr) char buffer[kBufferBytes];
  while (true) {
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return "netlink receive: " + errno_text(errno);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buffer); NLMSG_OK(h, size_t(n));
         h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != seq_ || h->nlmsg_type != NLMSG_ERROR) continue;
      const auto* e = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
      if (e->error == 0) return std::nullopt;
      return errno_text(-e->error);
    }
  }
}

std::optional<std::string> RouteTable::add(const IpAddress& vip, uint32_t metric) {
  if (auto error = change(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, vip, metric))
    return "cannot add " + vip.to_string() + " to table " + std::to_string(table_) + ": " + *error;
  return std::nullopt;
}

std::optional<std::string> RouteTable::remove(const IpAddress& vip, uint32_t metric) {
  auto error = change(RTM_DELROUTE, 0, vip, metric);
  if (!error || *error == errno_text(ESRCH)) return std::nullopt;
  return "cannot remove " + vip.to_string() + " from table " + std::to_string(table_) + ": " +
         *error;
}

std::optional<std::string> RouteTable::list(std::vector<std::pair<IpAddress, uint32_t>>& out) {
  if (auto error = open()) return error;
  out.clear();
  for (int family : {AF_INET, AF_INET6}) {
    Request r{};
    r.header.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
    r.header.nlmsg_type = RTM_GETROUTE;
    r.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    r.header.nlmsg_seq = ++seq_;
    r.route.rtm_family = uint8_t(family);
    if (::send(fd_, &r, r.header.nlmsg_len, 0) < 0) return "netlink dump: " + errno_text(errno);
    alignas(nlmsghdr) char buffer[kBufferBytes];
    bool done = false;
    while (!done) {
      ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return "netlink dump: " + errno_text(errno);
      for (auto* h = reinterpret_cast<nlmsghdr*>(buffer); NLMSG_OK(h, size_t(n));
           h = NLMSG_NEXT(h, n)) {
        if (h->nlmsg_seq != seq_) continue;
        if (h->nlmsg_type == NLMSG_DONE) {
          done = true;
          break;
        }
        if (h->nlmsg_type == NLMSG_ERROR) {
          const auto* e = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
          if (e->error != 0) return "netlink dump: " + errno_text(-e->error);
          continue;
        }
        if (h->nlmsg_type != RTM_NEWROUTE) continue;
        const auto* rt = static_cast<const rtmsg*>(NLMSG_DATA(h));
        if (rt->rtm_protocol != protocol_) continue;
        uint32_t table = rt->rtm_table;
        uint32_t metric = 0;
        std::optional<IpAddress> dst;
        int length = int(RTM_PAYLOAD(h));
        for (auto* a = RTM_RTA(rt); RTA_OK(a, length); a = RTA_NEXT(a, length)) {
          if (a->rta_type == RTA_TABLE) std::memcpy(&table, RTA_DATA(a), 4);
          if (a->rta_type == RTA_PRIORITY) std::memcpy(&metric, RTA_DATA(a), 4);
          if (a->rta_type == RTA_DST) {
            const auto* p = static_cast<const uint8_t*>(RTA_DATA(a));
            dst =
                rt->rtm_family == AF_INET ? IpAddress::v4_from_wire(p) : IpAddress::v6_from_wire(p);
          }
        }
        if (table == table_ && dst) out.emplace_back(*dst, metric);
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> RouteTable::flush(size_t* removed) {
  std::vector<std::pair<IpAddress, uint32_t>> routes;
  if (auto error = list(routes)) return error;
  *removed = 0;
  for (const auto& [vip, metric] : routes) {
    if (auto error = remove(vip, metric)) return error;
    ++*removed;
  }
  return std::nullopt;
}

}  // namespace sluice::sluiced
