// SPDX-License-Identifier: BSD-3-Clause
// What sluice-pktgen sends: one flow set, written as comma-separated key=value pairs
//
//   proto=tcp,kind=established,flows=65536,dst=10.0.0.100,dport=80
//
// Flow i of a set of `flows` has source address src + i / ports and source port
// sport + i % ports; everything else (destination, MACs, size) is the same for every flow.
// The family is the destination's. Pure: parsed and validated without DPDK.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "net/ip_address.h"
#include "net/mac_address.h"

namespace sluice::pktgen {

enum class Protocol : uint8_t { kUdp, kTcp };
// What every TCP segment of a flow is: an ACK of an established connection, or a SYN
// (a connection attempt: with enough flows, a SYN flood of distinct tuples). UDP: kDatagram.
enum class Kind : uint8_t { kDatagram, kEstablished, kSyn };

inline constexpr uint32_t kMaxFlows = 16u << 20;  // 16,777,216
inline constexpr uint32_t kMaxFrameSize = 1514;   // without FCS

struct FlowSpec {
  Protocol protocol = Protocol::kUdp;
  Kind kind = Kind::kDatagram;
  uint32_t flows = 1;
  IpAddress src;  // the first flow's source address
  IpAddress dst;
  uint16_t sport = 1024;  // the first flow's source port
  uint32_t ports = 1;     // source ports per source address
  uint16_t dport = 9;
  uint16_t size = 0;  // frame length without FCS; 0 before parse() fills the smallest
  MacAddress smac{{0x02, 0, 0, 0, 0, 0x20}};
  MacAddress dmac{{0x02, 0, 0, 0, 0, 0x10}};

  bool ipv6() const { return !dst.is_v4(); }
  uint32_t source_addresses() const { return (flows + ports - 1) / ports; }
};

// Headers plus the 16-byte stamp sluice-pktgen writes into every payload.
uint16_t smallest_frame(Protocol protocol, bool ipv6);

struct FlowSpecResult {
  std::optional<FlowSpec> spec;
  std::string error;  // "flow spec: ...", when !spec
};

// Keys: proto (udp|tcp), kind (established|syn; tcp only), flows (1..16777216), src, dst
// (IPv4 or IPv6, the same family), sport, dport, ports (source ports per address; default
// min(flows, 65536 - sport)), size (bytes without FCS, from smallest_frame() to 1514;
// default the larger of 60 and smallest_frame()), smac, dmac. dst is required.
FlowSpecResult parse_flow_spec(std::string_view text);

std::string to_string(const FlowSpec& spec);

}  // namespace sluice::pktgen
