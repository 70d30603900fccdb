// SPDX-License-Identifier: BSD-3-Clause
#include "nat/local_ports.h"

namespace sluice {

LocalPorts::LocalPorts(uint32_t addresses, uint16_t port_min, uint16_t port_max, uint16_t workers,
                       uint16_t self) {
  std::vector<uint16_t> mine;
  for (uint32_t p = port_min; p <= port_max; ++p)
    if (local_port_owner(uint16_t(p), workers) == self) mine.push_back(uint16_t(p));
  workers_ = workers ? workers : 1;
  if (!mine.empty()) {
    first_ = mine.front();
    last_ = mine.back();
  }
  pools_.resize(addresses);
  for (Pool& pool : pools_) {
    pool.ring = mine;
    pool.count = uint32_t(mine.size());
    pool.slot.resize(mine.size());
    for (uint32_t i = 0; i < mine.size(); ++i) pool.slot[i] = i;
  }
}

bool LocalPorts::claim(uint32_t address, uint16_t port) {
  Pool& p = pools_[address];
  if (p.ring.empty() || port < first_ || port > last_ || (port - first_) % workers_ != 0)
    return false;
  const uint32_t at = p.slot[share_index(port)];
  if (at == kTaken) return false;
  // The oldest free port moves into its place; the head then drops the claimed one.
  const uint16_t oldest = p.ring[p.head];
  p.ring[at] = oldest;
  p.slot[share_index(oldest)] = at;
  p.ring[p.head] = port;
  take(address);
  return true;
}

}  // namespace sluice
