// SPDX-License-Identifier: BSD-3-Clause
// Which lane a frame for the host takes to the kernel (the exception path). Control
// traffic, whose loss breaks the node (a VRRP flap, a BGP or BFD session down, a backend
// marked down), goes through a lane of its own that the main lcore drains first and that
// is not rate limited; everything else shares the bulk lane, rate limited per port
// ([dataplane] host_rate_limit). docs/exception-path.md lists what is control and why.
//
// Pure: a function of the parsed frame and the forwarding state; any thread.
#pragma once

#include <cstdint>

#include "packet/parsed_packet.h"
#include "state/forwarding_state.h"

namespace sluice {

enum class HostLane : uint8_t { kControl, kBulk };

// Well-known ports and protocols of control traffic.
inline constexpr uint8_t kProtocolVrrp = 112;
inline constexpr uint16_t kBgpPort = 179;
inline constexpr uint16_t kBfdControlPort = 3784;   // RFC 5881, single hop
inline constexpr uint16_t kBfdEchoPort = 3785;      // RFC 5881
inline constexpr uint16_t kBfdMultihopPort = 4784;  // RFC 5883
inline constexpr uint16_t kBfdMicroPort = 6784;     // RFC 7130, on LAG members

// `parsed` is parse_frame()'s result for a frame the pipeline passed to the host.
HostLane host_lane(const ParsedPacket& parsed, const ForwardingState& state);

}  // namespace sluice
