// SPDX-License-Identifier: BSD-3-Clause
// Forwarding modes: how a packet for a VIP is handed to its backend. The worker calls one
// of these per packet on its own lcore, after parse_frame() and the backend choice, with
// the frame's mbuf viewed as a PacketBuffer. No allocation, no shared state; every
// function here may run on any thread at once on different frames.
//
// The inner IP packet is never changed (no TTL decrement, no checksum touched): the
// backend sees exactly what the client sent, which is what DSR needs.
#pragma once

#include <cstdint>
#include <cstring>

#include "common/counters.h"
#include "common/ip_address.h"
#include "common/mac_address.h"
#include "packet/packet_buffer.h"
#include "packet/parsed_packet.h"
#include "packet/wire.h"

namespace sluice {

inline constexpr uint16_t kGueDefaultPort = 6080;

struct L2Rewrite {
  MacAddress src;  // ours
  MacAddress dst;  // the backend's, or the gateway's toward it
};

// dsr-l2: only the two MAC addresses change; VLAN tags, IP and L4 stay as they are.
inline void rewrite_dsr_l2(PacketBuffer& frame, const L2Rewrite& l2) {
  std::memcpy(frame.data + wire::kEthDstOffset, l2.dst.bytes.data(), 6);
  std::memcpy(frame.data + wire::kEthSrcOffset, l2.src.bytes.data(), 6);
}

struct EncapParams {
  L2Rewrite l2;
  IpAddress outer_src;        // see encap_source_address(); same family as outer_dst
  IpAddress outer_dst;        // the backend; its family is the outer family
  uint16_t mtu = 1500;        // largest outer IP packet allowed
  uint16_t gue_src_port = 0;  // see gue_source_port()
  uint16_t gue_dst_port = kGueDefaultPort;
  uint32_t flow_label = 0;  // IPv6 outer only; low 20 bits used (e.g. the flow hash)
};

// ipip: IPv4 or IPv6 (parsed.kind) inside IPv4 (protocol 4 / 41) or IPv6 (next header
// 4 / 41), the outer family being outer_dst's. The Ethernet header and its VLAN tags stay
// in front with new MACs and, if the family changes, a new EtherType; the outer header
// goes between them and the inner packet; frame padding after l3_length is dropped.
// Outer IPv4: DSCP/ECN copied from the inner packet, ID 0, DF, TTL 64. Outer IPv6: traffic
// class copied, flow label from p.flow_label, hop limit 64.
// Returns DropReason::count on success; DropReason::too_big (outer packet > p.mtu) or
// DropReason::no_headroom leave the frame untouched.
// Precondition: parsed describes this frame and parsed.kind is kIpv4 or kIpv6.
DropReason encap_ipip(PacketBuffer& frame, const ParsedPacket& parsed, const EncapParams& p);

// gue: IP in UDP, GUE variant 1 (the UDP payload is the inner IP packet, no GUE header),
// as the Linux fou/gue receive path and Katran expect. Outer headers as for encap_ipip,
// then UDP from p.gue_src_port to p.gue_dst_port. The UDP checksum is 0 over IPv4 and
// computed over IPv6 (RFC 8200 section 8.1 forbids 0 there), which costs one pass over
// the packet. Same results and precondition as encap_ipip.
DropReason encap_gue(PacketBuffer& frame, const ParsedPacket& parsed, const EncapParams& p);

// Per-flow outer source address so the backend NIC's RSS spreads flows: the prefix's
// bits are kept and the host bits come from flow_hash (for a /64 both halves of the
// 64-bit host part vary). The host part is never all zeros, and for IPv4 with 2+ host
// bits never all ones (broadcast). A full-length prefix returns its address.
// Called by the control plane when it builds EncapParams or by the worker per flow.
IpAddress encap_source_address(const IpPrefix& prefix, uint32_t flow_hash);

// Per-flow GUE source port in the ephemeral range 32768-65535, from the hash's high bits
// (the low ones already pick the source address).
inline uint16_t gue_source_port(uint32_t flow_hash) {
  return uint16_t(0x8000u | (flow_hash >> 17));
}

}  // namespace sluice
