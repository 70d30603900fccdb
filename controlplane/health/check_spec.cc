// SPDX-License-Identifier: BSD-3-Clause
#include "health/check_spec.h"

#include <string_view>

namespace sluice::health {

namespace {

// Keeps key fields free of spaces and '=' so the key text stays unambiguous.
void append_escaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char c : s) {
    if (c > 0x20 && c < 0x7f && c != '\\' && c != '=') {
      out += char(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
}

bool has_control_or_space(std::string_view s) {
  for (unsigned char c : s)
    if (c <= 0x20 || c == 0x7f) return true;
  return false;
}

}  // namespace

const char* kind_name(CheckSpec::Kind kind) {
  switch (kind) {
    case CheckSpec::Kind::kTcp:
      return "tcp";
    case CheckSpec::Kind::kHttp:
      return "http";
    case CheckSpec::Kind::kUdp:
      return "udp";
  }
  return "?";
}

std::string address_literal(const IpAddress& address) {
  if (address.is_v4()) return address.to_string();
  std::string s;
  s += '[';
  s += address.to_string();
  s += ']';
  return s;
}

std::string target_text(const IpAddress& address, uint16_t port) {
  std::string s = address_literal(address);
  s += ':';
  s += std::to_string(port);
  return s;
}

std::string CheckSpec::target() const { return target_text(address, port); }

std::string CheckSpec::probe_key() const {
  std::string k = kind_name(kind);
  k += ' ';
  k += target();
  switch (kind) {
    case Kind::kTcp:
      break;
    case Kind::kHttp:
      k += " path=";
      append_escaped(k, http_path);
      k += " host=";
      append_escaped(k, http_host);
      k += " status=" + std::to_string(http_status_min) + "-" + std::to_string(http_status_max);
      break;
    case Kind::kUdp:
      k += " send=";
      append_escaped(k, udp_payload);
      k += " expect=";
      append_escaped(k, udp_expect);
      break;
  }
  return k;
}

CheckKey CheckSpec::key() const {
  std::string k = probe_key();
  k += " inter=" + std::to_string(interval_ms);
  k += " fastinter=" + std::to_string(fast_interval_ms);
  k += " downinter=" + std::to_string(down_interval_ms);
  k += " timeout=" + std::to_string(timeout_ms);
  k += " rise=" + std::to_string(rise);
  k += " fall=" + std::to_string(fall);
  k += initial == Initial::kUp ? " init=up" : " init=down";
  return CheckKey{std::move(k)};
}

std::string CheckSpec::validate() const {
  if (address.is_zero()) return "address must be set";
  if (port == 0) return "port must be 1-65535";
  if (interval_ms == 0) return "interval must be at least 1 ms";
  if (timeout_ms == 0) return "timeout must be at least 1 ms";
  if (rise == 0) return "rise must be at least 1";
  if (fall == 0) return "fall must be at least 1";
  if (kind == Kind::kHttp) {
    if (http_path.empty() || http_path[0] != '/') return "http path must start with '/'";
    if (has_control_or_space(http_path))
      return "http path must not contain spaces or control characters";
    if (has_control_or_space(http_host))
      return "http host must not contain spaces or control characters";
    if (http_status_min < 100 || http_status_max > 599 || http_status_min > http_status_max)
      return "http status range must be within 100-599, min <= max";
  }
  if (kind == Kind::kUdp && udp_payload.size() > 1472)
    return "udp payload must be at most 1472 bytes";
  return {};
}

}  // namespace sluice::health
