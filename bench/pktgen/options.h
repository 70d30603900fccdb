// SPDX-License-Identifier: BSD-3-Clause
// sluice-pktgen's own arguments (those after EAL's, past "--"). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "flow_spec.h"

namespace sluice::pktgen {

struct Options {
  FlowSpec flows;
  uint64_t rate = 0;    // packets per second over all TX lcores; 0: as fast as possible
  uint64_t count = 0;   // packets to send over all TX lcores; 0: until duration or SIGINT
  double duration = 0;  // seconds of sending; 0: until count or SIGINT
  uint32_t burst = 32;  // packets per TX and RX burst
  uint16_t tx_port = 0;
  uint16_t rx_port = 0;
  uint32_t drain_ms = 500;  // after the last transmit, how long the receive side still counts
  uint16_t gue_port = 6080;
  bool flow_counts = false;     // count received frames per flow (4 bytes per flow per lcore)
  bool receive = true;          // false: --no-rx, transmit only
  uint32_t descriptors = 1024;  // per RX and TX queue
  uint32_t mbufs = 16384;       // per lcore and direction
};

struct OptionsResult {
  std::optional<Options> options;
  std::string error;  // when !options: what is wrong, for a line "sluice-pktgen: <error>"
  bool help = false;  // --help: print usage() and exit 0
};

OptionsResult parse_options(const std::vector<std::string>& args);
const char* usage();

// "14880952", "10M", "2.5k": a count with an optional k, M or G suffix (powers of 1000).
std::optional<uint64_t> parse_count(const std::string& text);

}  // namespace sluice::pktgen
