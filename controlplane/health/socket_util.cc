// SPDX-License-Identifier: BSD-3-Clause
#include "health/socket_util.h"

#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice::health {

SocketAddress socket_address(const IpAddress& address, uint16_t port) {
  SocketAddress a;
  if (address.is_v4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&a.storage);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    std::memcpy(&sin->sin_addr, address.v4_wire(), 4);
    a.length = sizeof(sockaddr_in);
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&a.storage);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    std::memcpy(&sin6->sin6_addr, address.v6_wire(), 16);
    a.length = sizeof(sockaddr_in6);
  }
  return a;
}

CheckResult connect_failure(int err) {
  switch (err) {
    case ECONNREFUSED:
      return {Reason::kL4Refused};
    case ETIMEDOUT:
      return {Reason::kL4Timeout};
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EHOSTDOWN:
    case ENETDOWN:
      return {Reason::kL4Unreachable};
    default:
      return {Reason::kL4Error, 0, err};
  }
}

ConnectStart start_connect(const SocketAddress& to, int type) {
  ConnectStart s;
  int fd = socket(to.family(), type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    s.failure = {Reason::kLocalError, 0, errno};
    return s;
  }
  if (connect(fd, to.get(), to.length) == 0) {
    s.fd = fd;
    s.connected = true;
    return s;
  }
  int err = errno;
  if (err == EINPROGRESS) {
    s.fd = fd;
    return s;
  }
  close(fd);
  s.failure = err == EAGAIN ? CheckResult{Reason::kLocalError, 0, err} : connect_failure(err);
  return s;
}

int pending_error(int fd) {
  int err = 0;
  socklen_t len = sizeof(err);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

}  // namespace sluice::health
