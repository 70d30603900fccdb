// SPDX-License-Identifier: BSD-3-Clause
// Whether this node is still waiting for its peers' flows (flow sync's bulk sync on join,
// docs/flow-sync.md) and so must not take a VIP from a live Master: sluiced's VRRP
// instances do not preempt while it holds. The dataplane says so in its counters
// (sync_join_pending, polled every second) and ends its join itself after join_wait; the
// hold also covers the moment before the first counters of each connection to the
// dataplane (a restarted dataplane joins again), and never outlasts join_wait plus the
// counters' delay, whatever the dataplane says. Pure; the daemon's main loop only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sluice::sluiced {

class SyncJoinHold {
 public:
  // What the counters may lag behind the dataplane's own end of its join.
  static constexpr uint64_t kCountersDelayUs = 2'000'000;

  // `join_wait_ms`: [sync] join_wait when sync is enabled, else 0 (never holds).
  explicit SyncJoinHold(uint32_t join_wait_ms) : join_wait_us_(uint64_t(join_wait_ms) * 1000) {}

  // Every loop turn. `connection` numbers the dataplane channel's connections (a new
  // number: a new dataplane, or the same one again, whose join is judged afresh);
  // `join_pending` is sync_join_pending in the counters that connection brought, nullopt
  // while it has brought none.
  void update(uint64_t now_us, uint64_t connection, std::optional<bool> join_pending);

  bool held() const { return !reason_.empty(); }
  // Why, for the log and `show ha`; "" when not held.
  const std::string& reason() const { return reason_; }

 private:
  uint64_t join_wait_us_;
  std::optional<uint64_t> connection_;
  uint64_t deadline_us_ = 0;
  bool over_ = false;  // the counters of this connection said the join is over
  std::string reason_;
};

}  // namespace sluice::sluiced
