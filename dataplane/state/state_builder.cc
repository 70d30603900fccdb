// SPDX-License-Identifier: BSD-3-Clause
#include "state/state_builder.h"

#include <set>

#include "state/key_hash.h"

namespace sluice {

namespace {

VipKey vip_key(const config::Vip& v) { return VipKey{v.address, v.port, v.protocol, 0}; }

}  // namespace

size_t StateBuilder::IdKeyHash::operator()(const VipIdKey& key) const {
  const auto& [address, port, protocol] = key;
  return size_t(key_hash_mix(key_hash_mix(kKeyHashSeed, address), uint64_t(port) << 8 | protocol));
}

size_t StateBuilder::IdKeyHash::operator()(const BackendIdKey& key) const {
  const auto& [address, port, protocol, backend] = key;
  return size_t(key_hash_mix(
      key_hash_mix(key_hash_mix(kKeyHashSeed, address), uint64_t(port) << 8 | protocol), backend));
}

StateBuilder::StateBuilder(uint32_t quarantine_ms)
    : vip_ids_(kVipIds, quarantine_ms), backend_ids_(kBackendIds, quarantine_ms) {}

std::optional<IpAddress> next_hop_for(const config::Config& config, const IpAddress& backend) {
  for (const config::Port& port : config.ports)
    for (const IpPrefix& prefix : port.addresses)
      if (prefix.contains(backend)) return backend;
  for (const config::Port& port : config.ports) {
    if (backend.is_v4() && port.gateway) return port.gateway;
    if (!backend.is_v4() && port.gateway6) return port.gateway6;
  }
  return std::nullopt;
}

std::vector<IpAddress> StateBuilder::next_hops(const config::Config& config) {
  std::set<IpAddress> hops;
  for (const config::Vip& vip : config.vips)
    for (const config::Backend& b : vip.backends)
      if (auto hop = next_hop_for(config, b.address)) hops.insert(*hop);
  return {hops.begin(), hops.end()};
}

std::map<IpAddress, MacAddress> StateBuilder::static_neighbors(const config::Config& config) {
  std::map<IpAddress, MacAddress> statics;
  for (const config::Neighbor& n : config.neighbors) statics[n.address] = n.mac;
  return statics;
}

std::unique_ptr<ForwardingState> StateBuilder::build(const config::Config& config,
                                                     const std::vector<MacAddress>& port_macs,
                                                     const NeighborCache& neighbors,
                                                     uint64_t generation, uint32_t now_ms,
                                                     std::vector<std::string>& errors) {
  if (std::string why = fits(config, now_ms); !why.empty()) {
    errors.push_back(why);
    return nullptr;
  }
  auto state = std::make_unique<ForwardingState>();
  state->generation = generation;

  std::vector<IpAddress> local;
  for (size_t i = 0; i < config.ports.size(); ++i) {
    PortEntry port;
    port.mac = i < port_macs.size() ? port_macs[i] : MacAddress{};
    port.addresses = config.ports[i].addresses;
    port.destinations = MacFilter(port.mac, config.ports[i].accept_macs);
    for (const IpPrefix& p : port.addresses) local.push_back(p.address);
    state->ports.push_back(std::move(port));
  }
  uint16_t mtu = config.ports.empty() ? 1500 : config.ports[0].mtu;

  vip_ids_.begin_round();
  backend_ids_.begin_round();
  std::vector<std::pair<VipKey, uint32_t>> keys;
  std::vector<IpAddress> vip_addresses;
  std::vector<IpAddress> nat_backends;

  for (const config::Vip& cv : config.vips) {
    VipKey key = vip_key(cv);
    VipIdKey vid_key{key.address.bytes, key.port, key.protocol};
    uint32_t vid = *vip_ids_.acquire(vid_key, now_ms);  // fits() made sure

    VipEntry vip;
    vip.id = vid;
    vip.key = key;
    vip.mode = cv.mode;
    vip.hash = cv.hash;
    vip.mtu = mtu;
    vip.mss_clamp = cv.mss_clamp;

    MaglevRing ring{cv.maglev_table_size, {}};
    for (const config::Backend& cb : cv.backends) {
      BackendIdKey bid_key{key.address.bytes, key.port, key.protocol, cb.address.bytes};
      uint32_t bid = *backend_ids_.acquire(bid_key, now_ms);  // fits() made sure
      // In maint (or DOWN) it carries no flow, but keeps its id and so its counters.
      if (cb.state == config::BackendState::kMaint) continue;
      BackendEntry be;
      be.id = bid;
      be.address = cb.address;
      if (auto hop = next_hop_for(config, cb.address)) {
        if (auto mac = neighbors.lookup(*hop)) {
          be.next_hop_mac = *mac;
          be.next_hop_resolved = true;
        }
      }
      be.takes_new_flows = cb.state == config::BackendState::kReady && cb.weight > 0;
      if (cv.mode != ForwardingMode::kDsrL2) {
        // The loader requires the source prefix of every family the backends use.
        const auto& source = cb.address.is_v4() ? cv.encap_source : cv.encap_source6;
        if (source)
          be.outer = make_outer_header(cv.mode == ForwardingMode::kGue, *source, cb.address, mtu,
                                       cv.gue_port);
      }
      if (cv.mode == ForwardingMode::kNat) nat_backends.push_back(cb.address);
      if (be.takes_new_flows)
        ring.members.push_back({cb.address, cb.weight, uint16_t(vip.backends.size())});
      vip.backends.push_back(be);
    }
    if (!ring.members.empty()) vip.maglev = maglev_tables_.table(ring);
    uint32_t vip_index = uint32_t(state->vips.size());
    for (uint32_t i = 0; i < vip.backends.size(); ++i) {
      uint32_t id = vip.backends[i].id;
      if (id >= state->backend_by_id.size()) state->backend_by_id.resize(id + 1);
      state->backend_by_id[id] = {vip_index, i};
    }
    // An inactive VIP keeps its ids and backends (its flows survive a flip back) but is
    // neither matched nor answered for.
    if (cv.active) {
      keys.emplace_back(key, vip_index);
      vip_addresses.push_back(key.address);
    }
    state->vips.push_back(std::move(vip));
  }

  maglev_tables_.retain_used();
  vip_ids_.release_unacquired(now_ms);
  backend_ids_.release_unacquired(now_ms);
  state->vip_table = VipTable(keys);
  state->local_addresses = AddressSet(local);
  state->vip_addresses = AddressSet(vip_addresses);
  state->nat_local_addresses = AddressSet(config.nat.local_addresses);
  state->nat_backends = AddressSet(nat_backends);
  state->has_nat = !config.nat.local_addresses.empty() || !nat_backends.empty();
  return state;
}

std::string StateBuilder::fits(const config::Config& config, uint32_t now_ms) const {
  size_t new_vips = 0, pairs = 0, new_pairs = 0;
  for (const config::Vip& cv : config.vips) {
    VipKey key = vip_key(cv);
    if (!vip_ids_.find(VipIdKey{key.address.bytes, key.port, key.protocol})) ++new_vips;
    if (cv.backends.size() > config::kMaxBackendsPerVip)
      return "vip '" + cv.name + "': " + std::to_string(cv.backends.size()) +
             " backends; at most " + std::to_string(config::kMaxBackendsPerVip) + " per VIP";
    for (const config::Backend& cb : cv.backends) {
      ++pairs;
      BackendIdKey bid_key{key.address.bytes, key.port, key.protocol, cb.address.bytes};
      if (!backend_ids_.find(bid_key)) ++new_pairs;
    }
  }
  if (config.vips.size() > config::kMaxVips)
    return std::to_string(config.vips.size()) + " VIPs; at most " +
           std::to_string(config::kMaxVips);
  if (pairs > config::kMaxBackends)
    return std::to_string(pairs) + " backends over all VIPs; at most " +
           std::to_string(config::kMaxBackends);
  auto quarantined = [&](const char* what, size_t wanted, size_t free,
                         std::optional<uint32_t> next_ms) {
    std::string out = std::to_string(wanted) + " new " + what + " but only " +
                      std::to_string(free) + " ids are free: the ids of removed " + what +
                      " stay reserved for the longest flow timeout, so that no flow lands "
                      "on a stranger";
    if (next_ms)
      out += "; the next is free in " + std::to_string((*next_ms - now_ms + 999) / 1000) + " s";
    return out;
  };
  if (size_t free = vip_ids_.assignable(now_ms); new_vips > free)
    return quarantined("VIPs", new_vips, free, vip_ids_.next_release_ms());
  if (size_t free = backend_ids_.assignable(now_ms); new_pairs > free)
    return quarantined("backends", new_pairs, free, backend_ids_.next_release_ms());
  return {};
}

std::optional<uint32_t> StateBuilder::vip_id(const VipKey& key) const {
  return vip_ids_.find(VipIdKey{key.address.bytes, key.port, key.protocol});
}

std::optional<uint32_t> StateBuilder::backend_id(const VipKey& key,
                                                 const IpAddress& backend) const {
  return backend_ids_.find(BackendIdKey{key.address.bytes, key.port, key.protocol, backend.bytes});
}

}  // namespace sluice
