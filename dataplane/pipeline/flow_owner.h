// SPDX-License-Identifier: BSD-3-Clause
// Which worker owns a flow, for ports that cannot bring every packet of a flow to one
// worker by themselves: fewer queues than workers (af_packet, pcap, many vdevs), or
// several queues without RSS. The worker that receives such a frame hands it to its owner
// (runtime/worker.cc), so each flow lives in exactly one flow table.
#pragma once

#include <cstdint>
#include <span>

#include "flow/fragment_key.h"
#include "flow/hash.h"
#include "packet/packet_buffer.h"
#include "packet/parser.h"

namespace sluice {

// The owner among `workers` of the flow with this flow_hash(). It mixes the hash first:
// the flow table indexes buckets with its low bits and picks the home way with its top
// three, and a worker's share of the flows must still spread over all of them.
inline uint32_t flow_owner(uint32_t hash, uint32_t workers) {
  return reduce(hash * 0x9e3779b1u, workers);
}

// The worker each of frames[0..n) belongs to: for a frame of a flow (for an ICMP error,
// the flow it quotes; for a first fragment, its 5-tuple's), the one of `flow_workers`
// that owns the flow; for a later fragment, the one that owns its datagram (by
// fragment_hash(), where the first fragment's owner sends the first fragment once decided:
// Pipeline); `receiver` for a frame of no flow (ARP, other ethertypes, malformed: it is
// answered or counted where it arrived). `parsed` is scratch for n. Every frame is parsed
// before any is hashed: the hash reads a key back in words, which stalls while the
// parser's narrow stores to it are in flight.
inline void frame_owners(const PacketBuffer* frames, uint16_t n,
                         std::span<const uint16_t> flow_workers, uint16_t receiver,
                         ParsedPacket* parsed, uint16_t* owners) {
  for (uint16_t i = 0; i < n; ++i) parse_frame(frames[i].data, frames[i].length, parsed[i]);
  const uint32_t count = uint32_t(flow_workers.size());
  for (uint16_t i = 0; i < n; ++i) {
    const ParsedPacket& p = parsed[i];
    if (p.kind != PacketKind::kIpv4 && p.kind != PacketKind::kIpv6)
      owners[i] = receiver;
    else if (p.fragment == Fragment::kLater)
      owners[i] = flow_workers[flow_owner(fragment_hash(fragment_key(frames[i].data, p)), count)];
    else
      owners[i] = flow_workers[flow_owner(flow_hash(p.key), count)];
  }
}

}  // namespace sluice
