// SPDX-License-Identifier: BSD-3-Clause
#include "nat/nat_table.h"

#include "flow/hash.h"
#include "net/wire.h"

namespace sluice {

namespace {

// Expired entries insert() looks through for one to reuse when none is free.
constexpr uint32_t kReclaimBudget = 64;
// Entries every insert() sweeps: a worker under load has no idle moment to sweep, and
// without this the table fills with expired connections until every insert must reclaim.
constexpr uint32_t kSweepPerInsert = 2;

// Index buckets for `capacity` connections: two keys each, at least 1.5 ways per key.
uint32_t index_buckets_for(uint32_t capacity) {
  const uint64_t wanted = (uint64_t(capacity) * 2 * 3 / 2 + 6) / 7;
  uint64_t n = 1;
  while (n < wanted) n <<= 1;
  return uint32_t(n);
}

}  // namespace

NatTable::NatTable(uint32_t capacity, const FlowTimeouts& timeouts, LocalPorts* ports,
                   int numa_node)
    : capacity_(capacity),
      index_mask_(index_buckets_for(capacity) - 1),
      entry_memory_(size_t(capacity) * sizeof(NatConnection), numa_node),
      index_memory_(size_t(index_mask_ + 1) * sizeof(IndexBucket), numa_node),
      entries_(entry_memory_.as<NatConnection>()),
      index_(index_memory_.as<IndexBucket>()),
      live_(capacity, 0),
      free_(capacity),
      ports_(ports) {
  // The first entries are handed out first (the top of the stack).
  for (uint32_t i = 0; i < capacity; ++i) free_[i] = capacity - 1 - i;
  timeout_[uint8_t(FlowState::kTcpSynOnly)] = timeouts.tcp_syn_ms;
  timeout_[uint8_t(FlowState::kTcpEstablished)] = timeouts.tcp_established_ms;
  timeout_[uint8_t(FlowState::kTcpClosing)] = timeouts.tcp_closing_ms;
  timeout_[uint8_t(FlowState::kUdp)] = timeouts.udp_ms;
  timeout_[uint8_t(FlowState::kOther)] = timeouts.other_ms;
}

uint32_t NatTable::locate(const FlowKey& key, uint32_t hash, bool by_reply) const {
  const uint32_t sig = signature(hash);
  for (uint32_t bucket = hash & index_mask_;; bucket = (bucket + 1) & index_mask_) {
    const IndexBucket& b = index_[bucket];
    for (uint32_t m = matching_ways(b, sig); m; m &= m - 1) {
      const uint32_t ref = b.refs[__builtin_ctz(m)];
      if ((ref & 1) != uint32_t(by_reply)) continue;
      const NatConnection& c = entries_[ref >> 1];
      if (keys_equal(by_reply ? c.reply : c.forward, key)) return ref >> 1;
    }
    if (b.overflow == 0) return kNone;
  }
}

NatConnection* NatTable::find(const FlowKey& key, uint32_t hash, bool by_reply, uint32_t now_ms,
                              uint8_t tcp_flags, bool touch) {
  uint32_t i = locate(key, hash, by_reply);
  if (i == kNone && by_reply && deferred_count_ != 0) {
    index_deferred();
    i = locate(key, hash, by_reply);
  }
  if (i == kNone) return nullptr;
  NatConnection& c = entries_[i];
  if (expired(c, now_ms)) {
    remove(i);
    ++stats_.expirations;
    return nullptr;
  }
  if (touch) {
    // The backend's SYN-ACK does not establish the connection: the client's ACK does.
    if (by_reply && (tcp_flags & wire::kTcpSyn)) tcp_flags &= uint8_t(~wire::kTcpAck);
    c.last_seen_ms = now_ms;
    c.state = next_state(c.state, tcp_flags);
  }
  return &c;
}

NatConnection* NatTable::insert(const FlowKey& forward, uint32_t forward_hash, const FlowKey& reply,
                                uint32_t reply_hash, uint32_t backend_id, FlowState state,
                                const MacAddress& client_mac, uint8_t local_address,
                                uint32_t now_ms) {
  if (capacity_ == 0) {
    ++stats_.full;
    return nullptr;
  }
  if (find(reply, reply_hash, true, now_ms, 0, false)) {
    ++stats_.conflicts;
    return nullptr;
  }
  if (!make_room(now_ms)) return nullptr;
  const uint32_t i = fill(forward, reply, backend_id, state, client_mac, local_address, now_ms);
  live_[i] = kLive;
  index_key(forward_hash, i << 1);
  index_key(reply_hash, i << 1 | 1);
  return &entries_[i];
}

NatConnection* NatTable::insert_deferring_reply(const FlowKey& forward, uint32_t forward_hash,
                                                const FlowKey& reply, uint32_t reply_hash,
                                                uint32_t backend_id, FlowState state,
                                                const MacAddress& client_mac, uint8_t local_address,
                                                uint32_t now_ms) {
  if (capacity_ == 0) {
    ++stats_.full;
    return nullptr;
  }
  if (!make_room(now_ms)) return nullptr;
  if (deferred_count_ == kMaxDeferred) index_deferred();
  prefetch(reply_hash);
  const uint32_t i = fill(forward, reply, backend_id, state, client_mac, local_address, now_ms);
  live_[i] = kReplyDeferred;
  deferred_[deferred_count_++] = {i, reply_hash};
  index_key(forward_hash, i << 1);
  return &entries_[i];
}

bool NatTable::make_room(uint32_t now_ms) {
  sweep(now_ms, size_ == capacity_ ? kReclaimBudget : kSweepPerInsert);
  if (size_ < capacity_) return true;
  ++stats_.full;
  return false;
}

uint32_t NatTable::fill(const FlowKey& forward, const FlowKey& reply, uint32_t backend_id,
                        FlowState state, const MacAddress& client_mac, uint8_t local_address,
                        uint32_t now_ms) {
  const uint32_t i = free_[capacity_ - 1 - size_];
  NatConnection& c = entries_[i];
  c.forward = forward;
  c.reply = reply;
  c.backend_id = backend_id;
  c.last_seen_ms = now_ms;
  c.client_mac = client_mac;
  c.state = state;
  c.local_address = local_address;
  ++size_;
  ++stats_.inserts;
  return i;
}

void NatTable::index_key(uint32_t hash, uint32_t ref) {
  // There is always a free way: the index has more ways than twice the capacity.
  for (uint32_t bucket = hash & index_mask_;; bucket = (bucket + 1) & index_mask_) {
    IndexBucket& b = index_[bucket];
    for (uint32_t w = 0; w < kWays; ++w) {
      if (b.tags[w] == 0) {
        b.tags[w] = signature(hash);
        b.refs[w] = ref;
        return;
      }
    }
    ++b.overflow;
  }
}

void NatTable::unindex_key(uint32_t hash, uint32_t ref) {
  const uint32_t sig = signature(hash);
  for (uint32_t bucket = hash & index_mask_;; bucket = (bucket + 1) & index_mask_) {
    IndexBucket& b = index_[bucket];
    for (uint32_t w = 0; w < kWays; ++w) {
      if (b.tags[w] == sig && b.refs[w] == ref) {
        b.tags[w] = 0;
        return;
      }
    }
    --b.overflow;
  }
}

void NatTable::remove(uint32_t i) {
  NatConnection& c = entries_[i];
  unindex_key(flow_hash(c.forward), i << 1);
  if (live_[i] == kReplyDeferred) {
    for (uint32_t k = 0; k < deferred_count_; ++k)
      if (deferred_[k].entry == i) {
        deferred_[k] = deferred_[--deferred_count_];
        break;
      }
  } else {
    unindex_key(flow_hash(c.reply), i << 1 | 1);
  }
  if (c.local_address != kNoLocalAddress && ports_)
    ports_->give_back(c.local_address, c.reply.dst_port);
  live_[i] = kFree;
  --size_;
  free_[capacity_ - 1 - size_] = i;
}

uint32_t NatTable::sweep(uint32_t now_ms, uint32_t budget) {
  if (capacity_ == 0) return 0;
  budget = std::min(budget, capacity_);
  uint32_t freed = 0;
  for (uint32_t k = 0; k < budget; ++k) {
    const uint32_t i = sweep_cursor_;
    sweep_cursor_ = sweep_cursor_ + 1 == capacity_ ? 0 : sweep_cursor_ + 1;
    if (live_[i] != kFree && expired(entries_[i], now_ms)) {
      remove(i);
      ++freed;
    }
  }
  stats_.expirations += freed;
  return freed;
}

}  // namespace sluice
