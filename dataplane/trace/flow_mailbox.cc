// SPDX-License-Identifier: BSD-3-Clause
#include "trace/flow_mailbox.h"

#include <algorithm>

namespace sluice {

FlowMailbox::FlowMailbox() {
  request_.backend_ids.reserve(kMaxBackendIds);
  answer_.rows.reserve(kMaxRows);
  answer_.per_backend.reserve(kMaxBackendIds);
}

void FlowMailbox::post() {
  if (request_.backend_ids.size() > kMaxBackendIds) request_.backend_ids.resize(kMaxBackendIds);
  request_.limit = std::min(request_.limit, kMaxRows);
  posted_.store(posted_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

bool FlowMailbox::work(const FlowTable& table, const NatTable* nat, uint64_t posted,
                       uint32_t now_ms, uint32_t bucket_budget) {
  const FlowRequest& q = request_;
  FlowAnswer& a = answer_;
  if (serving_ != posted) {
    serving_ = posted;
    cursor_ = 0;
    a.found.reset();
    a.has_room = false;
    a.rows.clear();
    a.per_backend.assign(q.backend_ids.size(), 0);
    a.flows = 0;
  }
  a.now_ms = now_ms;
  bool done = true;
  if (q.kind == FlowRequest::Kind::kFind) {
    a.found = table.find(q.key, q.hash, now_ms);
    a.has_room = table.has_room(q.hash, now_ms);
  } else {
    auto count = [&](const FlowView& flow) {
      auto it = std::lower_bound(q.backend_ids.begin(), q.backend_ids.end(), flow.backend_id);
      if (it == q.backend_ids.end() || *it != flow.backend_id) return;
      ++a.per_backend[size_t(it - q.backend_ids.begin())];
      ++a.flows;
      if (a.rows.size() < q.limit) a.rows.push_back(flow);
    };
    // The flow table's buckets, then the NAT table's entries.
    const uint32_t buckets = table.bucket_count();
    const uint32_t end = buckets + (nat ? nat->capacity() : 0);
    if (cursor_ < buckets) {
      table.visit(cursor_, bucket_budget, now_ms, count);
      cursor_ = bucket_budget >= buckets - cursor_ ? buckets : cursor_ + bucket_budget;
    } else {
      const uint32_t entries = bucket_budget * FlowTable::kWays;
      nat->visit(cursor_ - buckets, entries, now_ms, [&](const NatConnection& c, uint32_t idle) {
        FlowView v;
        v.key = c.forward;
        v.backend_id = c.backend_id;
        v.state = c.state;
        v.idle_ms = idle;
        if (c.local_address != kNoLocalAddress) {
          v.local = c.reply.dst;
          v.local_port = c.reply.dst_port;
        }
        count(v);
      });
      cursor_ = entries >= end - cursor_ ? end : cursor_ + entries;
    }
    done = cursor_ == end;
  }
  if (done) answered_.store(posted, std::memory_order_release);
  return !done;
}

}  // namespace sluice
