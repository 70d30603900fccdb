// SPDX-License-Identifier: BSD-3-Clause
// Socket plumbing shared by the probes. Internal to controlplane/health; any thread.
#pragma once

#include <sys/socket.h>

#include <cstdint>

#include "health/check_result.h"
#include "net/ip_address.h"

namespace sluice::health {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family() const { return storage.ss_family; }
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

SocketAddress socket_address(const IpAddress& address, uint16_t port);

// The failure reason of a TCP connect that ended with errno `err`.
CheckResult connect_failure(int err);

struct ConnectStart {
  int fd = -1;             // -1: failed, see failure
  bool connected = false;  // connect() completed at once
  CheckResult failure;
};
// Opens a non-blocking socket of `type` and connects it.
ConnectStart start_connect(const SocketAddress& to, int type);

// SO_ERROR of a socket whose connect was in progress; 0 once connected.
int pending_error(int fd);

}  // namespace sluice::health
