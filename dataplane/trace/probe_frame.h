// SPDX-License-Identifier: BSD-3-Clause
// The frame a trace of a 5-tuple runs through the packet path: what a client's first
// packet of that flow looks like on the wire. Pure; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "channel/trace.h"
#include "net/mac_address.h"

namespace sluice {

// The source MAC of a probe frame (locally administered; no host has it).
inline constexpr MacAddress kProbeSourceMac{{0x02, 0, 0, 0, 0, 0x01}};

// Ethernet from kProbeSourceMac to `port_mac`; IPv4 (TTL 64, DF, id 0) or IPv6 (hop
// limit 64); TCP with `tcp_flags` (sequence 1, window 65535, no option) or UDP without
// payload; every checksum right. `error` set and nullopt when the tuple's addresses are
// of two families or its protocol is neither TCP nor UDP.
std::optional<std::string> probe_frame(const channel::TraceFlow& tuple, uint8_t tcp_flags,
                                       const MacAddress& port_mac, std::string& error);

}  // namespace sluice
