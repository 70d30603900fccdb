// SPDX-License-Identifier: BSD-3-Clause
// The dataplane's configuration as loaded from TOML (see configs/*.toml for the schema
// with comments). Plain value types: built on the control thread by config_loader.h,
// already validated, then copied or translated into forwarding state. Not used on the
// packet path. A default-constructed struct holds the schema defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_address.h"
#include "common/mac_address.h"

namespace sluice::config {

enum class ForwardingMode : uint8_t { kDsrL2, kIpip, kGue };
enum class BackendState : uint8_t {
  kReady,  // new and existing flows
  kDrain,  // existing flows only
  kMaint,  // no traffic at all
};

inline constexpr uint8_t kProtocolTcp = 6;   // IPPROTO_TCP
inline constexpr uint8_t kProtocolUdp = 17;  // IPPROTO_UDP

struct Backend {
  IpAddress address;
  uint16_t weight = 1;  // 0 behaves like kDrain
  BackendState state = BackendState::kReady;
  friend bool operator==(const Backend&, const Backend&) = default;
};

struct Vip {
  std::string name;
  IpAddress address;
  uint8_t protocol = kProtocolTcp;
  uint16_t port = 0;  // 0 = every port of `protocol`
  ForwardingMode mode = ForwardingMode::kDsrL2;
  uint32_t maglev_table_size = 65537;  // prime
  // Outer source prefixes for ipip/gue; set whenever a backend of that family exists.
  std::optional<IpPrefix> encap_source;   // IPv4
  std::optional<IpPrefix> encap_source6;  // IPv6
  uint16_t gue_port = 6080;               // outer UDP destination port, gue only
  std::vector<Backend> backends;          // non-empty, distinct addresses
  friend bool operator==(const Vip&, const Vip&) = default;
};

struct Port {
  std::string name;
  std::string device;                 // PCI address or vdev string, as written
  std::vector<IpPrefix> addresses;    // own addresses; the prefix is the on-link subnet
  std::optional<IpAddress> gateway;   // IPv4, inside one of `addresses`
  std::optional<IpAddress> gateway6;  // IPv6, inside one of `addresses`
  uint16_t mtu = 1500;
  std::optional<MacAddress> mac;  // overrides the device's MAC; unicast
  uint16_t queues = 0;            // 0 = one RX/TX queue pair per worker
  friend bool operator==(const Port&, const Port&) = default;
};

struct Neighbor {
  IpAddress address;
  MacAddress mac;
  friend bool operator==(const Neighbor&, const Neighbor&) = default;
};

struct FlowTimeouts {
  uint32_t tcp_syn_ms = 10'000;
  uint32_t tcp_established_ms = 900'000;
  uint32_t tcp_closing_ms = 10'000;
  uint32_t udp_ms = 30'000;
  uint32_t other_ms = 30'000;
  friend bool operator==(const FlowTimeouts&, const FlowTimeouts&) = default;
};

struct DataplaneSettings {
  uint32_t main_lcore = 0;
  std::vector<uint32_t> worker_lcores{1};  // non-empty, distinct, without main_lcore
  uint32_t burst_size = 32;
  uint32_t flow_table_size = 1u << 20;  // flows per worker
  uint32_t idle_sleep_us = 0;           // 0 = busy polling
  bool hugepages = true;
  uint32_t memory_mb = 1024;
  std::string file_prefix = "sluice";
  uint32_t mbufs_per_port = 16383;
  std::vector<std::string> eal_args;  // appended verbatim after the generated EAL args
  friend bool operator==(const DataplaneSettings&, const DataplaneSettings&) = default;
};

struct Config {
  DataplaneSettings dataplane;
  FlowTimeouts flow_timeouts;
  std::vector<Port> ports;  // non-empty
  std::vector<Neighbor> neighbors;
  std::vector<Vip> vips;  // (address, protocol, port) distinct
  friend bool operator==(const Config&, const Config&) = default;
};

// Names as written in the TOML file.
inline std::string to_string(ForwardingMode m) {
  switch (m) {
    case ForwardingMode::kDsrL2:
      return "dsr-l2";
    case ForwardingMode::kIpip:
      return "ipip";
    case ForwardingMode::kGue:
      return "gue";
  }
  return "?";
}
inline std::string to_string(BackendState s) {
  switch (s) {
    case BackendState::kReady:
      return "ready";
    case BackendState::kDrain:
      return "drain";
    case BackendState::kMaint:
      return "maint";
  }
  return "?";
}
inline std::string protocol_name(uint8_t protocol) {
  if (protocol == kProtocolTcp) return "tcp";
  if (protocol == kProtocolUdp) return "udp";
  return std::to_string(protocol);
}

inline std::optional<ForwardingMode> parse_forwarding_mode(std::string_view text) {
  if (text == "dsr-l2") return ForwardingMode::kDsrL2;
  if (text == "ipip") return ForwardingMode::kIpip;
  if (text == "gue") return ForwardingMode::kGue;
  return std::nullopt;
}
inline std::optional<BackendState> parse_backend_state(std::string_view text) {
  if (text == "ready") return BackendState::kReady;
  if (text == "drain") return BackendState::kDrain;
  if (text == "maint") return BackendState::kMaint;
  return std::nullopt;
}
inline std::optional<uint8_t> parse_protocol(std::string_view text) {
  if (text == "tcp") return kProtocolTcp;
  if (text == "udp") return kProtocolUdp;
  return std::nullopt;
}

}  // namespace sluice::config
