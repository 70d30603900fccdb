// SPDX-License-Identifier: BSD-3-Clause
#include "sluiced/sync_join_hold.h"

namespace sluice::sluiced {

void SyncJoinHold::update(uint64_t now_us, uint64_t connection, std::optional<bool> join_pending) {
  if (connection_ != connection) {
    connection_ = connection;
    deadline_us_ = now_us + join_wait_us_ + kCountersDelayUs;
    over_ = false;
  }
  if (join_pending && !*join_pending) over_ = true;
  if (join_wait_us_ == 0 || over_ || now_us >= deadline_us_) {
    reason_.clear();
  } else if (join_pending) {
    reason_ = "waiting for the peers' flows (flow sync join)";
  } else {
    reason_ = "waiting for the dataplane's first counters (flow sync join)";
  }
}

}  // namespace sluice::sluiced
