// SPDX-License-Identifier: BSD-3-Clause
#include "nat/local_ports.h"

namespace sluice {

LocalPorts::LocalPorts(uint32_t addresses, uint16_t port_min, uint16_t port_max, uint16_t workers,
                       uint16_t self) {
  std::vector<uint16_t> mine;
  for (uint32_t p = port_min; p <= port_max; ++p)
    if (local_port_owner(uint16_t(p), workers) == self) mine.push_back(uint16_t(p));
  pools_.resize(addresses);
  for (Pool& pool : pools_) {
    pool.ring = mine;
    pool.count = uint32_t(mine.size());
  }
}

}  // namespace sluice
