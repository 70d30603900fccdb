// SPDX-License-Identifier: BSD-3-Clause
// How long an idle flow stays in a worker's flow table, by state. Set from the config's
// [flow_timeouts]; plain value type.
#pragma once

#include <cstdint>

namespace sluice {

struct FlowTimeouts {
  uint32_t tcp_syn_ms = 10'000;
  uint32_t tcp_established_ms = 900'000;
  uint32_t tcp_closing_ms = 10'000;
  uint32_t udp_ms = 30'000;
  uint32_t other_ms = 30'000;
  friend bool operator==(const FlowTimeouts&, const FlowTimeouts&) = default;
};

}  // namespace sluice
