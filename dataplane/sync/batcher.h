// SPDX-License-Identifier: BSD-3-Clause
// The sender's side: gathers the flow records the workers publish into batches of up to
// kMaxRecords, and seals a batch into a signed datagram when it is full or its oldest
// record has waited flush_ms. Numbers batches from first_sequence on (see ReplayGuard).
// Main lcore only; no allocation after construction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "sync/message.h"

namespace sluice::sync {

class Batcher {
 public:
  Batcher(uint32_t node_id, std::string key, uint64_t first_sequence, uint32_t flush_ms)
      : node_id_(node_id), key_(std::move(key)), sequence_(first_sequence), flush_ms_(flush_ms) {}

  // Adds a record at now_ms (monotonic); true when the batch is now full: seal it.
  bool add(const SyncRecord& record, uint64_t now_ms);
  // A batch is waiting and its oldest record has waited flush_ms.
  bool due(uint64_t now_ms) const { return count_ && now_ms - first_ms_ >= flush_ms_; }
  size_t pending() const { return count_; }

  // Encodes the waiting records into out (kMaxMessageBytes) stamped with wall_ms (UNIX time)
  // and the next sequence number; returns the datagram's length, 0 when nothing waits.
  size_t seal(uint64_t wall_ms, uint8_t* out);
  // Encodes a join request or done (message.h) with the next sequence number; its length.
  size_t seal_signal(uint8_t type, uint64_t wall_ms, uint8_t* out);

 private:
  uint32_t node_id_;
  std::string key_;
  uint64_t sequence_;
  uint32_t flush_ms_;
  SyncRecord records_[kMaxRecords];
  size_t count_ = 0;
  uint64_t first_ms_ = 0;
};

}  // namespace sluice::sync
