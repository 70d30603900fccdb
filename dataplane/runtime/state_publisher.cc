// SPDX-License-Identifier: BSD-3-Clause
#include "runtime/state_publisher.h"

#include <rte_malloc.h>

#include <stdexcept>

namespace sluice {

StatePublisher::StatePublisher(uint32_t workers) {
  size_t size = rte_rcu_qsbr_get_memsize(workers);
  qsbr_ = static_cast<rte_rcu_qsbr*>(rte_zmalloc("sluice_qsbr", size, RTE_CACHE_LINE_SIZE));
  if (!qsbr_ || rte_rcu_qsbr_init(qsbr_, workers) != 0)
    throw std::runtime_error("cannot allocate the RCU state");
}

StatePublisher::~StatePublisher() {
  delete current_.exchange(nullptr);
  rte_free(qsbr_);
}

void StatePublisher::publish(std::unique_ptr<ForwardingState> next) {
  const ForwardingState* old = current_.exchange(next.release(), std::memory_order_acq_rel);
  if (!old) return;
  rte_rcu_qsbr_synchronize(qsbr_, RTE_QSBR_THRID_INVALID);
  delete old;
}

}  // namespace sluice
