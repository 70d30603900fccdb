// SPDX-License-Identifier: BSD-3-Clause
#include "flow/flow_table.h"

namespace sluice {

namespace {

uint32_t buckets_for(uint32_t capacity) {
  const uint64_t wanted = (uint64_t(capacity) + FlowTable::kWays - 1) / FlowTable::kWays;
  uint64_t n = 1;
  while (n < wanted) n <<= 1;
  return uint32_t(n);
}

}  // namespace

uint64_t FlowTable::bytes_for(uint32_t capacity) {
  return uint64_t(buckets_for(capacity)) * sizeof(Bucket);
}

FlowTable::FlowTable(uint32_t capacity, FlowTimeouts timeouts, int numa_node)
    : memory_(size_t(bytes_for(capacity)), numa_node),
      buckets_(memory_.as<Bucket>()),
      bucket_mask_(buckets_for(capacity) - 1),
      timeout_by_code_{},
      timeouts_(timeouts) {
  timeout_by_code_[code_of(FlowState::kTcpSynOnly)] = timeouts.tcp_syn_ms;
  timeout_by_code_[code_of(FlowState::kTcpEstablished)] = timeouts.tcp_established_ms;
  timeout_by_code_[code_of(FlowState::kTcpClosing)] = timeouts.tcp_closing_ms;
  timeout_by_code_[code_of(FlowState::kUdp)] = timeouts.udp_ms;
  timeout_by_code_[code_of(FlowState::kOther)] = timeouts.other_ms;
}

FlowEntry* FlowTable::insert(const FlowKey& key, uint32_t hash, uint32_t backend_id,
                             FlowState initial, uint32_t now_ms) {
  Bucket& b = buckets_[hash & bucket_mask_];
  const uint32_t way = insert_way(b, hash, now_ms);
  if (way == kWays) {
    ++stats_.insert_failures;
    return nullptr;
  }
  if (b.tags[way] != 0) {
    if (expired(b, way, now_ms))
      ++stats_.expirations;
    else
      ++stats_.evictions;
    free_way(b, way);
  }
  return &fill(b, way, key, hash, backend_id, initial, now_ms);
}

FlowEntry& FlowTable::fill(Bucket& b, uint32_t way, const FlowKey& key, uint32_t hash,
                           uint32_t backend_id, FlowState state, uint32_t last_seen_ms) {
  FlowEntry& e = b.entries[way];
  e.key = key;
  e.backend_id = backend_id;
  e.state_ = state;
  e.sync_packets = 0;
  e.sync_mark = 0;
  b.tags[way] = signature(hash) | code_of(state);
  b.last_seen[way] = last_seen_ms;
  ++size_;
  ++stats_.inserts;
  return e;
}

bool FlowTable::contains_live(const FlowKey& key, uint32_t hash, uint32_t now_ms) {
  Bucket& b = buckets_[hash & bucket_mask_];
  for (uint32_t m = match_ways(b.tags, signature(hash)); m; m &= m - 1) {
    const uint32_t way = uint32_t(__builtin_ctz(m));
    if (!keys_equal(b.entries[way].key, key)) continue;
    if (!expired(b, way, now_ms)) return true;
    free_way(b, way);
    ++stats_.expirations;
    return false;
  }
  return false;
}

FlowEntry* FlowTable::insert_vacant(const FlowKey& key, uint32_t hash, uint32_t backend_id,
                                    FlowState state, uint32_t now_ms, uint32_t last_seen_ms) {
  Bucket& b = buckets_[hash & bucket_mask_];
  uint32_t way = home_way(hash);
  if (!reusable(b, way, now_ms))
    for (way = 0; way < kWays && !reusable(b, way, now_ms); ++way) {
    }
  if (way == kWays) return nullptr;
  if (b.tags[way] != 0) {
    ++stats_.expirations;
    free_way(b, way);
  }
  return &fill(b, way, key, hash, backend_id, state, last_seen_ms);
}

bool FlowTable::erase(const FlowKey& key, uint32_t hash) {
  Bucket& b = buckets_[hash & bucket_mask_];
  for (uint32_t m = match_ways(b.tags, signature(hash)); m; m &= m - 1) {
    const uint32_t way = uint32_t(__builtin_ctz(m));
    if (keys_equal(b.entries[way].key, key)) {
      free_way(b, way);
      return true;
    }
  }
  return false;
}

uint32_t FlowTable::sweep(uint32_t now_ms, uint32_t bucket_budget) {
  uint32_t freed = 0;
  if (bucket_budget > bucket_count()) bucket_budget = bucket_count();
  for (uint32_t i = 0; i < bucket_budget; ++i) {
    Bucket& b = buckets_[sweep_cursor_];
    sweep_cursor_ = (sweep_cursor_ + 1) & bucket_mask_;
    for (uint32_t w = 0; w < kWays; ++w) {
      if (b.tags[w] != 0 && expired(b, w, now_ms)) {
        free_way(b, w);
        ++freed;
      }
    }
  }
  stats_.expirations += freed;
  return freed;
}

std::optional<FlowView> FlowTable::find(const FlowKey& key, uint32_t hash, uint32_t now_ms) const {
  const Bucket& b = buckets_[hash & bucket_mask_];
  for (uint32_t m = match_ways(b.tags, signature(hash)); m; m &= m - 1) {
    const uint32_t way = uint32_t(__builtin_ctz(m));
    if (keys_equal(b.entries[way].key, key)) return view_of(b, way, now_ms);
  }
  return std::nullopt;
}

FlowView FlowTable::view_of(const Bucket& b, uint32_t way, uint32_t now_ms) const {
  const FlowEntry& e = b.entries[way];
  FlowView v;
  v.key = e.key;
  v.backend_id = e.backend_id;
  v.state = e.state_;
  v.idle_ms = now_ms - b.last_seen[way];
  v.expired = expired(b, way, now_ms);
  return v;
}

void FlowTable::clear() {
  for (uint32_t i = 0; i < bucket_count(); ++i)
    std::memset(buckets_[i].tags, 0, sizeof buckets_[i].tags);
  size_ = 0;
  sweep_cursor_ = 0;
}

}  // namespace sluice
