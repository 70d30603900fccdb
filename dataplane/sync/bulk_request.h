// SPDX-License-Identifier: BSD-3-Clause
// The main lcore asks a worker for a bulk walk of its flow table (a peer joins,
// docs/flow-sync.md) and learns when the walk is over, through two numbers on their own
// cache lines. The main lcore raises `requested` (release store); the worker, between
// bursts, walks its table (sync/bulk_walk.h) into its publish ring and at the end stores
// the number it served into `done` (release store). One asker, one worker.
#pragma once

#include <atomic>
#include <cstdint>

namespace sluice {

struct BulkRequest {
  alignas(64) std::atomic<uint32_t> requested{0};  // written by the main lcore
  alignas(64) std::atomic<uint32_t> done{0};       // written by the worker
  bool idle() const {
    return done.load(std::memory_order_acquire) == requested.load(std::memory_order_relaxed);
  }
};

}  // namespace sluice
