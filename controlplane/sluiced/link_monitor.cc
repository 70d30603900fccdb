// SPDX-License-Identifier: BSD-3-Clause
#include "sluiced/link_monitor.h"

#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <span>

namespace sluice::sluiced {

namespace {

std::string error(const std::string& what) { return what + ": " + std::strerror(errno); }

// True when `messages` holds the end of a dump (NLMSG_DONE) or an error answer to it.
bool ends_dump(std::span<const uint8_t> messages) {
  const uint8_t* p = messages.data();
  size_t left = messages.size();
  while (left >= sizeof(nlmsghdr)) {
    nlmsghdr h;
    std::memcpy(&h, p, sizeof h);
    if (h.nlmsg_len < sizeof h || h.nlmsg_len > left) return false;
    if (h.nlmsg_type == NLMSG_DONE || h.nlmsg_type == NLMSG_ERROR) return true;
    size_t step = NLMSG_ALIGN(h.nlmsg_len);
    if (step >= left) break;
    p += step;
    left -= step;
  }
  return false;
}

}  // namespace

LinkMonitor::~LinkMonitor() {
  if (fd_ >= 0) ::close(fd_);
}

bool LinkMonitor::request_dump(uint16_t type) {
  struct {
    nlmsghdr h;
    ifaddrmsg body;  // ifinfomsg for RTM_GETLINK: both start with the family byte
  } request{};
  request.h.nlmsg_len = NLMSG_LENGTH(type == RTM_GETLINK ? sizeof(ifinfomsg) : sizeof(ifaddrmsg));
  request.h.nlmsg_type = type;
  request.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.h.nlmsg_seq = type;
  request.body.ifa_family = AF_UNSPEC;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  return ::sendto(fd_, &request, request.h.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
                  sizeof kernel) == ssize_t(request.h.nlmsg_len);
}

void LinkMonitor::next_dump() {
  while (!dumping_ && !queued_dumps_.empty()) {
    uint16_t type = queued_dumps_.front();
    queued_dumps_.erase(queued_dumps_.begin());
    dumping_ = request_dump(type);
  }
}

std::optional<std::string> LinkMonitor::open() {
  fd_ = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd_ < 0) return error("netlink socket");
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  local.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0)
    return error("bind to the link and address groups");
  // The first dumps, waited for (bounded): tracking must not see every link as absent.
  timeval timeout{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  alignas(nlmsghdr) uint8_t buf[32768];
  for (uint16_t type : {uint16_t(RTM_GETLINK), uint16_t(RTM_GETADDR)}) {
    if (!request_dump(type)) return error("netlink dump request");
    for (;;) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        return error("netlink dump");
      }
      std::span<const uint8_t> got(buf, size_t(n));
      links_.apply(got);
      if (ends_dump(got)) break;
    }
  }
  int flags = ::fcntl(fd_, F_GETFL);
  ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
  return std::nullopt;
}

void LinkMonitor::on_readable() {
  alignas(nlmsghdr) uint8_t buf[32768];
  for (;;) {
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      std::span<const uint8_t> got(buf, size_t(n));
      links_.apply(got);
      if (dumping_ && ends_dump(got)) {
        dumping_ = false;
        next_dump();
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    // Events were lost: the state is only known again from new dumps.
    if (n < 0 && errno == ENOBUFS) {
      queued_dumps_ = {RTM_GETLINK, RTM_GETADDR};
      next_dump();
      continue;
    }
    return;  // EAGAIN: nothing more waiting
  }
}

}  // namespace sluice::sluiced
