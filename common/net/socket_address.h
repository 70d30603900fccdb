// SPDX-License-Identifier: BSD-3-Clause
// An IP address and a TCP/UDP port, as written in a config ("127.0.0.1:9101",
// "[::1]:9101") and shown in logs. Plain value type; pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "net/ip_address.h"

namespace sluice {

struct SocketAddress {
  IpAddress address;
  uint16_t port = 0;

  // "a.b.c.d:port" or "[IPv6]:port", port 1..65535 in decimal without a sign or leading
  // zeros; nullopt for anything else (a name, a missing port, an unbracketed IPv6).
  static std::optional<SocketAddress> parse(std::string_view text);
  std::string to_string() const;  // the form parse() reads, with canonical address text

  friend bool operator==(const SocketAddress&, const SocketAddress&) = default;
};

}  // namespace sluice
