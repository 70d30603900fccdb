// SPDX-License-Identifier: BSD-3-Clause
// Local responders: the worker turns a request for one of sluice's own addresses into
// its answer in place (same mbuf), ready to go back out of the port it came in on. VLAN
// tags are kept. Each returns false and leaves the frame untouched when the packet is not
// such a request (or, for NS, fails RFC 4861 validation); the caller then handles it
// otherwise. No allocation, no shared state: any lcore, any frame.
//
// `is_ours` is any callable bool(const IpAddress&) telling whether an address is one the
// node answers for (local addresses, VIPs); it is called at most once.
#pragma once

#include <cstdint>

#include "net/ip_address.h"
#include "net/mac_address.h"
#include "net/wire.h"
#include "packet/neighbor_packets.h"
#include "packet/packet_buffer.h"
#include "packet/parsed_packet.h"

namespace sluice {

namespace detail {
// Target IP of an Ethernet/IPv4 ARP request (not a gratuitous one), or nullptr.
const uint8_t* arp_request_target(const PacketBuffer& frame, const ParsedPacket& parsed);
void arp_request_to_reply(PacketBuffer& frame, const ParsedPacket& parsed,
                          const MacAddress& our_mac);
// False (frame untouched) when the frame cannot grow to the NA's size.
bool solicitation_to_advertisement(PacketBuffer& frame, const ParsedPacket& parsed,
                                   const NdMessage& ns, const MacAddress& our_mac);
}  // namespace detail

// ARP request for an address of ours -> ARP reply "target is at our_mac", sent to the
// requester's hardware address. Frame length (padding included) is kept.
template <class IsOurs>
bool answer_arp(PacketBuffer& frame, const ParsedPacket& parsed, const MacAddress& our_mac,
                IsOurs&& is_ours) {
  const uint8_t* target = detail::arp_request_target(frame, parsed);
  if (!target || !is_ours(IpAddress::v4_from_wire(target))) return false;
  detail::arp_request_to_reply(frame, parsed, our_mac);
  return true;
}

// ICMPv4 echo request or ICMPv6 echo request (without extension headers) -> echo reply:
// addresses swapped, TTL / hop limit 64, type changed with the checksums updated
// incrementally, destination MAC = the request's source, source MAC = our_mac, frame
// padding dropped. The caller has decided the destination is ours.
bool answer_icmp_echo(PacketBuffer& frame, const ParsedPacket& parsed, const MacAddress& our_mac);

// Neighbor solicitation (valid per inspect_neighbor_discovery()) for a target of ours ->
// neighbor advertisement from the target, flags Solicited + Override (Override only, to
// ff02::1, when the solicitation came from :: for DAD), hop limit 255, one target
// link-layer address option with our_mac, nothing after it. The frame is resized to
// l3_offset + 72 bytes, so it may need 8 bytes of tailroom.
template <class IsOurs>
bool answer_neighbor_solicitation(PacketBuffer& frame, const ParsedPacket& parsed,
                                  const MacAddress& our_mac, IsOurs&& is_ours) {
  const auto ns = inspect_neighbor_discovery(frame.data, frame.length, parsed);
  if (!ns || ns->type != wire::kIcmpv6NeighborSolicitation ||
      !is_ours(IpAddress::v6_from_wire(ns->icmp + nd::kTargetOffset)))
    return false;
  return detail::solicitation_to_advertisement(frame, parsed, *ns, our_mac);
}

}  // namespace sluice
