// SPDX-License-Identifier: BSD-3-Clause
// What to check and how often: one backend address and port, a probe kind (TCP
// connect, HTTP GET, UDP request/reply) and HAProxy-style timing (inter, fastinter,
// downinter, timeout, rise, fall). Plain value types; any thread.
//
// Checks are identified by CheckKey, built from every field, so the same backend checked
// the same way for several VIPs is one check. probe_key() leaves out timing, rise, fall
// and initial state: HealthMonitor uses it to keep a check's health when a reload only
// retunes its timing.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "net/ip_address.h"

namespace sluice::health {

struct CheckKey {
  std::string text;  // canonical and printable, e.g. "tcp 10.0.0.1:80 inter=2000 ..."

  friend bool operator==(const CheckKey&, const CheckKey&) = default;
  friend auto operator<=>(const CheckKey&, const CheckKey&) = default;
};

struct CheckSpec {
  enum class Kind : uint8_t { kTcp, kHttp, kUdp };
  static constexpr size_t kKinds = 3;
  enum class Initial : uint8_t { kDown, kUp };

  Kind kind = Kind::kTcp;
  IpAddress address;
  uint16_t port = 0;
  uint32_t interval_ms = 2000;
  uint32_t fast_interval_ms = 0;  // while the state is changing; 0 = interval_ms
  uint32_t down_interval_ms = 0;  // while fully down; 0 = interval_ms
  uint32_t timeout_ms = 1000;
  uint32_t rise = 2;  // consecutive successes to go UP
  uint32_t fall = 3;  // consecutive failures to go DOWN
  std::string http_path = "/";
  std::string http_host;  // empty = the address (and port unless 80)
  uint16_t http_status_min = 200, http_status_max = 399;
  std::string udp_payload;  // sent as one datagram, may be binary or empty
  std::string udp_expect;   // the reply must contain it; empty = any reply
  Initial initial = Initial::kDown;

  CheckKey key() const;
  std::string probe_key() const;
  // "10.0.0.1:80", "[2001:db8::1]:80".
  std::string target() const;
  // Empty when the spec is usable, else what is wrong ("rise must be at least 1").
  std::string validate() const;

  friend bool operator==(const CheckSpec&, const CheckSpec&) = default;
};

const char* kind_name(CheckSpec::Kind kind);  // "tcp", "http", "udp"
// "10.0.0.1", "[2001:db8::1]": as in a URL authority.
std::string address_literal(const IpAddress& address);
// "10.0.0.1:80", "[2001:db8::1]:80".
std::string target_text(const IpAddress& address, uint16_t port);

}  // namespace sluice::health

template <>
struct std::hash<sluice::health::CheckKey> {
  size_t operator()(const sluice::health::CheckKey& k) const noexcept {
    return std::hash<std::string>{}(k.text);
  }
};
