// SPDX-License-Identifier: BSD-3-Clause
#include "net/ip_address.h"

#include <arpa/inet.h>

#include <charconv>

namespace sluice {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  uint8_t raw[16];
  if (inet_pton(AF_INET, buf, raw) == 1) return v4_from_wire(raw);
  if (inet_pton(AF_INET6, buf, raw) == 1) return v6_from_wire(raw);
  return std::nullopt;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN];
  if (is_v4())
    inet_ntop(AF_INET, v4_wire(), buf, sizeof buf);
  else
    inet_ntop(AF_INET6, v6_wire(), buf, sizeof buf);
  return buf;
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  std::string_view len_text = text.substr(slash + 1);
  unsigned length = 0;
  auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), length);
  if (ec != std::errc() || end != len_text.data() + len_text.size() || len_text.empty())
    return std::nullopt;
  if (length > (address->is_v4() ? 32u : 128u)) return std::nullopt;
  return IpPrefix{*address, uint8_t(length)};
}

bool IpPrefix::contains(const IpAddress& a) const {
  if (a.is_v4() != address.is_v4()) return false;
  unsigned bits = address.is_v4() ? length + 96u : length;
  for (unsigned i = 0; i < 16 && bits > 0; ++i) {
    unsigned take = bits >= 8 ? 8 : bits;
    uint8_t mask = uint8_t(0xff00 >> take);
    if ((a.bytes[i] & mask) != (address.bytes[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

std::string IpPrefix::to_string() const {
  return address.to_string() + "/" + std::to_string(length);
}

}  // namespace sluice
