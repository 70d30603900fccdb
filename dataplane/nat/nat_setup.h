// SPDX-License-Identifier: BSD-3-Clause
// What one worker's pipeline needs for the NAT modes, from [nat] and the worker's place
// among the workers; plain value type.
#pragma once

#include <cstdint>
#include <vector>

#include "net/ip_address.h"

namespace sluice {

struct NatSetup {
  uint32_t capacity = 0;                   // NAT connections of this worker; 0 = no NAT
  std::vector<IpAddress> local_addresses;  // [nat] local_addresses, in the file's order
  uint16_t port_min = 1024;
  uint16_t port_max = 65535;
  uint16_t workers = 1;  // the workers sharing the local ports (every worker of the node)
  uint16_t self = 0;     // this one's index among them
};

}  // namespace sluice
