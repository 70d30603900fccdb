// SPDX-License-Identifier: BSD-3-Clause
// The receiver's defence against replayed batches: per sender, the highest sequence number
// accepted and which of the 64 below it were seen (the sliding window of RFC 4303, 3.4.3),
// and a clock window on the batch's timestamp. A sender numbers its batches from its UNIX
// time in microseconds at start, so a restarted sender continues above its old numbers.
// Judge only batches whose MAC has been checked: a forgery must not move a window.
// Main lcore only; no allocation after construction.
#pragma once

#include <cstdint>

#include "sync/message.h"

namespace sluice::sync {

class ReplayGuard {
 public:
  static constexpr uint32_t kMaxSenders = 64;
  static constexpr uint32_t kWindow = 64;

  // Batches more than max_skew_ms away from the receiver's clock are stale.
  explicit ReplayGuard(uint64_t max_skew_ms) : max_skew_ms_(max_skew_ms) {}

  // kAccepted (and the sequence number recorded), kReplayed or kStale. A sender beyond
  // kMaxSenders is refused as kReplayed: nothing of it can be remembered.
  Verdict admit(const BatchHeader& header, uint64_t now_ms);

 private:
  struct Sender {
    uint32_t node_id = 0;
    uint64_t highest = 0;
    uint64_t seen = 0;  // bit i: highest - i accepted
  };
  uint64_t max_skew_ms_;
  Sender senders_[kMaxSenders];
  uint32_t sender_count_ = 0;
};

}  // namespace sluice::sync
