// SPDX-License-Identifier: BSD-3-Clause
#include "sync/batcher.h"

namespace sluice::sync {

bool Batcher::add(const SyncRecord& record, uint64_t now_ms) {
  if (count_ == 0) first_ms_ = now_ms;
  records_[count_++] = record;
  return count_ == kMaxRecords;
}

size_t Batcher::seal(uint64_t wall_ms, uint8_t* out) {
  if (count_ == 0) return 0;
  const BatchHeader header{node_id_, sequence_++, wall_ms};
  const size_t length = encode_batch(header, {records_, count_}, key_, out);
  count_ = 0;
  return length;
}

size_t Batcher::seal_signal(uint8_t type, uint64_t wall_ms, uint8_t* out) {
  return encode_signal({node_id_, sequence_++, wall_ms}, type, key_, out);
}

}  // namespace sluice::sync
