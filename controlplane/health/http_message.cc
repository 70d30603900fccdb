// SPDX-License-Identifier: BSD-3-Clause
#include "health/http_message.h"

namespace sluice::health {

namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Consumes one or more digits from the front of s.
bool eat_digits(std::string_view& s) {
  size_t n = 0;
  while (n < s.size() && is_digit(s[n])) ++n;
  s.remove_prefix(n);
  return n > 0;
}
}  // namespace

std::string http_request(const CheckSpec& spec) {
  std::string host = spec.http_host;
  if (host.empty()) {
    host = spec.port == 80 ? address_literal(spec.address) : spec.target();
  }
  std::string r = "GET ";
  r += spec.http_path;
  r += " HTTP/1.0\r\nHost: ";
  r += host;
  r += "\r\nUser-Agent: sluice-health\r\nConnection: close\r\n\r\n";
  return r;
}

std::optional<uint16_t> parse_status_line(std::string_view s) {
  if (!s.starts_with("HTTP/")) return std::nullopt;
  s.remove_prefix(5);
  if (!eat_digits(s) || s.empty() || s[0] != '.') return std::nullopt;
  s.remove_prefix(1);
  if (!eat_digits(s) || s.empty() || s[0] != ' ') return std::nullopt;
  while (!s.empty() && s[0] == ' ') s.remove_prefix(1);
  if (s.size() < 3 || !is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[2])) return std::nullopt;
  uint16_t code = uint16_t((s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0'));
  s.remove_prefix(3);
  if (!s.empty() && s[0] != ' ' && s[0] != '\r' && s[0] != '\n') return std::nullopt;
  if (code < 100) return std::nullopt;
  return code;
}

}  // namespace sluice::health
