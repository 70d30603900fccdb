// SPDX-License-Identifier: BSD-3-Clause
// The MAC addresses of the next hops the dataplane needs (on-link backends, gateways),
// learnt from ARP / neighbor discovery and kept fresh by re-soliciting. Static entries from
// the config always win. Main lcore only; workers see the result through the snapshot.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "net/ip_address.h"
#include "net/mac_address.h"

namespace sluice {

struct NeighborTimers {
  uint32_t retry_ms = 200;         // unresolved: solicit this often (a TCP SYN retries in 1 s)
  uint32_t refresh_ms = 30'000;    // resolved: re-solicit when the binding is this old,
  uint32_t refresh_retry_ms = 1000;  // then this often until it is confirmed again
  uint32_t expiry_ms = 120'000;    // resolved but unconfirmed this long: forget the MAC
};

class NeighborCache {
 public:
  explicit NeighborCache(NeighborTimers timers = {}) : timers_(timers) {}

  // Replaces the set of addresses to resolve and the static bindings. Learnt MACs of
  // addresses still wanted are kept. Returns true if a lookup result changed.
  bool configure(const std::vector<IpAddress>& wanted,
                 const std::map<IpAddress, MacAddress>& statics);

  // A binding seen on the wire. Ignored unless the address is wanted and not static.
  // Returns true if a lookup result changed.
  bool learn(const IpAddress& ip, const MacAddress& mac, uint32_t now_ms);

  std::optional<MacAddress> lookup(const IpAddress& ip) const;

  // Addresses to solicit now (each is then not due again for a retry/refresh interval).
  // Also forgets bindings past expiry; `changed` is set when that altered a lookup.
  std::vector<IpAddress> due(uint32_t now_ms, bool& changed);

  struct View {
    IpAddress ip;
    std::optional<MacAddress> mac;
    bool is_static;
    uint32_t age_ms;
  };
  std::vector<View> entries(uint32_t now_ms) const;

 private:
  struct Entry {
    std::optional<MacAddress> mac;
    bool is_static = false;
    uint32_t confirmed_ms = 0;
    uint32_t next_solicit_ms = 0;
    bool solicit_scheduled = false;
  };
  NeighborTimers timers_;
  std::map<IpAddress, Entry> entries_;
};

}  // namespace sluice
