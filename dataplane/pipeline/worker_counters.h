// SPDX-License-Identifier: BSD-3-Clause
// One worker's counters. The owning worker increments its own copy with plain adds; readers
// (telemetry, the exit summary) sum every worker's copy and tolerate torn-free but
// slightly stale 64-bit values. Nothing else writes here.
#pragma once

#include <cstdint>

#include "pipeline/counters.h"
#include "state/forwarding_state.h"
#include "sync/sync_counters.h"

namespace sluice {

struct TrafficCounters {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t new_flows = 0;
};

struct alignas(64) WorkerCounters {
  uint64_t events[kWorkerCounterCount] = {};
  uint64_t drops[kDropReasonCount] = {};
  uint64_t sync[kSyncCounterCount] = {};  // the (worker) ones
  uint64_t active_flows = 0;  // the worker's flow table size, refreshed every burst and sweep
  TrafficCounters vips[kVipIds];
  uint64_t vip_syns_not_admitted[kVipIds] = {};  // WorkerCounter::syns_not_admitted by VIP id
  TrafficCounters backends[kBackendIds];

  uint64_t& operator[](WorkerCounter c) { return events[size_t(c)]; }
  uint64_t operator[](WorkerCounter c) const { return events[size_t(c)]; }
  uint64_t& operator[](DropReason r) { return drops[size_t(r)]; }
  uint64_t operator[](DropReason r) const { return drops[size_t(r)]; }
  uint64_t& operator[](SyncCounter c) { return sync[size_t(c)]; }
  uint64_t operator[](SyncCounter c) const { return sync[size_t(c)]; }
};

// The sum of the kOutcome counters (counters.h): summed over the workers, rx_packets once
// no frame is in flight (in a handoff ring, between RX and the pipeline).
inline uint64_t outcome_total(const WorkerCounters& c) {
  uint64_t total = 0;
  for (size_t i = 0; i < kWorkerCounterCount; ++i)
    if (kWorkerCounters[i].role == CounterRole::kOutcome) total += c.events[i];
  for (size_t i = 0; i < kDropReasonCount; ++i)
    if (kDropReasons[i].role == CounterRole::kOutcome) total += c.drops[i];
  return total;
}

}  // namespace sluice
