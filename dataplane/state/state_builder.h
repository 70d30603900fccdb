// SPDX-License-Identifier: BSD-3-Clause
// Turns a validated config, the ports' MACs and the neighbor cache into a forwarding
// snapshot. Runs on the main lcore, off the packet path; it owns the id registries so ids
// stay stable from one snapshot to the next.
//
// A snapshot costs what changed since the last one, not the whole config: a VIP whose
// config is the same as in the last snapshot keeps its entry (VipEntry is immutable and
// shared between snapshots); backends reach their next hop's MAC through a table of next
// hops, so a neighbour learnt or forgotten changes one entry of it, read back from the
// neighbor cache's journal of changes. A change of the ports rebuilds everything.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <unordered_map>
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
  // Whether both configs want the same next hops and static bindings (the same ports,
  // neighbors and backend addresses), so that the neighbor cache needs no configure().
  static bool same_neighbors(const config::Config& a, const config::Config& b);

  // Builds snapshot `generation`: every VIP and backend of `config`, or nothing. When the
  // config is over a limit (config/node_limits.h) or its new VIPs or backends need more ids
  // than are free, returns nullptr with the reason appended to `errors`, and the ids are
  // as they were. `neighbors` is the same cache (or a copy of it) from build to build.
  std::unique_ptr<ForwardingState> build(const config::Config& config,
                                         const std::vector<MacAddress>& port_macs,
                                         const NeighborCache& neighbors, uint64_t generation,
                                         uint32_t now_ms, std::vector<std::string>& errors);

  // The last snapshot again with its next hops as `neighbors` has them now: all a
  // neighbour learnt or forgotten costs. nullptr before the first build.
  std::unique_ptr<ForwardingState> with_neighbors(const NeighborCache& neighbors,
                                                  uint64_t generation);

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
  struct VipKeyHash {
    size_t operator()(const VipKey& key) const;
  };
  struct AddressHash {
    size_t operator()(const IpAddress& address) const;
  };
  // A VIP of the last snapshot, with the config it was built from.
  struct BuiltVip {
    config::Vip config;
    std::shared_ptr<const VipEntry> entry;
    uint32_t index = 0;  // in the last snapshot's vips
    uint64_t round = 0;  // the last build that had it
  };

  // Empty when build() can take `config`, else why not. Sets unchanged[i] to the built
  // VIP that config.vips[i] is the same as, or nullptr when it is new or changed.
  std::string fits(const config::Config& config, uint32_t now_ms,
                   std::vector<BuiltVip*>& unchanged);
  std::shared_ptr<const VipEntry> build_vip(const config::Config& config, const config::Vip& cv,
                                            uint16_t mtu, const NeighborCache& neighbors,
                                            uint32_t now_ms);
  // Releases the ids of `cv`'s backends that `next` (nullptr: none) no longer has.
  void release_backends(const config::Vip& cv, const config::Vip* next, uint32_t now_ms);
  uint32_t use_next_hop(const IpAddress& hop, const NeighborCache& neighbors);
  void drop_next_hops(const VipEntry& entry);
  void refresh_next_hops(const NeighborCache& neighbors);

  IdRegistry<VipIdKey, IdKeyHash> vip_ids_;
  IdRegistry<BackendIdKey, IdKeyHash> backend_ids_;
  MaglevCache maglev_tables_;

  uint64_t round_ = 0;
  std::unordered_map<VipKey, BuiltVip, VipKeyHash> built_;
  std::vector<config::Port> built_ports_;
  std::vector<MacAddress> built_macs_;
  // The last snapshot: what the next shares, and what with_neighbors() gives again.
  std::optional<ForwardingState> last_;
  std::vector<ForwardingState::BackendRef> backend_by_id_;
  // The next hops: [0] is kNoNextHop; a slot whose users dropped to 0 is reused.
  std::vector<NextHop> next_hops_{NextHop{}};
  std::vector<IpAddress> next_hop_addresses_{IpAddress{}};
  std::vector<uint32_t> next_hop_users_{0};
  std::vector<uint32_t> free_next_hops_;
  std::unordered_map<IpAddress, uint32_t, AddressHash> next_hop_index_;
  uint64_t neighbor_changes_seen_ = 0;
};

// The address a backend's frames are sent to at L2: itself when on-link, else the gateway
// of its family; nullopt when off-link without a gateway.
std::optional<IpAddress> next_hop_for(const config::Config& config, const IpAddress& backend);

}  // namespace sluice
