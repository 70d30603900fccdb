// SPDX-License-Identifier: BSD-3-Clause
#include "pipeline/pipeline.h"

#include "flow/hash.h"
#include "lb/maglev.h"
#include "lb/scheduling_hash.h"
#include "net/wire.h"
#include "packet/encap.h"
#include "packet/mss_clamp.h"
#include "packet/parser.h"
#include "packet/responder.h"
#include "packet/too_big.h"

namespace sluice {

namespace {

bool is_neighbor_discovery(const ParsedPacket& p) {
  return p.kind == PacketKind::kIpv6 && p.key.protocol == wire::kProtoIcmpv6 &&
         (p.icmp_type == wire::kIcmpv6NeighborSolicitation ||
          p.icmp_type == wire::kIcmpv6NeighborAdvertisement);
}

// SYN without ACK: a client opening a connection (a later fragment has no flags).
bool is_client_syn(const ParsedPacket& p) {
  return p.key.protocol == wire::kProtoTcp &&
         (p.tcp_flags & (wire::kTcpSyn | wire::kTcpAck)) == wire::kTcpSyn;
}

bool is_echo_request(const ParsedPacket& p) {
  return (p.key.protocol == wire::kProtoIcmp && p.icmp_type == wire::kIcmpEchoRequest) ||
         (p.key.protocol == wire::kProtoIcmpv6 && p.icmp_type == wire::kIcmpv6EchoRequest);
}

}  // namespace

Pipeline::Pipeline(uint32_t flow_capacity, const FlowTimeouts& timeouts, WorkerCounters& counters,
                   const FragmentSettings& fragments, uint32_t syn_admission_limit,
                   const NatSetup& nat, int numa_node)
    : flows_(flow_capacity, timeouts, numa_node),
      fragments_(fragments),
      local_ports_(nat.capacity ? uint32_t(nat.local_addresses.size()) : 0, nat.port_min,
                   nat.port_max, nat.workers, nat.self),
      nat_(nat.capacity, timeouts, &local_ports_, numa_node),
      nat_local_addresses_(nat.local_addresses),
      flood_guard_(syn_admission_limit),
      counters_(counters) {}

void Pipeline::process_burst(PacketBuffer* frames, uint16_t n, uint16_t port_index,
                             const ForwardingState& state, uint32_t now_ms, BurstResult& result,
                             const FragmentSteering& steering) {
  begin_burst(staged_, frames, n, port_index);
  prefetch_flows(staged_, state, now_ms);
  finish_burst(staged_, state, now_ms, result, steering);
}

void Pipeline::begin_burst(StagedBurst& burst, PacketBuffer* frames, uint16_t n,
                           uint16_t port_index) {
  burst.frames = frames;
  burst.n = n;
  burst.port_index = port_index;
  ParsedPacket* parsed = burst.parsed;
  uint64_t bytes = 0;
  for (uint16_t i = 0; i < n; ++i) {
    parse_frame(frames[i].data, frames[i].length, parsed[i]);
    bytes += frames[i].length;
  }
  counters_[WorkerCounter::rx_packets] += n;
  counters_[WorkerCounter::rx_bytes] += bytes;
  // Hashing in its own loop lets the parser's narrow key stores retire first (reading
  // them back at once defeats store forwarding).
  for (uint16_t i = 0; i < n; ++i) {
    if (parsed[i].kind == PacketKind::kIpv4 || parsed[i].kind == PacketKind::kIpv6) {
      burst.hashes[i] = flow_hash(parsed[i].key);
      flows_.prefetch(burst.hashes[i]);
      if (nat_.capacity() != 0) nat_.prefetch(burst.hashes[i]);
    }
  }
}

void Pipeline::prefetch_flows(const StagedBurst& burst, const ForwardingState& state,
                              uint32_t now_ms) const {
  for (uint16_t i = 0; i < burst.n; ++i) {
    const ParsedPacket& p = burst.parsed[i];
    if (p.kind != PacketKind::kIpv4 && p.kind != PacketKind::kIpv6) continue;
    if (nat_.capacity() != 0 && nat_.prefetch_entries(burst.hashes[i])) continue;
    if (flows_.prefetch_entries(burst.hashes[i], now_ms)) continue;
    // Probably a new flow, which Maglev will place: its slot is fetched now too. Under a
    // SYN flood that slot missed the cache on a quarter of forward()'s samples.
    const uint32_t vip = state.vip_table.find(p.key.dst, p.key.protocol, p.key.dst_port);
    if (vip == VipTable::kNone) continue;
    const VipEntry& entry = state.vips[vip];
    if (!entry.maglev.empty())
      prefetch_line(maglev_slot(entry.maglev.data(), uint32_t(entry.maglev.size()),
                                scheduling_hash(entry.hash, p.key, burst.hashes[i])));
  }
}

void Pipeline::finish_burst(const StagedBurst& burst, const ForwardingState& state, uint32_t now_ms,
                            BurstResult& result, const FragmentSteering& steering) {
  result.learned_count = 0;
  result.released_count = 0;
  expire_fragments(now_ms, result);
  sync_outbox_.count = 0;
  const PortEntry& port = state.ports[burst.port_index];
  for (uint16_t i = 0; i < burst.n; ++i) {
    // A frame flooded by a switch for another host is that host's, whatever it carries.
    if (!port.destinations.accepts(burst.frames[i].data, burst.frames[i].length))
      result.actions[i] = drop(DropReason::not_our_mac);
    else if (burst.parsed[i].fragment == Fragment::kNone)
      result.actions[i] =
          handle(burst.frames[i], burst.parsed[i], burst.hashes[i], port, state, now_ms, result);
    else
      result.actions[i] = handle_fragment(i, burst.frames[i], burst.parsed[i], burst.hashes[i],
                                          burst.port_index, state, now_ms, steering, result);
  }
  nat_.index_deferred();
  counters_.active_flows = flows_.size();
  counters_[WorkerCounter::flow_evictions] = flows_.stats().evictions;
}

Action Pipeline::handle(PacketBuffer& frame, const ParsedPacket& p, uint32_t hash,
                        const PortEntry& port, const ForwardingState& state, uint32_t now_ms,
                        BurstResult& result) {
  auto is_ours = [&state](const IpAddress& a) {
    return state.local_addresses.contains(a) || state.vip_addresses.contains(a) ||
           state.nat_local_addresses.contains(a);
  };

  switch (p.kind) {
    case PacketKind::kDrop:
      return drop(p.drop);
    case PacketKind::kOther:
      ++counters_[WorkerCounter::to_host];
      return Action::kToHost;
    case PacketKind::kArp: {
      if (learn(frame, p, state, result)) {
        ++counters_[WorkerCounter::neighbor_answers];
        return Action::kDrop;
      }
      if (answer_arp(frame, p, port.mac, is_ours)) {
        ++counters_[WorkerCounter::arp_replies];
        return Action::kTransmit;
      }
      ++counters_[WorkerCounter::to_host];
      return Action::kToHost;
    }
    case PacketKind::kIpv4:
    case PacketKind::kIpv6:
      break;
  }

  if (is_neighbor_discovery(p)) {
    if (learn(frame, p, state, result)) {
      ++counters_[WorkerCounter::neighbor_answers];
      return Action::kDrop;
    }
    if (answer_neighbor_solicitation(frame, p, port.mac, is_ours)) {
      ++counters_[WorkerCounter::nd_replies];
      return Action::kTransmit;
    }
    ++counters_[WorkerCounter::to_host];
    return Action::kToHost;
  }

  const FlowKey& key = p.key;
  uint32_t vip = state.vip_table.find(key.dst, key.protocol, key.dst_port);
  if (vip != VipTable::kNone) return forward(frame, p, hash, vip, port, state, now_ms);
  if (nat_.size() != 0)
    if (std::optional<Action> answered = nat_answer(frame, p, hash, port, state, now_ms))
      return *answered;

  if (is_echo_request(p) && is_ours(key.dst)) {
    if (answer_icmp_echo(frame, p, port.mac)) {
      ++counters_[WorkerCounter::echo_replies];
      return Action::kTransmit;
    }
  }
  if (state.nat_local_addresses.contains(key.dst)) return drop(DropReason::nat_no_connection);
  return host_or_drop(key.dst, state);
}

Action Pipeline::host_or_drop(const IpAddress& dst, const ForwardingState& state) {
  if (state.local_addresses.contains(dst) || dst.bytes[0] == 0xff ||
      (!dst.is_v4() && dst.bytes[0] == 0xfe) || (dst.is_v4() && dst.bytes[12] >= 224)) {
    // Host traffic: our own address, multicast (VRRP, ...), IPv6 link-local.
    ++counters_[WorkerCounter::to_host];
    return Action::kToHost;
  }
  return drop(DropReason::not_for_us);
}

bool Pipeline::learn(const PacketBuffer& frame, const ParsedPacket& p, const ForwardingState& state,
                     BurstResult& result) {
  const auto binding = learn_neighbor(frame.data, frame.length, p);
  if (!binding) return false;
  result.learned[result.learned_count++] = *binding;
  ++counters_[WorkerCounter::neighbors_learned];
  const auto to = neighbor_reply_to(frame.data, frame.length, p);
  return to && state.local_addresses.contains(*to);
}

Action Pipeline::forward(PacketBuffer& frame, const ParsedPacket& p, uint32_t hash,
                         uint32_t vip_index, const PortEntry& port, const ForwardingState& state,
                         uint32_t now_ms) {
  if (config::is_nat(state.vips[vip_index].mode))
    return nat_forward(frame, p, hash, vip_index, port, state, now_ms);
  const BackendEntry* backend = choose_backend(p, hash, vip_index, state, now_ms);
  if (!backend) return drop(DropReason::vip_no_backend);
  return send_to_backend(frame, p, hash, state.vips[vip_index], *backend, state.next_hop(*backend),
                         port);
}

inline const BackendEntry* Pipeline::choose_backend(const ParsedPacket& p, uint32_t hash,
                                                    uint32_t vip_index,
                                                    const ForwardingState& state, uint32_t now_ms) {
  const VipEntry& vip = state.vips[vip_index];
  const BackendEntry* backend = nullptr;
  const bool syn = is_client_syn(p);

  auto pick = [&]() -> const BackendEntry* {
    if (vip.maglev.empty()) return nullptr;
    uint16_t index = maglev_lookup(vip.maglev.data(), uint32_t(vip.maglev.size()),
                                   scheduling_hash(vip.hash, p.key, hash));
    return index == kMaglevNoBackend ? nullptr : &vip.backends[index];
  };

  if (p.icmp_error) {
    // Route by the flow the error quotes; never create a flow for it.
    FlowEntry* entry = flows_.lookup(p.key, hash, now_ms, 0);
    backend = entry ? state.backend(entry->backend_id, vip_index) : nullptr;
    if (!backend) backend = pick();
    if (!backend) return nullptr;
    ++counters_[WorkerCounter::icmp_errors_forwarded];
  } else {
    FlowEntry* entry = flows_.lookup(p.key, hash, now_ms, p.tcp_flags);
    // A new SYN on a closing flow is a new connection reusing the tuple: place it afresh.
    if (entry && syn && entry->state() == FlowState::kTcpClosing) {
      flows_.erase(p.key, hash);
      entry = nullptr;
    }
    if (entry) {
      ++counters_[WorkerCounter::flow_hits];
      backend = state.backend(entry->backend_id, vip_index);
      if (!backend) {
        backend = pick();
        if (!backend) return nullptr;
        entry->backend_id = backend->id;
        ++counters_[WorkerCounter::flow_rescheduled];
      }
      if (sync_.enabled) offer_sync(*entry, vip, *backend, now_ms);
    } else {
      backend = pick();
      if (!backend) return nullptr;
      const FlowState initial = initial_state(p.key.protocol, p.tcp_flags);
      if (initial == FlowState::kTcpSynOnly && !flood_guard_.admit(now_ms)) {
        ++counters_[WorkerCounter::syns_not_admitted];
        ++counters_.vip_syns_not_admitted[vip.id];
      } else {
        entry = flows_.insert(p.key, hash, backend->id, initial, now_ms);
        if (!entry)
          ++counters_[WorkerCounter::flow_insert_failures];
        else if (sync_.enabled)
          offer_sync(*entry, vip, *backend, now_ms);
      }
      ++counters_[WorkerCounter::flow_new];
      ++counters_.vips[vip.id].new_flows;
      ++counters_.backends[backend->id].new_flows;
    }
  }
  return backend;
}

inline Action Pipeline::send_to_backend(PacketBuffer& frame, const ParsedPacket& p, uint32_t hash,
                                        const VipEntry& vip, const BackendEntry& backend,
                                        const NextHop& next_hop, const PortEntry& port) {
  if (!next_hop.resolved) return drop(DropReason::neighbor_unresolved);
  if (vip.mss_clamp && is_client_syn(p) && clamp_mss(frame, p, vip.mss_clamp))
    ++counters_[WorkerCounter::mss_clamped];

  uint32_t length = frame.length;
  if (vip.mode == ForwardingMode::kDsrL2) {
    rewrite_dsr_l2(frame, L2Rewrite{port.mac, next_hop.mac});
  } else {
    const DropReason failed = encapsulate(frame, p, port.mac, next_hop.mac, backend.outer, hash);
    if (failed == DropReason::too_big) {
      if (make_too_big(frame, p, port.mac, uint16_t(vip.mtu - backend.outer.length()))) {
        ++counters_[WorkerCounter::too_big_replies];
        return Action::kTransmit;
      }
    }
    if (failed != DropReason::count) return drop(failed);
  }

  ++counters_[WorkerCounter::forwarded];
  TrafficCounters& v = counters_.vips[vip.id];
  ++v.packets;
  v.bytes += length;
  TrafficCounters& b = counters_.backends[backend.id];
  ++b.packets;
  b.bytes += length;
  return Action::kTransmit;
}

const BackendEntry* Pipeline::choose_backend_outlined(const ParsedPacket& p, uint32_t hash,
                                                      uint32_t vip_index,
                                                      const ForwardingState& state,
                                                      uint32_t now_ms) {
  return choose_backend(p, hash, vip_index, state, now_ms);
}

Action Pipeline::send_to_backend_outlined(PacketBuffer& frame, const ParsedPacket& p, uint32_t hash,
                                          const VipEntry& vip, const BackendEntry& backend,
                                          const NextHop& next_hop, const PortEntry& port) {
  return send_to_backend(frame, p, hash, vip, backend, next_hop, port);
}

void Pipeline::sweep(uint32_t now_ms, uint32_t bucket_budget) {
  flows_.sweep(now_ms, bucket_budget);
  nat_.sweep(now_ms, bucket_budget * FlowTable::kWays);
  counters_.active_flows = flows_.size();
}

}  // namespace sluice
