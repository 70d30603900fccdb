// SPDX-License-Identifier: BSD-3-Clause
// A worker lcore: polls its RX queues, runs the pipeline on each burst, transmits, and
// reports quiescent states for RCU. Everything it writes (flow table, counters, TX) is its
// own. Built by the main lcore before launch; run() executes on the worker lcore.
#pragma once

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <atomic>
#include <memory>
#include <vector>

#include "pipeline/pipeline.h"
#include "runtime/port.h"
#include "runtime/state_publisher.h"

namespace sluice {

// A neighbor binding on its way from a worker to the main lcore (ring element size must
// be a multiple of 4).
struct alignas(4) LearnedNeighbor {
  NeighborBinding binding;
  uint16_t port_index;
};

struct WorkerQueue {
  uint16_t port_index;
  uint16_t port_id;
  uint16_t queue;
  rte_ring* control_tx;  // non-null when this worker drains the port's control ring
  rte_ring* to_host;     // the port's exception path; null when it has none
};

struct WorkerSettings {
  uint32_t thread_id = 0;  // RCU thread id and index among workers
  uint32_t lcore = 0;      // the lcore run() is launched on
  uint16_t burst_size = 32;
  uint32_t idle_sleep_us = 0;
  uint32_t flow_capacity = 1 << 20;
  FlowTimeouts timeouts;
};

class Worker {
 public:
  Worker(const WorkerSettings& settings, std::vector<WorkerQueue> queues,
         StatePublisher& publisher, rte_ring* learned, const std::atomic<bool>& stop);

  // The lcore body; returns when `stop` becomes true.
  int run();

  const WorkerCounters& counters() const { return *counters_; }
  uint32_t lcore() const { return settings_.lcore; }

 private:
  void poll(const WorkerQueue& q, const ForwardingState& state, uint32_t now_ms,
            uint16_t& received);
  void transmit(uint16_t port_id, uint16_t queue, rte_mbuf** mbufs, uint16_t n);

  WorkerSettings settings_;
  std::vector<WorkerQueue> queues_;
  StatePublisher& publisher_;
  rte_ring* learned_;
  const std::atomic<bool>& stop_;
  std::unique_ptr<WorkerCounters> counters_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<BurstResult> result_;
  // poll()'s frame descriptors, kept here: a local array of them is value-initialized
  // (a 12 KiB memset) on every poll.
  std::unique_ptr<PacketBuffer[]> frames_;
};

}  // namespace sluice
