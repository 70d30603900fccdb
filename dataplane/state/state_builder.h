// SPDX-License-Identifier: BSD-3-Clause
// Turns a validated config, the ports' MACs and the neighbor cache into a forwarding
// snapshot. Runs on the main lcore, off the packet path; it owns the id registries so ids
// stay stable from one snapshot to the next.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "config/config.h"
#include "state/forwarding_state.h"
#include "state/id_registry.h"
#include "state/maglev_cache.h"
#include "state/neighbor_cache.h"

namespace sluice {

class StateBuilder {
 public:
  // quarantine_ms: how long a released id stays unused (the longest flow timeout).
  explicit StateBuilder(uint32_t quarantine_ms);

  // The next hops the config needs resolved (on-link backends, gateways) and the static
  // bindings; feed both to NeighborCache::configure.
  static std::vector<IpAddress> next_hops(const config::Config& config);
  static std::map<IpAddress, MacAddress> static_neighbors(const config::Config& config);

  // Builds snapshot `generation`: every VIP and backend of `config`, or nothing. When the
  // config is over a limit (config/node_limits.h) or its new VIPs or backends need more ids
  // than are free, returns nullptr with the reason appended to `errors`, and the ids are
  // as they were.
  std::unique_ptr<ForwardingState> build(const config::Config& config,
                                         const std::vector<MacAddress>& port_macs,
                                         const NeighborCache& neighbors, uint64_t generation,
                                         uint32_t now_ms, std::vector<std::string>& errors);

  // Empty when build() would succeed, else why not.
  std::string fits(const config::Config& config, uint32_t now_ms) const;

  std::optional<uint32_t> vip_id(const VipKey& key) const;
  std::optional<uint32_t> backend_id(const VipKey& key, const IpAddress& backend) const;

 private:
  using VipIdKey = std::tuple<std::array<uint8_t, 16>, uint16_t, uint8_t>;
  using BackendIdKey =
      std::tuple<std::array<uint8_t, 16>, uint16_t, uint8_t, std::array<uint8_t, 16>>;
  struct IdKeyHash {
    size_t operator()(const VipIdKey& key) const;
    size_t operator()(const BackendIdKey& key) const;
  };
  IdRegistry<VipIdKey, IdKeyHash> vip_ids_;
  IdRegistry<BackendIdKey, IdKeyHash> backend_ids_;
  MaglevCache maglev_tables_;
};

// The address a backend's frames are sent to at L2: itself when on-link, else the gateway
// of its family; nullopt when off-link without a gateway.
std::optional<IpAddress> next_hop_for(const config::Config& config, const IpAddress& backend);

}  // namespace sluice
