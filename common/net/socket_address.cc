// SPDX-License-Identifier: BSD-3-Clause
#include "net/socket_address.h"

namespace sluice {

std::optional<SocketAddress> SocketAddress::parse(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  std::string_view port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port[0] == '0') return std::nullopt;
  uint32_t value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + uint32_t(c - '0');
  }
  if (value > 65535) return std::nullopt;
  bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);
  auto address = IpAddress::parse(host);
  // IPv6 only in brackets, IPv4 never: one spelling per address.
  if (!address || bracketed == address->is_v4() ||
      (!bracketed && host.find(':') != std::string_view::npos))
    return std::nullopt;
  return SocketAddress{*address, uint16_t(value)};
}

std::string SocketAddress::to_string() const {
  std::string port_text = std::to_string(port);
  if (address.is_v4()) return address.to_string() + ":" + port_text;
  return "[" + address.to_string() + "]:" + port_text;
}

}  // namespace sluice
