// SPDX-License-Identifier: BSD-3-Clause
// Hands forwarding snapshots to the workers: one pointer, published with a release store;
// the previous snapshot is freed once every worker has reported a quiescent state
// (rte_rcu_qsbr), so no worker can still be reading it. publish() is for the main lcore
// only; current() and quiescent() are for worker `thread_id` only.
#pragma once

#include <rte_rcu_qsbr.h>

#include <atomic>
#include <memory>

#include "state/forwarding_state.h"

namespace sluice {

class StatePublisher {
 public:
  explicit StatePublisher(uint32_t workers);
  ~StatePublisher();
  StatePublisher(const StatePublisher&) = delete;
  StatePublisher& operator=(const StatePublisher&) = delete;

  // Swaps in `next`, waits for a grace period, frees the old snapshot.
  void publish(std::unique_ptr<ForwardingState> next);

  // Worker side.
  void online(uint32_t thread_id) {
    rte_rcu_qsbr_thread_register(qsbr_, thread_id);
    rte_rcu_qsbr_thread_online(qsbr_, thread_id);
  }
  void offline(uint32_t thread_id) {
    rte_rcu_qsbr_thread_offline(qsbr_, thread_id);
    rte_rcu_qsbr_thread_unregister(qsbr_, thread_id);
  }
  const ForwardingState* current() const { return current_.load(std::memory_order_acquire); }
  void quiescent(uint32_t thread_id) { rte_rcu_qsbr_quiescent(qsbr_, thread_id); }

 private:
  rte_rcu_qsbr* qsbr_ = nullptr;
  std::atomic<const ForwardingState*> current_{nullptr};
};

}  // namespace sluice
