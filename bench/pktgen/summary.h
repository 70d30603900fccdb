// SPDX-License-Identifier: BSD-3-Clause
// The end-of-run report of sluice-pktgen: the lcores' counters summed, as one JSON line
// (for scripts) and one line for people. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backend_tally.h"
#include "latency_histogram.h"

namespace sluice::pktgen {

struct Totals {
  uint64_t tsc_hz = 1;
  uint64_t tx_cycles = 0;  // from the first transmit to the last, the longest lcore's
  uint64_t tx_packets = 0;
  uint64_t tx_bytes = 0;
  uint64_t tx_alloc_failures = 0;  // bursts that found the mempool empty
  uint64_t tx_unsent = 0;          // generated, refused by the device until the stop
  uint64_t rx_packets = 0;
  uint64_t rx_stamped = 0;                    // with sluice-pktgen's stamp
  uint64_t rx_foreign_flow = 0;               // stamped with a flow number outside the set
  std::vector<BackendTally::Entry> backends;  // merged over lcores, by frames, then key
  uint64_t backend_overflow = 0;
  LatencyHistogram latency;  // of stamped frames, in TSC cycles
  // with --flow-counts: frames received per flow, summarized
  bool flow_counts = false;
  uint32_t flows = 0;
  uint32_t flows_seen = 0;
  uint64_t flow_min = 0;
  uint64_t flow_max = 0;
};

// Adds `more` into `into` (same key: frames added); sorted by frames, largest first, then key.
void merge_backends(std::vector<BackendTally::Entry>& into,
                    const std::vector<BackendTally::Entry>& more);

std::string backend_name(const BackendKey& key);  // "mac:02:00:..", "ip:10.0.0.1"
std::string to_json(const Totals& t);
std::string to_human(const Totals& t);

}  // namespace sluice::pktgen
