// SPDX-License-Identifier: BSD-3-Clause
// Where a worker's time goes, measured by the worker itself in TSC cycles. A turn of its
// loop runs from one next_turn() to the next and is charged to loop_cycles; a turn whose
// polls received frames is charged to busy_cycles too. Time asleep (idle_sleep_us) or
// blocked on an RX interrupt belongs to the turn that slept, which received nothing, so
// busy_cycles / loop_cycles is the share of the worker's time spent on frames in every
// idle mode alike: busy polling, sleeping or waiting for interrupts. The owning worker
// writes its counters with plain adds; the main lcore reads two of its readings and
// takes busy_ratio() of them.
#pragma once

#include <algorithm>
#include <cstdint>

#include "pipeline/worker_counters.h"

namespace sluice {

class LoopClock {
 public:
  explicit LoopClock(uint64_t now) : turn_start_(now) {}

  // At the start of every turn: charges the turn that ends at `now`; `received` says
  // whether it received frames.
  void next_turn(uint64_t now, bool received, WorkerCounters& c) {
    const uint64_t cycles = now - turn_start_;
    turn_start_ = now;
    c[WorkerCounter::loop_cycles] += cycles;
    if (received) c[WorkerCounter::busy_cycles] += cycles;
  }

 private:
  uint64_t turn_start_;
};

// A reading of one worker's two clocks.
struct LoopCycles {
  uint64_t busy = 0;
  uint64_t loop = 0;
};

inline LoopCycles loop_cycles(const WorkerCounters& c) {
  return {c[WorkerCounter::busy_cycles], c[WorkerCounter::loop_cycles]};
}

// The busy share between two readings of the same worker, 0..1; 0 when no turn ended in
// between. Read while the worker writes, `after` may hold a turn's busy cycles and not yet
// its loop cycles: the ratio is clamped.
inline double busy_ratio(const LoopCycles& before, const LoopCycles& after) {
  const uint64_t loop = after.loop - before.loop;
  if (loop == 0) return 0;
  return std::min(1.0, double(after.busy - before.busy) / double(loop));
}

}  // namespace sluice
