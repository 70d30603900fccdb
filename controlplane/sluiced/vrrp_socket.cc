// SPDX-License-Identifier: BSD-3-Clause
#include "sluiced/vrrp_socket.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice::sluiced {

namespace {

constexpr int kProtoVrrp = 112;
constexpr int kTtl = 255;
// DSCP CS6 (network control, RFC 4594), as keepalived and FRR mark their adverts, so a
// congested link queues them ahead of data traffic.
constexpr int kTrafficClassCs6 = 0xc0;

sockaddr_storage to_sockaddr(const IpAddress& a, int ifindex, socklen_t& len) {
  sockaddr_storage ss{};
  if (a.is_v4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    sin->sin_family = AF_INET;
    std::memcpy(&sin->sin_addr, a.v4_wire(), 4);
    len = sizeof(sockaddr_in);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    std::memcpy(&sin6->sin6_addr, a.v6_wire(), 16);
    sin6->sin6_scope_id = uint32_t(ifindex);
    len = sizeof(sockaddr_in6);
  }
  return ss;
}

std::string error(const std::string& what) { return what + ": " + std::strerror(errno); }

}  // namespace

VrrpSocket::~VrrpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<std::string> VrrpSocket::open(const std::string& interface, const IpAddress& local,
                                            std::vector<IpAddress> unicast_peers,
                                            vrrp::ChecksumForm ipv4_checksum) {
  local_ = local;
  peers_ = std::move(unicast_peers);
  form_ = ipv4_checksum;
  ifindex_ = int(if_nametoindex(interface.c_str()));
  if (ifindex_ == 0) return error("interface " + interface);
  bool v4 = local.is_v4();
  fd_ = ::socket(v4 ? AF_INET : AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, kProtoVrrp);
  if (fd_ < 0) return error("raw socket for protocol 112 (root needed)");
  if (::setsockopt(fd_, SOL_SOCKET, SO_BINDTODEVICE, interface.c_str(),
                   socklen_t(interface.size())) != 0)
    return error("SO_BINDTODEVICE " + interface);
  int ttl = kTtl, off = 0, on = 1;
  if (v4) {
    ip_mreqn group{};
    inet_pton(AF_INET, "224.0.0.18", &group.imr_multiaddr);
    group.imr_ifindex = ifindex_;
    if (peers_.empty() &&
        ::setsockopt(fd_, IPPROTO_IP, IP_ADD_MEMBERSHIP, &group, sizeof group) != 0)
      return error("join 224.0.0.18 on " + interface);
    ip_mreqn out{};
    std::memcpy(&out.imr_address, local.v4_wire(), 4);
    out.imr_ifindex = ifindex_;
    ::setsockopt(fd_, IPPROTO_IP, IP_MULTICAST_IF, &out, sizeof out);
    ::setsockopt(fd_, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
    ::setsockopt(fd_, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
    ::setsockopt(fd_, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof off);
    if (::setsockopt(fd_, IPPROTO_IP, IP_TOS, &kTrafficClassCs6, sizeof kTrafficClassCs6) != 0)
      return error("IP_TOS CS6 on " + interface);
  } else {
    ipv6_mreq group{};
    inet_pton(AF_INET6, "ff02::12", &group.ipv6mr_multiaddr);
    group.ipv6mr_interface = unsigned(ifindex_);
    if (peers_.empty() &&
        ::setsockopt(fd_, IPPROTO_IPV6, IPV6_JOIN_GROUP, &group, sizeof group) != 0)
      return error("join ff02::12 on " + interface);
    ::setsockopt(fd_, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex_, sizeof ifindex_);
    ::setsockopt(fd_, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof ttl);
    ::setsockopt(fd_, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl);
    ::setsockopt(fd_, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof off);
    if (::setsockopt(fd_, IPPROTO_IPV6, IPV6_TCLASS, &kTrafficClassCs6, sizeof kTrafficClassCs6) !=
        0)
      return error("IPV6_TCLASS CS6 on " + interface);
    ::setsockopt(fd_, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on);
    ::setsockopt(fd_, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on);
  }
  return std::nullopt;
}

void VrrpSocket::send(const vrrp::Advert& advert) {
  std::vector<IpAddress> targets = peers_;
  if (targets.empty())
    targets.push_back(local_.is_v4() ? vrrp::multicast_group_v4() : vrrp::multicast_group_v6());
  for (const IpAddress& to : targets) {
    std::vector<uint8_t> message = vrrp::encode(advert, local_, to, form_);
    socklen_t len = 0;
    sockaddr_storage dst = to_sockaddr(to, ifindex_, len);
    // The source is the interface's address: this raw socket is bound to the device and
    // the VRRP interface carries the node's primary address.
    ::sendto(fd_, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&dst), len);
  }
}

std::optional<VrrpSocket::Received> VrrpSocket::receive() {
  uint8_t buf[2048];
  sockaddr_storage from{};
  iovec iov{buf, sizeof buf};
  alignas(cmsghdr) char control[256];
  msghdr msg{};
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(fd_, &msg, 0);
  if (n <= 0) return std::nullopt;

  vrrp::ReceivedIp ip;
  std::span<const uint8_t> message;
  if (local_.is_v4()) {
    // IPv4 raw sockets deliver the IP header too.
    if (n < 20) return Received{{vrrp::DecodeError::kTruncated}, {}};
    size_t header = size_t(buf[0] & 0x0f) * 4;
    if (size_t(n) < header) return Received{{vrrp::DecodeError::kTruncated}, {}};
    ip.ttl = buf[8];
    ip.source = IpAddress::v4_from_wire(buf + 12);
    ip.destination = IpAddress::v4_from_wire(buf + 16);
    message = {buf + header, size_t(n) - header};
  } else {
    ip.source = IpAddress::v6_from_wire(
        reinterpret_cast<const uint8_t*>(&reinterpret_cast<sockaddr_in6*>(&from)->sin6_addr));
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != IPPROTO_IPV6) continue;
      if (c->cmsg_type == IPV6_HOPLIMIT) {
        int hops = 0;
        std::memcpy(&hops, CMSG_DATA(c), sizeof hops);
        ip.ttl = uint8_t(hops);
      } else if (c->cmsg_type == IPV6_PKTINFO) {
        in6_pktinfo info;
        std::memcpy(&info, CMSG_DATA(c), sizeof info);
        ip.destination = IpAddress::v6_from_wire(reinterpret_cast<const uint8_t*>(&info.ipi6_addr));
      }
    }
    message = {buf, size_t(n)};
  }
  return Received{vrrp::decode(message, ip, form_), ip.source};
}

}  // namespace sluice::sluiced
