// SPDX-License-Identifier: BSD-3-Clause
// The pipeline's NAT path (docs/nat.md): packets for nat and fullnat VIPs, through the
// worker's NAT connection table rather than its flow table, and the backends' answers
// back to the clients. ICMP errors about a connection are translated both ways.
#include <cstring>

#include "flow/hash.h"
#include "lb/maglev.h"
#include "lb/scheduling_hash.h"
#include "net/wire.h"
#include "packet/mss_clamp.h"
#include "packet/nat_rewrite.h"
#include "pipeline/pipeline.h"

namespace sluice {

namespace {

// NAT entries a new fullnat connection sweeps when no local port is free.
constexpr uint32_t kPortReclaimBudget = 256;

bool has_ports(uint8_t protocol) {
  return protocol == wire::kProtoTcp || protocol == wire::kProtoUdp;
}

bool is_client_syn(const ParsedPacket& p) {
  return p.key.protocol == wire::kProtoTcp &&
         (p.tcp_flags & (wire::kTcpSyn | wire::kTcpAck)) == wire::kTcpSyn;
}

MacAddress source_mac(const PacketBuffer& frame) {
  MacAddress m;
  std::memcpy(m.bytes.data(), frame.data + wire::kEthSrcOffset, 6);
  return m;
}

}  // namespace

Action Pipeline::nat_forward(PacketBuffer& frame, const ParsedPacket& p, uint32_t hash,
                             uint32_t vip_index, const PortEntry& port,
                             const ForwardingState& state, uint32_t now_ms) {
  const VipEntry& vip = state.vips[vip_index];
  const bool full = vip.mode == ForwardingMode::kFullNat;
  NatConnection* c = nat_.find_forward(p.key, hash, now_ms, p.icmp_error ? 0 : p.tcp_flags);

  if (p.icmp_error) {
    // About a packet the backend sent the client: to the backend, quoting what it sent.
    const BackendEntry* backend = c ? state.backend(c->backend_id, vip_index) : nullptr;
    if (!backend) return drop(DropReason::nat_no_connection);
    if (!state.next_hop(*backend).resolved) return drop(DropReason::neighbor_unresolved);
    NatRewrite outer{.dst = &backend->address};
    NatRewrite quoted{.src = &backend->address};
    if (full) {
      quoted.dst = &c->reply.dst;
      quoted.dst_port = c->reply.dst_port;
    }
    if (!translate_icmp_error(frame, p, outer, quoted, port.mac, state.next_hop(*backend).mac))
      return drop(DropReason::icmp_error_malformed);
    ++counters_[WorkerCounter::nat_icmp_errors];
    ++counters_[WorkerCounter::forwarded];
    return Action::kTransmit;
  }

  // A new SYN on a closing connection is a new connection reusing the tuple.
  if (c && is_client_syn(p) && c->state == FlowState::kTcpClosing) {
    nat_.erase(*c);
    c = nullptr;
  }
  const BackendEntry* backend = nullptr;
  if (c) {
    backend = state.backend(c->backend_id, vip_index);
    if (!backend || full != (c->local_address != kNoLocalAddress)) {
      // Its backend is gone, or a reload changed the VIP's mode: the connection cannot
      // go on as it was; place it afresh.
      nat_.erase(*c);
      c = nullptr;
      ++counters_[WorkerCounter::flow_rescheduled];
    } else {
      ++counters_[WorkerCounter::flow_hits];
    }
  }
  if (!c) {
    c = open_nat_connection(frame, p, hash, vip_index, state, now_ms);
    if (!c) return Action::kDrop;
    backend = state.backend(c->backend_id, vip_index);
  }
  if (!state.next_hop(*backend).resolved) return drop(DropReason::neighbor_unresolved);
  if (vip.mss_clamp && is_client_syn(p) && clamp_mss(frame, p, vip.mss_clamp))
    ++counters_[WorkerCounter::mss_clamped];

  NatRewrite r{.dst = &backend->address};
  if (full) {
    r.src = &c->reply.dst;
    r.src_port = c->reply.dst_port;
  }
  const uint32_t length = frame.length;
  translate_frame(frame, p, r, port.mac, state.next_hop(*backend).mac);
  ++counters_[WorkerCounter::forwarded];
  TrafficCounters& v = counters_.vips[vip.id];
  ++v.packets;
  v.bytes += length;
  TrafficCounters& b = counters_.backends[backend->id];
  ++b.packets;
  b.bytes += length;
  return Action::kTransmit;
}

NatConnection* Pipeline::open_nat_connection(const PacketBuffer& frame, const ParsedPacket& p,
                                             uint32_t hash, uint32_t vip_index,
                                             const ForwardingState& state, uint32_t now_ms) {
  const VipEntry& vip = state.vips[vip_index];
  const BackendEntry* backend = nullptr;
  if (!vip.maglev.empty()) {
    const uint16_t index = maglev_lookup(vip.maglev.data(), uint32_t(vip.maglev.size()),
                                         scheduling_hash(vip.hash, p.key, hash));
    if (index != kMaglevNoBackend) backend = &vip.backends[index];
  }
  if (!backend) {
    drop(DropReason::vip_no_backend);
    return nullptr;
  }
  if (!state.next_hop(*backend).resolved) {
    drop(DropReason::neighbor_unresolved);
    return nullptr;
  }
  if (!admit_nat_syn(p, vip, now_ms)) return nullptr;

  // The backend answers from the port the client asked for, to the client (nat) or to
  // a local address and port of this worker's (fullnat).
  FlowKey reply = nat_reply_key(p.key, backend->address);
  uint8_t local = kNoLocalAddress;
  if (vip.mode == ForwardingMode::kFullNat) {
    // Spread over the local addresses of the backend's family, from one the client's
    // hash picks.
    const uint32_t n = uint32_t(nat_local_addresses_.size());
    std::optional<uint16_t> local_port;
    auto take_port = [&] {
      for (uint32_t k = 0; k < n && !local_port; ++k) {
        const uint32_t i = (hash + k) % n;
        if (nat_local_addresses_[i].is_v4() != backend->address.is_v4()) continue;
        if ((local_port = local_ports_.take(i))) local = uint8_t(i);
      }
    };
    take_port();
    if (!local_port) {
      // Expired connections keep their ports until removed, and a busy worker has no idle
      // moment to sweep: reclaim some now.
      nat_.sweep(now_ms, kPortReclaimBudget);
      take_port();
    }
    if (!local_port) {
      drop(DropReason::nat_ports_exhausted);
      return nullptr;
    }
    reply.dst = nat_local_addresses_[local];
    reply.dst_port = *local_port;
  }

  // A fullnat reply key has a local port that was free: no connection can have it.
  const FlowState initial = initial_state(p.key.protocol, p.tcp_flags);
  NatConnection* c =
      local != kNoLocalAddress
          ? nat_.insert_deferring_reply(p.key, hash, reply, flow_hash(reply), backend->id, initial,
                                        source_mac(frame), local, now_ms)
          : nat_.insert(p.key, hash, reply, flow_hash(reply), backend->id, initial,
                        source_mac(frame), local, now_ms);
  if (!c) {
    if (local != kNoLocalAddress) local_ports_.give_back(local, reply.dst_port);
    const bool full = nat_.size() == nat_.capacity();
    drop(full ? DropReason::nat_table_full : DropReason::nat_tuple_taken);
    return nullptr;
  }
  ++counters_[WorkerCounter::nat_connections];
  ++counters_[WorkerCounter::flow_new];
  ++counters_.vips[vip.id].new_flows;
  ++counters_.backends[backend->id].new_flows;
  return c;
}

bool Pipeline::admit_nat_syn(const ParsedPacket& p, const VipEntry& vip, uint32_t now_ms) {
  if (!is_client_syn(p) || flood_guard_.admit(now_ms)) return true;
  // No stateless fallback: the backend's answer would find no connection.
  ++counters_[WorkerCounter::syns_not_admitted];
  ++counters_.vip_syns_not_admitted[vip.id];
  drop(DropReason::nat_syn_not_admitted);
  return false;
}

std::optional<Action> Pipeline::nat_answer(PacketBuffer& frame, const ParsedPacket& p,
                                           uint32_t hash, const PortEntry& port,
                                           const ForwardingState& state, uint32_t now_ms) {
  if (!has_ports(p.key.protocol)) return std::nullopt;
  NatConnection* c = nat_.find_reply(p.key, hash, now_ms, p.icmp_error ? 0 : p.tcp_flags);
  if (!c) return std::nullopt;
  const bool full = c->local_address != kNoLocalAddress;
  const IpAddress& vip = c->forward.dst;
  const IpAddress& client = c->forward.src;

  if (p.icmp_error) {
    // About a packet sent to the backend: to the client, quoting what the client sent.
    // Its source becomes the VIP when the backend itself complains; a router's address on
    // the way to the backend is kept.
    const bool v4 = p.kind == PacketKind::kIpv4;
    const uint8_t* source = frame.data + p.l3_offset + (v4 ? 12 : 8);
    const bool from_backend = v4 ? IpAddress::v4_from_wire(source) == c->reply.src
                                 : IpAddress::v6_from_wire(source) == c->reply.src;
    NatRewrite outer;
    if (from_backend) outer.src = &vip;
    NatRewrite quoted{.dst = &vip};
    if (full) {
      outer.dst = &client;
      quoted.src = &client;
      quoted.src_port = c->forward.src_port;
    }
    if (!translate_icmp_error(frame, p, outer, quoted, port.mac, c->client_mac))
      return drop(DropReason::icmp_error_malformed);
    ++counters_[WorkerCounter::nat_icmp_errors];
    ++counters_[WorkerCounter::nat_replies];
    return Action::kTransmit;
  }
  NatRewrite r{.src = &vip};
  if (full) {
    r.dst = &client;
    r.dst_port = c->forward.src_port;
  }
  translate_frame(frame, p, r, port.mac, c->client_mac);
  ++counters_[WorkerCounter::nat_replies];
  return Action::kTransmit;
}

}  // namespace sluice
