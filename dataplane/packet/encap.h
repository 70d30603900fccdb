// SPDX-License-Identifier: BSD-3-Clause
// Forwarding modes: how a packet for a VIP is handed to its backend. The worker calls one
// of these per packet on its own lcore, after parse_frame() and the backend choice, with
// the frame's mbuf viewed as a PacketBuffer. No allocation, no shared state; every
// function here may run on any thread at once on different frames.
//
// The inner IP packet is never changed (no TTL decrement, no checksum touched): the
// backend sees exactly what the client sent, which is what DSR needs.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>

#include "net/ip_address.h"
#include "net/mac_address.h"
#include "net/wire.h"
#include "packet/packet_buffer.h"
#include "packet/parsed_packet.h"
#include "pipeline/counters.h"

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

// The outer headers of every packet one backend receives, built once per snapshot by
// make_outer_header() so that the worker only writes what varies per packet (lengths,
// traffic class, the per-flow source address, flow label and GUE source port) and
// finishes checksums that are already summed over everything else.
struct OuterHeader {
  // Outer IPv4 or IPv6 header, then the UDP header for gue, as sent, with the varying
  // fields zero and the host bits of the source address clear.
  alignas(16) std::array<uint8_t, 48> bytes{};
  uint8_t ip_length = 0;  // 20 (IPv4) or 40 (IPv6)
  bool gue = false;
  uint8_t source_host_bits = 0;  // of the source prefix; 0 sends the prefix address itself
  uint16_t mtu = 1500;           // largest outer IP packet allowed
  // Partial sum of the constant fields the checksum covers: the IPv4 header; for gue over
  // IPv6 the pseudo-header's addresses and protocol and the UDP destination port.
  uint16_t fixed_sum = 0;

  bool v4() const { return ip_length == wire::kIpv4HeaderLen; }
  uint32_t length() const { return ip_length + (gue ? wire::kUdpHeaderLen : 0u); }
};

// ipip: IPv4 or IPv6 (protocol 4 / 41) inside an IPv4 or IPv6 outer header of the
// backend's family. gue: IP in UDP, GUE variant 1 (the UDP payload is the inner IP packet,
// no GUE header), as the Linux fou/gue receive path and Katran expect, from a per-flow
// source port (gue_source_port) to `gue_port`; its checksum is 0 over IPv4 and computed
// over IPv6 (RFC 8200 section 8.1 forbids 0 there).
// Outer IPv4: DSCP/ECN copied from the inner packet, ID 0, DF, TTL 64. Outer IPv6: traffic
// class copied, flow label from the flow hash, hop limit 64. The source is
// encap_source_address(source, flow hash). `source` must be of the backend's family.
OuterHeader make_outer_header(bool gue, const IpPrefix& source, const IpAddress& backend,
                              uint16_t mtu, uint16_t gue_port = kGueDefaultPort);

// Puts `outer` between the Ethernet header (new MACs, VLAN tags kept, the EtherType of the
// outer family) and the inner IP packet; frame padding after l3_length is dropped. The
// inner packet is never changed.
// Returns DropReason::count on success; DropReason::too_big (outer packet > outer.mtu) or
// DropReason::no_headroom leave the frame untouched.
// Precondition: parsed describes this frame and parsed.kind is kIpv4 or kIpv6.
DropReason encapsulate(PacketBuffer& frame, const ParsedPacket& parsed, const MacAddress& src_mac,
                       const MacAddress& dst_mac, const OuterHeader& outer, uint32_t flow_hash);

// Per-flow outer source address so the backend NIC's RSS spreads flows: the prefix's
// bits are kept and the host bits come from flow_hash (for a /64 both halves of the
// 64-bit host part vary). The host part is never all zeros, and for IPv4 with 2+ host
// bits never all ones (broadcast). A full-length prefix returns its address.
IpAddress encap_source_address(const IpPrefix& prefix, uint32_t flow_hash);

// Per-flow GUE source port in the ephemeral range 32768-65535, from the hash's high bits
// (the low ones already pick the source address).
inline uint16_t gue_source_port(uint32_t flow_hash) {
  return uint16_t(0x8000u | (flow_hash >> 17));
}

}  // namespace sluice
