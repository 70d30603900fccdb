// SPDX-License-Identifier: BSD-3-Clause
// The pipeline's path for IP fragments: decide a first fragment, let later ones follow it,
// hold those that come first. See pipeline.h and flow/fragment_table.h.
#include "flow/fragment_key.h"
#include "lb/maglev.h"
#include "packet/parser.h"
#include "pipeline/flow_owner.h"
#include "pipeline/pipeline.h"

namespace sluice {

Action Pipeline::handle_fragment(uint16_t i, PacketBuffer& frame, const ParsedPacket& p,
                                 uint32_t hash, uint16_t port_index, const ForwardingState& state,
                                 uint32_t now_ms, const FragmentSteering& steering,
                                 BurstResult& result) {
  if (p.kind == PacketKind::kDrop) return drop(p.drop);
  const FragmentKey key = fragment_key(frame.data, p);
  if (!state.vip_addresses.contains(key.dst)) {
    // A backend's fragmented answer (to a fullnat local address, or from a nat VIP's
    // backend): its later fragments would need the client's address and MAC, which a
    // datagram's decision does not hold (docs/nat.md, "IP fragments").
    if (!state.local_addresses.contains(key.dst) &&
        (state.nat_local_addresses.contains(key.dst) || state.nat_backends.contains(key.src)))
      return drop(DropReason::nat_fragment);
    return host_or_drop(key.dst, state);
  }
  const uint32_t key_hash = fragment_hash(key);
  const PortEntry& port = state.ports[port_index];

  if (p.fragment == Fragment::kLater) {
    if (const FragmentDecision* decision = fragments_.find(key, key_hash, now_ms))
      return follow(frame, p, *decision, port, state);
    if (fragments_.hold(key, key_hash, HeldFragment{frame, port_index}, now_ms) !=
        FragmentTable::Hold::kHeld)
      return drop(DropReason::fragment_over_limit);
    ++counters_[WorkerCounter::fragments_held];
    return Action::kHold;
  }

  const uint32_t vip_index = state.vip_table.find(p.key.dst, p.key.protocol, p.key.dst_port);
  if (vip_index == VipTable::kNone) return drop(DropReason::not_for_us);
  const VipEntry& vip = state.vips[vip_index];
  if (config::is_nat(vip.mode))
    return nat_first_fragment(i, frame, p, hash, vip_index, key, key_hash, port_index, state,
                              now_ms, steering, result);
  const BackendEntry* backend = nullptr;
  if (steering.decided && steering.decided[i]) {
    backend = state.backend(steering.decided[i] - 1, vip_index);
    // Decided on a snapshot that no longer has that backend for the VIP: Maglev alone,
    // as the flow's owner would now place it.
    if (!backend && !vip.maglev.empty()) {
      const uint16_t index = maglev_lookup(vip.maglev.data(), uint32_t(vip.maglev.size()), hash);
      if (index != kMaglevNoBackend) backend = &vip.backends[index];
    }
    if (!backend) return drop(DropReason::vip_no_backend);
  } else {
    backend = choose_backend_outlined(p, hash, vip_index, state, now_ms);
    if (!backend) return drop(DropReason::vip_no_backend);
  }

  if (!steering.workers.empty()) {
    const uint16_t owner =
        steering.workers[flow_owner(key_hash, uint32_t(steering.workers.size()))];
    if (owner != steering.self) {
      result.hand_to[i] = owner;
      result.decided[i] = backend->id + 1;
      // The owner counts it as received.
      --counters_[WorkerCounter::rx_packets];
      counters_[WorkerCounter::rx_bytes] -= frame.length;
      return Action::kHandOff;
    }
  }

  decide_datagram(i, key, key_hash, FragmentDecision{backend->id, hash}, state, now_ms, result);
  const uint64_t forwarded = counters_[WorkerCounter::forwarded];
  const Action action =
      send_to_backend_outlined(frame, p, hash, vip, *backend, state.next_hop(*backend), port);
  counters_[WorkerCounter::fragments_forwarded] += counters_[WorkerCounter::forwarded] - forwarded;
  return action;
}

void Pipeline::decide_datagram(uint16_t i, const FragmentKey& key, uint32_t key_hash,
                               const FragmentDecision& decision, const ForwardingState& state,
                               uint32_t now_ms, BurstResult& result) {
  fragments_.decide(
      key, key_hash, decision, now_ms,
      [&](const HeldFragment& held) {
        ReleasedFragment& r = result.released[result.released_count++];
        r.frame = held.frame;
        r.port_index = held.port_index;
        r.after = i;
        ParsedPacket parsed;
        parse_frame(r.frame.data, r.frame.length, parsed);
        r.action = follow(r.frame, parsed, decision, state.ports[held.port_index], state);
      },
      [&](const HeldFragment& held) {
        ++counters_[DropReason::fragment_over_limit];
        result.to_free[result.to_free_count++] = held.frame.handle;
      });
}

Action Pipeline::follow(PacketBuffer& frame, const ParsedPacket& p,
                        const FragmentDecision& decision, const PortEntry& port,
                        const ForwardingState& state) {
  // The datagram's backend, wherever the current snapshot has it; gone (removed, or its
  // VIP) means the datagram is lost anyway: its first fragment reached it.
  const uint32_t id = decision.backend_id;
  const uint32_t vip_index =
      id < state.backend_by_id.size() ? state.backend_by_id[id].vip_index : VipTable::kNone;
  const BackendEntry* backend =
      vip_index == VipTable::kNone ? nullptr : state.backend(id, vip_index);
  if (!backend) return drop(DropReason::vip_no_backend);
  if (config::is_nat(state.vips[vip_index].mode))
    return nat_follow(frame, p, decision, state.vips[vip_index], *backend, port, state, true);
  const uint64_t forwarded = counters_[WorkerCounter::forwarded];
  const Action action =
      send_to_backend_outlined(frame, p, decision.flow_hash, state.vips[vip_index], *backend,
                               state.next_hop(*backend), port);
  counters_[WorkerCounter::fragments_forwarded] += counters_[WorkerCounter::forwarded] - forwarded;
  return action;
}

void Pipeline::expire_fragments(uint32_t now_ms, BurstResult& result) {
  result.to_free_count = 0;
  fragments_.expire(now_ms, [&](const HeldFragment& held) {
    ++counters_[DropReason::fragment_timeout];
    result.to_free[result.to_free_count++] = held.frame.handle;
  });
}

void Pipeline::release_fragments(BurstResult& result) {
  result.to_free_count = 0;
  fragments_.clear([&](const HeldFragment& held) {
    result.to_free[result.to_free_count++] = held.frame.handle;
  });
}

}  // namespace sluice
