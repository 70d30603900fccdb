// SPDX-License-Identifier: BSD-3-Clause
// Which worker owns a flow, for ports that cannot bring every packet of a flow to one
// worker by themselves: fewer queues than workers (af_packet, pcap, many vdevs), or
// several queues without RSS. The worker that receives such a frame hands it to its owner
// (runtime/worker.cc), so each flow lives in exactly one flow table.
#pragma once

#include <cstdint>

#include "common/hash.h"
#include "packet/parser.h"

namespace sluice {

// The owner among `workers` of the flow with this flow_hash(). It mixes the hash first:
// the flow table indexes buckets with its low bits and picks the home way with its top
// three, and a worker's share of the flows must still spread over all of them.
inline uint32_t flow_owner(uint32_t hash, uint32_t workers) {
  return reduce(hash * 0x9e3779b1u, workers);
}

// The owner of a frame's flow (for an ICMP error, of the flow it quotes); `receiver` for a
// frame of no flow (ARP, other ethertypes, malformed): it is answered or counted where it
// arrived.
inline uint32_t frame_owner(const uint8_t* data, uint32_t length, uint32_t receiver,
                            uint32_t workers) {
  ParsedPacket p;
  parse_frame(data, length, p);
  if (p.kind != PacketKind::kIpv4 && p.kind != PacketKind::kIpv6) return receiver;
  return flow_owner(flow_hash(p.key), workers);
}

}  // namespace sluice
