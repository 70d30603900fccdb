// SPDX-License-Identifier: BSD-3-Clause
#include "config/loader/claims.h"

namespace sluice::config::loader {

bool Claims::on_link(const std::vector<Port>& ports, const IpAddress& a) const {
  for (const Port& p : ports)
    for (const IpPrefix& pfx : p.addresses)
      if (pfx.contains(a)) return true;
  return neighbor_addresses.count(a) != 0;
}

}  // namespace sluice::config::loader
