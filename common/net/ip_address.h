// SPDX-License-Identifier: BSD-3-Clause
// An IPv4 or IPv6 address held in 16 bytes (IPv4 as ::ffff:a.b.c.d), so flow keys,
// VIP keys and backends have one layout for both families. Plain value type.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

struct IpAddress {
  std::array<uint8_t, 16> bytes{};

  static IpAddress v4(uint32_t host_order) {
    IpAddress a;
    a.bytes[10] = 0xff;
    a.bytes[11] = 0xff;
    a.bytes[12] = uint8_t(host_order >> 24);
    a.bytes[13] = uint8_t(host_order >> 16);
    a.bytes[14] = uint8_t(host_order >> 8);
    a.bytes[15] = uint8_t(host_order);
    return a;
  }
  // From 4 bytes in network order.
  static IpAddress v4_from_wire(const uint8_t* p) {
    IpAddress a;
    a.bytes[10] = 0xff;
    a.bytes[11] = 0xff;
    std::memcpy(&a.bytes[12], p, 4);
    return a;
  }
  static IpAddress v6_from_wire(const uint8_t* p) {
    IpAddress a;
    std::memcpy(a.bytes.data(), p, 16);
    return a;
  }

  bool is_v4() const {
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::memcmp(bytes.data(), kMapped, 12) == 0;
  }
  // Network-order pointer to the 4 IPv4 bytes; only meaningful when is_v4().
  const uint8_t* v4_wire() const { return &bytes[12]; }
  const uint8_t* v6_wire() const { return bytes.data(); }
  uint32_t v4_host_order() const {
    return uint32_t(bytes[12]) << 24 | uint32_t(bytes[13]) << 16 | uint32_t(bytes[14]) << 8 |
           bytes[15];
  }
  bool is_zero() const {
    for (uint8_t b : bytes)
      if (b) return false;
    return true;
  }

  // Accepts dotted quad or RFC 4291 text; nullopt when malformed.
  static std::optional<IpAddress> parse(std::string_view text);
  std::string to_string() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
};

// An address with a prefix length counted in the address's own family (0-32 or 0-128).
struct IpPrefix {
  IpAddress address;
  uint8_t length = 0;

  // "10.0.0.0/24", "2001:db8::/64"; nullopt when malformed.
  static std::optional<IpPrefix> parse(std::string_view text);
  bool contains(const IpAddress& a) const;
  std::string to_string() const;
  friend bool operator==(const IpPrefix&, const IpPrefix&) = default;
};

}  // namespace sluice
