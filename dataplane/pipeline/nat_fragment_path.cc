// SPDX-License-Identifier: BSD-3-Clause
// IP fragments of NAT VIPs' datagrams (docs/nat.md, docs/fragments.md). The first fragment
// goes through its 5-tuple's NAT connection like a whole packet: the connection's worker
// translates it, L4 header included (the L4 checksum covers the whole datagram, so its
// incremental update holds for it). The decision (backend, fullnat local address) is kept
// per datagram, and every other fragment gets the same IP header: destination the backend,
// for fullnat source the local address. Where the datagram belongs to another worker, the
// connection's worker translates the L4 header only and hands the frame over with the
// decision: the datagram's owner finds its key in the untouched IP header, records the
// decision and translates that header as for the others.
#include <cstring>

#include "net/wire.h"
#include "packet/encap.h"
#include "packet/nat_rewrite.h"
#include "pipeline/flow_owner.h"
#include "pipeline/pipeline.h"

namespace sluice {

namespace {

// A NAT decision as FragmentSteering::decided carries it between workers: backend id + 1
// in the low 24 bits, fullnat local address index + 1 in the top 8 (0 for none).
static_assert(kBackendIds < (1u << 24));

uint32_t pack(const FragmentDecision& d) {
  return (d.backend_id + 1) | uint32_t(uint8_t(d.nat_local + 1)) << 24;
}

FragmentDecision unpack(uint32_t decided) {
  return FragmentDecision{(decided & 0xffffffu) - 1, 0, uint8_t((decided >> 24) - 1)};
}

}  // namespace

Action Pipeline::nat_first_fragment(uint16_t i, PacketBuffer& frame, const ParsedPacket& p,
                                    uint32_t hash, uint32_t vip_index, const FragmentKey& key,
                                    uint32_t key_hash, uint16_t port_index,
                                    const ForwardingState& state, uint32_t now_ms,
                                    const FragmentSteering& steering, BurstResult& result) {
  // An ICMP error's checksum covers its quote, which would change, and the rest of its
  // datagram, which is not here: it cannot be translated fragment by fragment.
  if (p.icmp_error) return drop(DropReason::nat_fragment);
  const VipEntry& vip = state.vips[vip_index];
  const PortEntry& port = state.ports[port_index];

  if (steering.decided && steering.decided[i]) {
    const FragmentDecision decision = unpack(steering.decided[i]);
    const BackendEntry* backend = state.backend(decision.backend_id, vip_index);
    if (!backend) return drop(DropReason::vip_no_backend);
    decide_datagram(i, key, key_hash, decision, state, now_ms, result);
    // Its connection's worker counted the VIP's and the backend's traffic.
    return nat_follow(frame, p, decision, vip, *backend, port, state, false);
  }

  uint16_t owner = steering.self;
  if (!steering.workers.empty())
    owner = steering.workers[flow_owner(key_hash, uint32_t(steering.workers.size()))];
  const bool hand_off = owner != steering.self;
  // Ethernet (the owner takes only frames for our MAC), VLAN tags and the fixed IP header.
  const uint32_t headers =
      p.l3_offset + (p.kind == PacketKind::kIpv4 ? wire::kIpv4HeaderLen : wire::kIpv6HeaderLen);
  uint8_t untranslated[wire::kEthHeaderLen + 2 * wire::kVlanTagLen + wire::kIpv6HeaderLen];
  if (hand_off) std::memcpy(untranslated, frame.data, headers);

  // No connection (refused, counted): the later fragments wait and time out.
  const Action action = nat_forward(frame, p, hash, vip_index, port, state, now_ms);
  if (action != Action::kTransmit) return action;
  const NatConnection* c = nat_.find_forward(p.key, hash, now_ms, 0);
  const FragmentDecision decision{c->backend_id, hash, c->local_address};

  if (hand_off) {
    std::memcpy(frame.data, untranslated, headers);
    result.hand_to[i] = owner;
    result.decided[i] = pack(decision);
    // The owner counts it as received and forwarded.
    --counters_[WorkerCounter::forwarded];
    --counters_[WorkerCounter::rx_packets];
    counters_[WorkerCounter::rx_bytes] -= frame.length;
    return Action::kHandOff;
  }
  decide_datagram(i, key, key_hash, decision, state, now_ms, result);
  ++counters_[WorkerCounter::fragments_forwarded];
  return Action::kTransmit;
}

Action Pipeline::nat_follow(PacketBuffer& frame, const ParsedPacket& p,
                            const FragmentDecision& decision, const VipEntry& vip,
                            const BackendEntry& backend, const PortEntry& port,
                            const ForwardingState& state, bool count_traffic) {
  const bool full = vip.mode == ForwardingMode::kFullNat;
  // A reload changed the VIP's mode since the first fragment: its connection is gone.
  if (full != (decision.nat_local != FragmentDecision::kNoNatLocal) ||
      (full && decision.nat_local >= nat_local_addresses_.size()))
    return drop(DropReason::nat_no_connection);
  const NextHop& next_hop = state.next_hop(backend);
  if (!next_hop.resolved) return drop(DropReason::neighbor_unresolved);

  NatRewrite r{.dst = &backend.address};
  if (full) r.src = &nat_local_addresses_[decision.nat_local];
  rewrite_endpoints(frame.data + p.l3_offset, p.kind == PacketKind::kIpv4, nullptr, 0,
                    p.fragment_protocol, r);
  rewrite_dsr_l2(frame, L2Rewrite{port.mac, next_hop.mac});
  ++counters_[WorkerCounter::forwarded];
  ++counters_[WorkerCounter::fragments_forwarded];
  if (count_traffic) {
    TrafficCounters& v = counters_.vips[vip.id];
    ++v.packets;
    v.bytes += frame.length;
    TrafficCounters& b = counters_.backends[backend.id];
    ++b.packets;
    b.bytes += frame.length;
  }
  return Action::kTransmit;
}

}  // namespace sluice
