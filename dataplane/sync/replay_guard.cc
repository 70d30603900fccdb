// SPDX-License-Identifier: BSD-3-Clause
#include "sync/replay_guard.h"

namespace sluice::sync {

Verdict ReplayGuard::admit(const BatchHeader& header, uint64_t now_ms) {
  const uint64_t skew =
      header.timestamp_ms > now_ms ? header.timestamp_ms - now_ms : now_ms - header.timestamp_ms;
  if (skew > max_skew_ms_) return Verdict::kStale;

  Sender* sender = nullptr;
  for (uint32_t i = 0; i < sender_count_; ++i)
    if (senders_[i].node_id == header.node_id) sender = &senders_[i];
  if (!sender) {
    if (sender_count_ == kMaxSenders) return Verdict::kReplayed;
    sender = &senders_[sender_count_++];
    *sender = Sender{header.node_id, header.sequence, 1};
    return Verdict::kAccepted;
  }

  const uint64_t seq = header.sequence;
  if (seq > sender->highest) {
    const uint64_t shift = seq - sender->highest;
    sender->seen = shift >= kWindow ? 1 : sender->seen << shift | 1;
    sender->highest = seq;
    return Verdict::kAccepted;
  }
  const uint64_t behind = sender->highest - seq;
  if (behind >= kWindow) return Verdict::kReplayed;
  const uint64_t bit = uint64_t(1) << behind;
  if (sender->seen & bit) return Verdict::kReplayed;
  sender->seen |= bit;
  return Verdict::kAccepted;
}

}  // namespace sluice::sync
