// SPDX-License-Identifier: BSD-3-Clause
// How anything but its worker reads a worker's flow table: it asks the worker. A flow
// table has no atomics (flow/flow_table.h); read while its worker writes, an entry could
// pair one flow's key with another's backend, or a flow being moved could be missed. So
// the main lcore posts a question in the worker's mailbox and the worker, which looks at
// the mailbox once per loop turn, answers from its own table between bursts.
//
// One slot, one asker (the main lcore), one answerer (the worker). The asker fills
// request() and post()s it: a release store of `posted_`. The worker's serve() sees it
// with an acquire load, works on it over as many loop turns as it needs (a scan reads at
// most `bucket_budget` buckets per turn, so forwarding waits microseconds, not the whole
// table), fills answer() and publishes it with a release store of `answered_`. The asker
// reads answer() only once idle() has seen that, and posts again only then. Nothing is
// allocated after construction: the backend ids and the rows asked for live in arrays
// sized by the limits below. The worker's check is one load of a line that changes only
// when a question is posted.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

#include "channel/conns.h"
#include "config/node_limits.h"
#include "flow/flow_table.h"
#include "nat/nat_table.h"

namespace sluice {

struct FlowRequest {
  enum class Kind : uint8_t {
    kFind,  // the entry of `key`, and whether a new flow of `hash` would find room
    kScan,  // the live flows whose backend id is one of `backend_ids` (sorted)
  };
  Kind kind = Kind::kFind;
  FlowKey key;
  uint32_t hash = 0;
  std::vector<uint32_t> backend_ids;  // capacity kMaxBackendIds, reserved once
  uint32_t limit = 0;                 // rows wanted, at most kMaxRows
};

struct FlowAnswer {
  uint32_t now_ms = 0;  // the worker's clock when it answered
  // kFind
  std::optional<FlowView> found;
  bool has_room = false;
  // kScan: the first `limit` flows found, in bucket order (which is hash order: a
  // sample), and how many flows each backend id has (parallel to backend_ids).
  std::vector<FlowView> rows;         // capacity kMaxRows, reserved once
  std::vector<uint64_t> per_backend;  // capacity kMaxBackendIds
  uint64_t flows = 0;
};

class FlowMailbox {
 public:
  static constexpr uint32_t kMaxBackendIds = config::kMaxBackendsPerVip;
  static constexpr uint32_t kMaxRows = channel::kMaxConnsRows;

  FlowMailbox();

  // The asker (main lcore).
  bool idle() const {
    return answered_.load(std::memory_order_acquire) == posted_.load(std::memory_order_relaxed);
  }
  FlowRequest& request() { return request_; }  // fill while idle(), then post()
  void post();
  const FlowAnswer& answer() const { return answer_; }  // once idle() again

  // The worker: works on a posted question, if any; true while one is still unanswered
  // after this turn (the worker should not go to sleep).
  // A scan reads the NAT connections of `nat` too, after the flows, kWays of them per
  // bucket of budget.
  bool serve(const FlowTable& table, uint32_t now_ms, uint32_t bucket_budget,
             const NatTable* nat = nullptr) {
    const uint64_t posted = posted_.load(std::memory_order_acquire);
    if (posted == answered_.load(std::memory_order_relaxed)) return false;
    return work(table, nat, posted, now_ms, bucket_budget);
  }

 private:
  bool work(const FlowTable& table, const NatTable* nat, uint64_t posted, uint32_t now_ms,
            uint32_t bucket_budget);

  alignas(64) std::atomic<uint64_t> posted_{0};    // written by the asker
  alignas(64) std::atomic<uint64_t> answered_{0};  // written by the worker
  // The worker's own: which question it works on and how far its scan got.
  uint64_t serving_ = 0;
  uint32_t cursor_ = 0;
  alignas(64) FlowRequest request_;
  FlowAnswer answer_;
};

}  // namespace sluice
