// SPDX-License-Identifier: BSD-3-Clause
// The forwarding snapshot: everything a worker needs to forward a packet. Built by the
// main lcore (state/state_builder.h), published to workers by one pointer, immutable
// afterwards, and freed only after an RCU grace period (runtime/state_publisher.h).
// Workers read it and never write it.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "config/config.h"
#include "config/node_limits.h"
#include "lb/maglev_table.h"
#include "net/ip_address.h"
#include "net/mac_address.h"
#include "net/socket_address.h"
#include "packet/encap.h"
#include "packet/mac_filter.h"
#include "state/shared_array.h"
#include "state/vip_table.h"

namespace sluice {

using config::ForwardingMode;

// Ids index the per-lcore counter arrays and are what flow entries remember. They stay
// the same across snapshots while their object exists, and an id that is given up waits
// the longest flow timeout before it is handed out again (state/id_registry.h). Twice the
// config's limits, so that the whole set can be replaced at once while every old id
// waits.
inline constexpr uint32_t kVipIds = 2 * config::kMaxVips;
inline constexpr uint32_t kBackendIds = 2 * config::kMaxBackends;

// Where a backend's frames go at L2: the backend's own MAC when on-link, else the
// gateway's. Kept in a table of its own (ForwardingState::next_hops) that backends index,
// so that a neighbour learnt or forgotten changes one entry, not every backend behind it.
struct NextHop {
  MacAddress mac;
  bool resolved = false;
};
inline constexpr uint32_t kNoNextHop = 0;  // next_hops[0]: never resolved (no route)

// One backend of one VIP.
struct BackendEntry {
  uint32_t id = 0;
  IpAddress address;
  uint32_t next_hop = kNoNextHop;  // index into ForwardingState::next_hops
  bool takes_new_flows = false;    // ready with weight > 0: present in the Maglev table
  OuterHeader outer;               // ipip and gue VIPs: the headers put in front of packets
};

struct VipEntry {
  uint32_t id = 0;
  VipKey key;
  ForwardingMode mode = ForwardingMode::kDsrL2;
  config::VipHash hash = config::VipHash::kFiveTuple;  // what Maglev places new flows by
  uint16_t mtu = 1500;
  uint16_t mss_clamp = 0;              // TCP SYNs announce at most this MSS; 0 = untouched
  std::vector<BackendEntry> backends;  // every backend that still carries flows (not maint)
  MaglevTable maglev;                  // slot -> index into backends, 0xffff = none
};

// A snapshot's VIPs, read like a vector of VipEntry. Each entry is immutable and shared
// with the snapshots before and after it in which that VIP did not change, so a snapshot
// costs what changed, not the whole config (state/state_builder.h).
class VipEntries {
 public:
  class Iterator {
   public:
    using Base = std::vector<std::shared_ptr<const VipEntry>>::const_iterator;
    explicit Iterator(Base at) : at_(at) {}
    const VipEntry& operator*() const { return **at_; }
    Iterator& operator++() {
      ++at_;
      return *this;
    }
    friend bool operator==(const Iterator&, const Iterator&) = default;

   private:
    Base at_;
  };

  const VipEntry& operator[](size_t i) const { return *entries_[i]; }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  Iterator begin() const { return Iterator(entries_.begin()); }
  Iterator end() const { return Iterator(entries_.end()); }
  void push_back(std::shared_ptr<const VipEntry> entry) { entries_.push_back(std::move(entry)); }
  void reserve(size_t n) { entries_.reserve(n); }

 private:
  std::vector<std::shared_ptr<const VipEntry>> entries_;
};

struct PortEntry {
  MacAddress mac;
  MacFilter destinations;  // the unicast frames it takes: for `mac` and its accept_macs
  std::vector<IpPrefix> addresses;
  // Its exception path is a TAP: the kernel behind it shares its addresses, and the
  // answers to them (ARP, ND) are the kernel's too.
  bool has_tap = false;
};

struct ForwardingState {
  uint64_t generation = 0;
  std::vector<PortEntry> ports;
  VipEntries vips;
  std::vector<NextHop> next_hops;  // BackendEntry::next_hop indexes it; [0] is kNoNextHop
  VipTable vip_table;              // (address, protocol, port) -> index into vips
  AddressSet local_addresses;      // the ports' own addresses: ARP/ND and echo answered
  AddressSet vip_addresses;        // every VIP address: ARP/ND and echo answered
  AddressSet host_addresses;       // the kernels' own behind the TAPs: theirs, not answered
  // What pipeline/host_lane.h classes as control traffic besides fixed protocols: frames
  // from a backend (health-check replies), and flow sync datagrams to [sync] listen (port 0
  // when sync is off).
  AddressSet backend_addresses;  // of every VIP, in maint too
  SocketAddress sync_listen;
  // [nat] local addresses: ARP/ND and echo answered, the rest is fullnat answers.
  AddressSet nat_local_addresses;
  AddressSet nat_backends;  // the backends of `nat` VIPs, whose answers sluice routes
  bool has_nat = false;     // NAT VIPs or local addresses: NAT frames have owners of their own
  // vip_table over every VIP, inactive ones too (a VRRP BACKUP's): where flow sync installs
  // a peer's flows for the moment this node takes the VIP over.
  VipTable every_vip_table;
  // backend id -> (vip index, backend index), for flows that remember a backend id.
  struct BackendRef {
    uint32_t vip_index = 0xffffffffu;
    uint32_t backend_index = 0;
  };
  SharedArray<BackendRef> backend_by_id;  // up to the highest id in use

  const BackendEntry* backend(uint32_t id, uint32_t vip_index) const {
    if (id >= backend_by_id.size()) return nullptr;
    const BackendRef& r = backend_by_id[id];
    if (r.vip_index != vip_index) return nullptr;
    return &vips[vip_index].backends[r.backend_index];
  }
  const NextHop& next_hop(const BackendEntry& backend) const { return next_hops[backend.next_hop]; }
};

}  // namespace sluice
