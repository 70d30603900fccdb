// SPDX-License-Identifier: BSD-3-Clause
#include "state/state_builder.h"

#include <algorithm>
#include <set>

#include "state/key_hash.h"

namespace sluice {

namespace {

VipKey vip_key(const config::Vip& v) { return VipKey{v.address, v.port, v.protocol, 0}; }

bool same_addresses(const std::vector<config::Backend>& a, const std::vector<config::Backend>& b) {
  return std::equal(
      a.begin(), a.end(), b.begin(), b.end(),
      [](const config::Backend& x, const config::Backend& y) { return x.address == y.address; });
}

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

size_t StateBuilder::VipKeyHash::operator()(const VipKey& key) const {
  return size_t(key_hash_mix(key_hash_mix(kKeyHashSeed, key.address.bytes),
                             uint64_t(key.port) << 8 | key.protocol));
}

size_t StateBuilder::AddressHash::operator()(const IpAddress& address) const {
  return size_t(key_hash_mix(kKeyHashSeed, address.bytes));
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

bool StateBuilder::same_neighbors(const config::Config& a, const config::Config& b) {
  if (a.ports != b.ports || a.neighbors != b.neighbors || a.vips.size() != b.vips.size())
    return false;
  for (size_t v = 0; v < a.vips.size(); ++v) {
    const std::vector<config::Backend>& x = a.vips[v].backends;
    const std::vector<config::Backend>& y = b.vips[v].backends;
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (x[i].address != y[i].address) return false;
  }
  return true;
}

std::unique_ptr<ForwardingState> StateBuilder::build(const config::Config& config,
                                                     const std::vector<MacAddress>& port_macs,
                                                     const NeighborCache& neighbors,
                                                     uint64_t generation, uint32_t now_ms,
                                                     std::vector<std::string>& errors) {
  std::vector<BuiltVip*> unchanged;
  if (std::string why = fits(config, now_ms, unchanged); !why.empty()) {
    errors.push_back(why);
    return nullptr;
  }
  // The ports decide every next hop, MTU and MAC filter: then every VIP is built anew.
  const bool rebuild_all = config.ports != built_ports_ || port_macs != built_macs_;
  if (rebuild_all) {
    built_ports_ = config.ports;
    built_macs_ = port_macs;
  }
  ++round_;
  // The last snapshot's tables that nothing changes stay shared with it.
  auto state =
      last_ ? std::make_unique<ForwardingState>(*last_) : std::make_unique<ForwardingState>();
  state->generation = generation;
  state->ports.clear();
  state->vips = {};

  std::vector<IpAddress> local;
  std::vector<IpAddress> host;
  for (size_t i = 0; i < config.ports.size(); ++i) {
    PortEntry port;
    port.mac = i < port_macs.size() ? port_macs[i] : MacAddress{};
    port.addresses = config.ports[i].addresses;
    port.destinations = MacFilter(port.mac, config.ports[i].accept_macs);
    port.has_tap = config.ports[i].exception_path == config::ExceptionPath::kTap;
    for (const IpPrefix& p : port.addresses) local.push_back(p.address);
    host.insert(host.end(), config.ports[i].host_addresses.begin(),
                config.ports[i].host_addresses.end());
    state->ports.push_back(std::move(port));
  }
  const uint16_t mtu = config.ports.empty() ? 1500 : config.ports[0].mtu;

  // First the neighbours: the entries kept from the last snapshot read their MACs here.
  refresh_next_hops(neighbors);

  // Which VIP index each backend id maps to moves when a VIP is added, removed or moved:
  // then the whole map is redone; otherwise only the changed VIPs' backends are.
  bool vips_moved = rebuild_all;
  bool matched_changed = rebuild_all;   // the VIPs matched and answered for
  bool backends_changed = rebuild_all;  // the set of backend addresses
  std::vector<uint32_t> changed;
  state->vips.reserve(config.vips.size());
  for (const config::Vip& cv : config.vips) {
    const auto index = uint32_t(state->vips.size());
    BuiltVip* same = unchanged[index];
    bool added = false;
    if (!same) {
      auto [it, inserted] = built_.try_emplace(vip_key(cv));  // references stay valid
      same = &it->second;
      added = inserted;
    }
    BuiltVip& b = *same;
    if (!unchanged[index] || rebuild_all) {
      std::shared_ptr<const VipEntry> before = std::move(b.entry);
      b.entry = build_vip(config, cv, mtu, neighbors, now_ms);
      if (before) {
        drop_next_hops(*before);
        release_backends(b.config, &cv, now_ms);
        if (!vips_moved && b.index == index)
          for (const BackendEntry& be : before->backends) backend_by_id_[be.id] = {};
      }
      matched_changed |= added || b.config.active != cv.active;
      backends_changed |= added || !same_addresses(b.config.backends, cv.backends);
      b.config = cv;
      changed.push_back(index);
    }
    vips_moved |= added || b.index != index;
    b.index = index;
    b.round = round_;
    state->vips.push_back(b.entry);
  }
  for (auto it = built_.begin(); it != built_.end();) {
    if (it->second.round == round_) {
      ++it;
      continue;
    }
    const VipKey& key = it->first;
    release_backends(it->second.config, nullptr, now_ms);
    vip_ids_.release(VipIdKey{key.address.bytes, key.port, key.protocol}, now_ms);
    drop_next_hops(*it->second.entry);
    it = built_.erase(it);
    vips_moved = matched_changed = backends_changed = true;
  }
  maglev_tables_.retain_used();

  if (vips_moved) {
    backend_by_id_.clear();
    changed.clear();
    for (uint32_t i = 0; i < state->vips.size(); ++i) changed.push_back(i);
  }
  for (uint32_t vip_index : changed) {
    const VipEntry& vip = state->vips[vip_index];
    for (uint32_t i = 0; i < vip.backends.size(); ++i) {
      const uint32_t id = vip.backends[i].id;
      if (id >= backend_by_id_.size()) backend_by_id_.resize(id + 1);
      backend_by_id_[id] = {vip_index, i};
    }
  }
  if (vips_moved || !changed.empty())
    state->backend_by_id = SharedArray<ForwardingState::BackendRef>(backend_by_id_);
  if (matched_changed || vips_moved) {
    // An inactive VIP keeps its ids and backends (its flows survive a flip back) but is
    // neither matched nor answered for.
    std::vector<std::pair<VipKey, uint32_t>> keys, every_key;
    std::vector<IpAddress> addresses;
    for (uint32_t i = 0; i < config.vips.size(); ++i) {
      every_key.emplace_back(state->vips[i].key, i);
      if (!config.vips[i].active) continue;
      keys.emplace_back(state->vips[i].key, i);
      addresses.push_back(state->vips[i].key.address);
    }
    state->vip_table = VipTable(keys);
    state->every_vip_table = VipTable(every_key);
    state->vip_addresses = AddressSet(addresses);
  }
  state->local_addresses = AddressSet(local);
  state->host_addresses = AddressSet(host);
  if (backends_changed) {
    std::vector<IpAddress> addresses;
    for (const config::Vip& cv : config.vips)
      for (const config::Backend& cb : cv.backends) addresses.push_back(cb.address);
    state->backend_addresses = AddressSet(addresses);
  }
  if (vips_moved || !changed.empty()) {
    // The answers of `nat` VIPs' backends are routed back through sluice.
    std::vector<IpAddress> nat_backends;
    for (const VipEntry& vip : state->vips)
      if (vip.mode == ForwardingMode::kNat)
        for (const BackendEntry& be : vip.backends) nat_backends.push_back(be.address);
    state->nat_backends = AddressSet(nat_backends);
  }
  state->nat_local_addresses = AddressSet(config.nat.local_addresses);
  state->has_nat = !config.nat.local_addresses.empty() || state->nat_backends.size() != 0;
  state->sync_listen = config.sync.enable ? config.sync.listen : SocketAddress{};
  state->next_hops = next_hops_;
  last_ = *state;
  return state;
}

std::unique_ptr<ForwardingState> StateBuilder::with_neighbors(const NeighborCache& neighbors,
                                                              uint64_t generation) {
  if (!last_) return nullptr;
  refresh_next_hops(neighbors);
  last_->generation = generation;
  last_->next_hops = next_hops_;
  return std::make_unique<ForwardingState>(*last_);
}

std::shared_ptr<const VipEntry> StateBuilder::build_vip(const config::Config& config,
                                                        const config::Vip& cv, uint16_t mtu,
                                                        const NeighborCache& neighbors,
                                                        uint32_t now_ms) {
  const VipKey key = vip_key(cv);
  auto vip = std::make_shared<VipEntry>();
  vip->id = *vip_ids_.acquire(VipIdKey{key.address.bytes, key.port, key.protocol},
                              now_ms);  // fits() made sure
  vip->key = key;
  vip->mode = cv.mode;
  vip->hash = cv.hash;
  vip->mtu = mtu;
  vip->mss_clamp = cv.mss_clamp;

  MaglevRing ring{cv.maglev_table_size, {}};
  for (const config::Backend& cb : cv.backends) {
    BackendIdKey bid_key{key.address.bytes, key.port, key.protocol, cb.address.bytes};
    const uint32_t bid = *backend_ids_.acquire(bid_key, now_ms);  // fits() made sure
    // In maint (or DOWN) it carries no flow, but keeps its id and so its counters.
    if (cb.state == config::BackendState::kMaint) continue;
    BackendEntry be;
    be.id = bid;
    be.address = cb.address;
    if (auto hop = next_hop_for(config, cb.address)) be.next_hop = use_next_hop(*hop, neighbors);
    be.takes_new_flows = cb.state == config::BackendState::kReady && cb.weight > 0;
    if (cv.mode != ForwardingMode::kDsrL2) {
      // The loader requires the source prefix of every family the backends use.
      const auto& source = cb.address.is_v4() ? cv.encap_source : cv.encap_source6;
      if (source)
        be.outer = make_outer_header(cv.mode == ForwardingMode::kGue, *source, cb.address, mtu,
                                     cv.gue_port);
    }
    if (be.takes_new_flows)
      ring.members.push_back({cb.address, cb.weight, uint16_t(vip->backends.size())});
    vip->backends.push_back(be);
  }
  if (!ring.members.empty()) vip->maglev = maglev_tables_.table(ring);
  return vip;
}

void StateBuilder::release_backends(const config::Vip& cv, const config::Vip* next,
                                    uint32_t now_ms) {
  const VipKey key = vip_key(cv);
  for (const config::Backend& cb : cv.backends) {
    if (next && std::any_of(next->backends.begin(), next->backends.end(),
                            [&](const config::Backend& n) { return n.address == cb.address; }))
      continue;
    backend_ids_.release(BackendIdKey{key.address.bytes, key.port, key.protocol, cb.address.bytes},
                         now_ms);
  }
}

uint32_t StateBuilder::use_next_hop(const IpAddress& hop, const NeighborCache& neighbors) {
  auto [it, added] = next_hop_index_.try_emplace(hop, kNoNextHop);
  if (added) {
    uint32_t slot;
    if (!free_next_hops_.empty()) {
      slot = free_next_hops_.back();
      free_next_hops_.pop_back();
    } else {
      slot = uint32_t(next_hops_.size());
      next_hops_.emplace_back();
      next_hop_addresses_.emplace_back();
      next_hop_users_.push_back(0);
    }
    const std::optional<MacAddress> mac = neighbors.lookup(hop);
    next_hops_[slot] = mac ? NextHop{*mac, true} : NextHop{};
    next_hop_addresses_[slot] = hop;
    it->second = slot;
  }
  ++next_hop_users_[it->second];
  return it->second;
}

void StateBuilder::drop_next_hops(const VipEntry& entry) {
  for (const BackendEntry& be : entry.backends) {
    if (be.next_hop == kNoNextHop || --next_hop_users_[be.next_hop] != 0) continue;
    next_hop_index_.erase(next_hop_addresses_[be.next_hop]);
    next_hops_[be.next_hop] = NextHop{};
    free_next_hops_.push_back(be.next_hop);
  }
}

void StateBuilder::refresh_next_hops(const NeighborCache& neighbors) {
  auto reread = [&](uint32_t slot) {
    const std::optional<MacAddress> mac = neighbors.lookup(next_hop_addresses_[slot]);
    next_hops_[slot] = mac ? NextHop{*mac, true} : NextHop{};
  };
  if (auto changed = neighbors.changed_since(neighbor_changes_seen_)) {
    for (const IpAddress& ip : *changed)
      if (auto it = next_hop_index_.find(ip); it != next_hop_index_.end()) reread(it->second);
  } else {
    for (const auto& [ip, slot] : next_hop_index_) reread(slot);
  }
  neighbor_changes_seen_ = neighbors.change_count();
}

std::string StateBuilder::fits(const config::Config& config, uint32_t now_ms,
                               std::vector<BuiltVip*>& unchanged) {
  size_t new_vips = 0, pairs = 0, new_pairs = 0;
  unchanged.assign(config.vips.size(), nullptr);
  for (size_t i = 0; i < config.vips.size(); ++i) {
    const config::Vip& cv = config.vips[i];
    VipKey key = vip_key(cv);
    if (cv.backends.size() > config::kMaxBackendsPerVip)
      return "vip '" + cv.name + "': " + std::to_string(cv.backends.size()) +
             " backends; at most " + std::to_string(config::kMaxBackendsPerVip) + " per VIP";
    pairs += cv.backends.size();
    // A VIP as it was in the last snapshot has ids for all it holds.
    if (auto built = built_.find(key); built != built_.end() && built->second.config == cv) {
      unchanged[i] = &built->second;
      continue;
    }
    if (!vip_ids_.find(VipIdKey{key.address.bytes, key.port, key.protocol})) ++new_vips;
    for (const config::Backend& cb : cv.backends) {
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
