// SPDX-License-Identifier: BSD-3-Clause
// The neighbor cache kept current: bindings the workers learnt from ARP / ND, solicitations
// of the next hops that are unresolved or due a refresh, and expiry.
#include <mutex>
#include <vector>

#include "packet/neighbor_packets.h"
#include "runtime/dataplane.h"

namespace sluice {

void Dataplane::drain_learned(uint32_t now) {
  LearnedNeighbor learned;
  bool changed = false;
  {
    std::lock_guard lock(view_lock_);
    while (rte_ring_dequeue_elem(learned_, &learned, sizeof learned) == 0)
      changed |= neighbors_.learn(learned.binding.ip, learned.binding.mac, now);
  }
  if (changed) republish_neighbors("neighbor learnt");
}

void Dataplane::solicit_neighbors(uint32_t now) {
  bool expired = false;
  std::vector<IpAddress> due;
  {
    std::lock_guard lock(view_lock_);
    due = neighbors_.due(now, expired);
  }
  for (const IpAddress& target : due) {
    for (uint16_t p = 0; p < ports_.size(); ++p) {
      // Ask from an address of ours on the target's subnet, else from any of its family.
      const IpPrefix* source = nullptr;
      for (const IpPrefix& a : config_.ports[p].addresses) {
        if (a.address.is_v4() != target.is_v4()) continue;
        if (!source || a.contains(target)) source = &a;
      }
      if (!source) continue;
      uint8_t frame[128];
      uint32_t length =
          target.is_v4()
              ? build_arp_request(frame, sizeof frame, ports_[p].mac, source->address, target)
              : build_neighbor_solicitation(frame, sizeof frame, ports_[p].mac, source->address,
                                            target);
      if (length) ports_[p].send_control_frame(frame, length);
    }
  }
  if (expired) republish_neighbors("neighbor expired");
}

}  // namespace sluice
