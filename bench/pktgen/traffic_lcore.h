// SPDX-License-Identifier: BSD-3-Clause
// One traffic lcore of sluice-pktgen: it owns one TX queue of the TX port and one RX queue
// of the RX port, its mempools, its flow cursor and pacer, and its counters (written only
// by itself, read by the main lcore after it returned). Per burst it receives and counts
// what came back, then patches the due packets into frames its TX pool holds prefilled
// with the template (ports.h, prefill_frames) and transmits them;
// frames the device refuses are kept and offered again, so nothing generated is lost and
// the flow order stays exact.
#pragma once

#include <rte_mempool.h>

#include <atomic>
#include <cstdint>
#include <vector>

#include "backend_tally.h"
#include "flow_cursor.h"
#include "frame_template.h"
#include "latency_histogram.h"
#include "options.h"

namespace sluice::pktgen {

// Shared by the main lcore (and its signal handlers) and the traffic lcores.
struct RunControl {
  std::atomic<bool> stop_tx{false};       // SIGINT/SIGTERM: stop sending, drain, report
  std::atomic<bool> stop_rx{false};       // a second signal: stop now
  std::atomic<uint32_t> transmitting{0};  // traffic lcores still sending
  std::atomic<uint32_t> finished{0};      // traffic lcores whose loop returned
  uint64_t start_tsc = 0;
  uint64_t tx_deadline_tsc = 0;  // 0: none (--duration)
  uint64_t drain_cycles = 0;
};

struct alignas(64) TrafficLcore {
  TrafficLcore(const Options& options, const FrameTemplate& frame, RunControl& control,
               uint16_t queue, uint32_t lcores, rte_mempool* tx_pool);

  // The lcore's loop; returns when the run is over (rte_eal_remote_launch signature).
  static int run(void* self);

  // setup
  const Options& options;
  const FrameTemplate& frame;
  RunControl& control;
  const uint16_t queue;
  rte_mempool* const tx_pool;
  const uint64_t tx_quota;  // packets this lcore generates; 0: unbounded
  const uint64_t rate;      // its share of --rate
  FlowCursor cursor;

  // counters
  uint64_t generated = 0;
  uint64_t tx_packets = 0;
  uint64_t tx_bytes = 0;
  uint64_t tx_alloc_failures = 0;
  uint64_t tx_unsent = 0;  // generated, then refused by the device until the stop
  uint64_t first_tx_tsc = 0;
  uint64_t last_tx_tsc = 0;
  uint64_t rx_packets = 0;
  uint64_t rx_stamped = 0;
  uint64_t rx_foreign_flow = 0;
  BackendTally backends;
  LatencyHistogram latency;
  std::vector<uint32_t> flow_frames;  // with --flow-counts, one per flow

 private:
  void loop();
  void receive();
};

}  // namespace sluice::pktgen
