// SPDX-License-Identifier: BSD-3-Clause
#include "nat/nat_table.h"

#include <algorithm>

#include "flow/hash.h"
#include "net/wire.h"

namespace sluice {

namespace {

// Expired entries insert() looks through for one to reuse when none is free.
constexpr uint32_t kReclaimBudget = 64;

}  // namespace

NatTable::NatTable(uint32_t capacity, const FlowTimeouts& timeouts, LocalPorts* ports)
    : entries_(capacity), ports_(ports) {
  uint32_t buckets = 1;
  while (buckets < capacity) buckets <<= 1;
  bucket_mask_ = buckets - 1;
  forward_heads_.assign(buckets, kNil);
  reply_heads_.assign(buckets, kNil);
  for (uint32_t i = 0; i < capacity; ++i)
    entries_[i].next_forward = i + 1 < capacity ? i + 1 : kNil;
  free_head_ = capacity ? 0 : kNil;
  timeout_[uint8_t(FlowState::kTcpSynOnly)] = timeouts.tcp_syn_ms;
  timeout_[uint8_t(FlowState::kTcpEstablished)] = timeouts.tcp_established_ms;
  timeout_[uint8_t(FlowState::kTcpClosing)] = timeouts.tcp_closing_ms;
  timeout_[uint8_t(FlowState::kUdp)] = timeouts.udp_ms;
  timeout_[uint8_t(FlowState::kOther)] = timeouts.other_ms;
}

NatConnection* NatTable::find_forward(const FlowKey& key, uint32_t hash, uint32_t now_ms,
                                      uint8_t tcp_flags) {
  return find(key, hash, false, now_ms, tcp_flags);
}

NatConnection* NatTable::find_reply(const FlowKey& key, uint32_t hash, uint32_t now_ms,
                                    uint8_t tcp_flags) {
  return find(key, hash, true, now_ms, tcp_flags);
}

NatConnection* NatTable::find(const FlowKey& key, uint32_t hash, bool by_reply, uint32_t now_ms,
                              uint8_t tcp_flags, bool touch) {
  if (entries_.empty()) return nullptr;
  const std::vector<uint32_t>& heads = by_reply ? reply_heads_ : forward_heads_;
  for (uint32_t i = heads[hash & bucket_mask_]; i != kNil;) {
    NatConnection& c = entries_[i];
    if ((by_reply ? c.reply : c.forward) == key) {
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
    i = by_reply ? c.next_reply : c.next_forward;
  }
  return nullptr;
}

NatConnection* NatTable::insert(const FlowKey& forward, uint32_t forward_hash, const FlowKey& reply,
                                uint32_t reply_hash, uint32_t backend_id, FlowState state,
                                const MacAddress& client_mac, uint8_t local_address,
                                uint32_t now_ms) {
  if (entries_.empty()) {
    ++stats_.full;
    return nullptr;
  }
  if (find(reply, reply_hash, true, now_ms, 0, false)) {
    ++stats_.conflicts;
    return nullptr;
  }
  if (free_head_ == kNil) sweep(now_ms, kReclaimBudget);
  if (free_head_ == kNil) {
    ++stats_.full;
    return nullptr;
  }
  const uint32_t i = free_head_;
  NatConnection& c = entries_[i];
  free_head_ = c.next_forward;
  c.forward = forward;
  c.reply = reply;
  c.backend_id = backend_id;
  c.last_seen_ms = now_ms;
  c.client_mac = client_mac;
  c.state = state;
  c.local_address = local_address;
  c.in_use = true;
  uint32_t& fh = forward_heads_[forward_hash & bucket_mask_];
  c.next_forward = fh;
  fh = i;
  uint32_t& rh = reply_heads_[reply_hash & bucket_mask_];
  c.next_reply = rh;
  rh = i;
  ++size_;
  ++stats_.inserts;
  return &c;
}

void NatTable::erase(NatConnection& c) { remove(uint32_t(&c - entries_.data())); }

void NatTable::unlink(std::vector<uint32_t>& heads, uint32_t bucket, uint32_t i,
                      uint32_t NatConnection::*next) {
  uint32_t* link = &heads[bucket];
  while (*link != i) link = &(entries_[*link].*next);
  *link = entries_[i].*next;
}

void NatTable::remove(uint32_t i) {
  NatConnection& c = entries_[i];
  unlink(forward_heads_, flow_hash(c.forward) & bucket_mask_, i, &NatConnection::next_forward);
  unlink(reply_heads_, flow_hash(c.reply) & bucket_mask_, i, &NatConnection::next_reply);
  if (c.local_address != kNoLocalAddress && ports_)
    ports_->give_back(c.local_address, c.reply.dst_port);
  c.in_use = false;
  c.next_forward = free_head_;
  free_head_ = i;
  --size_;
}

uint32_t NatTable::sweep(uint32_t now_ms, uint32_t budget) {
  const uint32_t n = capacity();
  if (n == 0) return 0;
  budget = std::min(budget, n);
  uint32_t freed = 0;
  for (uint32_t k = 0; k < budget; ++k) {
    const uint32_t i = sweep_cursor_;
    sweep_cursor_ = sweep_cursor_ + 1 == n ? 0 : sweep_cursor_ + 1;
    if (entries_[i].in_use && expired(entries_[i], now_ms)) {
      remove(i);
      ++freed;
    }
  }
  stats_.expirations += freed;
  return freed;
}

}  // namespace sluice
