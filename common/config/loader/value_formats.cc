// SPDX-License-Identifier: BSD-3-Clause
#include "config/loader/value_formats.h"

#include <algorithm>
#include <vector>

namespace sluice::config::loader {

bool valid_name(std::string_view s, size_t max_len, bool allow_dot) {
  if (s.empty() || s.size() > max_len) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || (allow_dot && c == '.');
    if (!ok) return false;
  }
  return true;
}

// sockaddr_un holds 108 bytes; keep a margin.
bool valid_socket_path(const std::string& p) { return !p.empty() && p[0] == '/' && p.size() < 100; }

std::optional<BgpCommunity> parse_bgp_community(std::string_view s) {
  std::vector<uint32_t> parts;
  while (parts.size() < 4) {
    size_t end = std::min(s.find(':'), s.size());
    std::string_view digits = s.substr(0, end);
    uint64_t value = 0;
    if (digits.empty() || digits.size() > 10) return std::nullopt;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + uint64_t(c - '0');
    }
    if (value > 0xFFFFFFFFull) return std::nullopt;
    parts.push_back(uint32_t(value));
    if (end == s.size()) break;
    s.remove_prefix(end + 1);
  }
  if (parts.size() == 2 && parts[0] <= 0xFFFF && parts[1] <= 0xFFFF)
    return BgpCommunity{.global = parts[0], .local1 = parts[1]};
  if (parts.size() == 3)
    return BgpCommunity{.large = true, .global = parts[0], .local1 = parts[1], .local2 = parts[2]};
  return std::nullopt;
}

}  // namespace sluice::config::loader
