// SPDX-License-Identifier: BSD-3-Clause
// Which worker owns a flow, for ports that cannot bring every packet of a flow to one
// worker by themselves: fewer queues than workers (af_packet, pcap, many vdevs), or
// several queues without RSS. The worker that receives such a frame hands it to its owner
// (runtime/worker.cc), so each flow lives in exactly one flow table.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "flow/fragment_key.h"
#include "flow/hash.h"
#include "nat/local_ports.h"
#include "packet/packet_buffer.h"
#include "packet/parser.h"
#include "state/forwarding_state.h"

namespace sluice {

// The owner among `workers` of the flow with this flow_hash(). It mixes the hash first:
// the flow table indexes buckets with its low bits and picks the home way with its top
// three, and a worker's share of the flows must still spread over all of them.
inline uint32_t flow_owner(uint32_t hash, uint32_t workers) {
  return reduce(hash * 0x9e3779b1u, workers);
}

// The NAT connections' owners (docs/nat.md), which both directions of a connection must
// agree on. A fullnat connection lives on the worker whose share of the local ports holds
// its local port (nat/local_ports.h): `workers` is how many workers share them, and the
// result a worker index. A nat connection's answers carry the client's address and port
// as their destination, its client packets as their source: its owner is the one of
// `flow_workers` that owns that client end.
inline uint16_t nat_client_owner(const IpAddress& client, uint16_t client_port, uint8_t protocol,
                                 std::span<const uint16_t> flow_workers) {
  FlowKey end;
  end.src = client;
  end.src_port = client_port;
  end.protocol = protocol;
  return flow_workers[flow_owner(flow_hash(end), uint32_t(flow_workers.size()))];
}

// The owner of a frame of a NAT connection, nullopt for other frames. `key` is the
// frame's flow key as parsed (for an ICMP error, the flow it quotes).
inline std::optional<uint16_t> nat_owner(const FlowKey& key, const ForwardingState& state,
                                         std::span<const uint16_t> flow_workers, uint16_t workers) {
  if (key.protocol != wire::kProtoTcp && key.protocol != wire::kProtoUdp) return std::nullopt;
  if (state.nat_local_addresses.contains(key.dst)) return local_port_owner(key.dst_port, workers);
  if (state.nat_backends.contains(key.src))
    return nat_client_owner(key.dst, key.dst_port, key.protocol, flow_workers);
  const uint32_t vip = state.vip_table.find(key.dst, key.protocol, key.dst_port);
  if (vip != VipTable::kNone && state.vips[vip].mode == ForwardingMode::kNat)
    return nat_client_owner(key.src, key.src_port, key.protocol, flow_workers);
  return std::nullopt;
}

// The worker each of frames[0..n) belongs to: for a frame of a flow (for an ICMP error,
// the flow it quotes; for a first fragment, its 5-tuple's), the one of `flow_workers`
// that owns the flow; for a later fragment, the one that owns its datagram (by
// fragment_hash(), where the first fragment's owner sends the first fragment once decided:
// Pipeline); `receiver` for a frame of no flow (ARP, other ethertypes, malformed: it is
// answered or counted where it arrived). `parsed` is scratch for n. Every frame is parsed
// before any is hashed: the hash reads a key back in words, which stalls while the
// parser's narrow stores to it are in flight. With `nat` (a snapshot with NAT VIPs or
// local addresses; `workers` as for nat_owner()), NAT connections' frames (first
// fragments too) go to nat_owner().
inline void frame_owners(const PacketBuffer* frames, uint16_t n,
                         std::span<const uint16_t> flow_workers, uint16_t receiver,
                         ParsedPacket* parsed, uint16_t* owners,
                         const ForwardingState* nat = nullptr, uint16_t workers = 0) {
  for (uint16_t i = 0; i < n; ++i) parse_frame(frames[i].data, frames[i].length, parsed[i]);
  const uint32_t count = uint32_t(flow_workers.size());
  for (uint16_t i = 0; i < n; ++i) {
    const ParsedPacket& p = parsed[i];
    if (p.kind != PacketKind::kIpv4 && p.kind != PacketKind::kIpv6)
      owners[i] = receiver;
    else if (std::optional<uint16_t> owner; nat && p.fragment != Fragment::kLater &&
                                            (owner = nat_owner(p.key, *nat, flow_workers, workers)))
      owners[i] = *owner;
    else if (p.fragment == Fragment::kLater)
      owners[i] = flow_workers[flow_owner(fragment_hash(fragment_key(frames[i].data, p)), count)];
    else
      owners[i] = flow_workers[flow_owner(flow_hash(p.key), count)];
  }
}

}  // namespace sluice
