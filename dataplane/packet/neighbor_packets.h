// SPDX-License-Identifier: BSD-3-Clause
// ARP and IPv6 neighbor discovery packets that sluice sends itself, and the bindings it
// learns from those it receives. Pure functions on caller memory: the neighbor resolver
// (control side) builds requests and announcements into a buffer it then transmits; the
// worker calls learn_neighbor() on ARP / ND frames and hands the binding to the resolver.
// Thread-safe: no shared state.
#pragma once

#include <cstdint>
#include <optional>

#include "net/ip_address.h"
#include "net/mac_address.h"
#include "packet/parsed_packet.h"

namespace sluice {

namespace arp {
inline constexpr uint32_t kHardwareTypeOffset = 0;
inline constexpr uint32_t kProtocolTypeOffset = 2;
inline constexpr uint32_t kHardwareLengthOffset = 4;
inline constexpr uint32_t kProtocolLengthOffset = 5;
inline constexpr uint32_t kOpOffset = 6;
inline constexpr uint32_t kSenderMacOffset = 8;
inline constexpr uint32_t kSenderIpOffset = 14;
inline constexpr uint32_t kTargetMacOffset = 18;
inline constexpr uint32_t kTargetIpOffset = 24;
inline constexpr uint16_t kHardwareEthernet = 1;
inline constexpr uint32_t kPaddedFrameLen = 60;  // built frames: the Ethernet minimum sans FCS
}  // namespace arp

namespace nd {
inline constexpr uint32_t kMessageLen = 24;  // NS and NA: type..checksum, flags, target
inline constexpr uint32_t kTargetOffset = 8;
inline constexpr uint32_t kLinkAddrOptionLen = 8;  // Ethernet SLLA / TLLA option
inline constexpr uint32_t kFlagRouter = 0x80000000;
inline constexpr uint32_t kFlagSolicited = 0x40000000;
inline constexpr uint32_t kFlagOverride = 0x20000000;
inline constexpr uint8_t kAllNodes[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
inline constexpr uint8_t kAllNodesMac[6] = {0x33, 0x33, 0, 0, 0, 1};
}  // namespace nd

// Builders: write one frame at `out` and return its length, or 0 (nothing written) when
// `capacity` is short. vlan != 0 adds one 802.1Q tag with that VLAN id (priority 0).
// ARP frames are 60 bytes (padded); ND frames 86; add 4 for the tag.

// Broadcast who-has target_ip (IPv4) from src_mac / src_ip.
uint32_t build_arp_request(uint8_t* out, uint32_t capacity, const MacAddress& src_mac,
                           const IpAddress& src_ip, const IpAddress& target_ip, uint16_t vlan = 0);
// ARP announcement (RFC 5227): a broadcast request with sender = target = ip.
uint32_t build_gratuitous_arp(uint8_t* out, uint32_t capacity, const MacAddress& mac,
                              const IpAddress& ip, uint16_t vlan = 0);
// Neighbor solicitation for `target` to its solicited-node multicast group
// ff02::1:ffXX:XXXX (MAC 33:33:ff:XX:XX:XX), hop limit 255, with a source link-layer
// address option (omitted when src_ip is ::, as RFC 4861 requires for DAD).
uint32_t build_neighbor_solicitation(uint8_t* out, uint32_t capacity, const MacAddress& src_mac,
                                     const IpAddress& src_ip, const IpAddress& target,
                                     uint16_t vlan = 0);
// Unsolicited neighbor advertisement of ip -> mac to ff02::1: Override set, Solicited and
// Router clear, target link-layer address option.
uint32_t build_unsolicited_na(uint8_t* out, uint32_t capacity, const MacAddress& mac,
                              const IpAddress& ip, uint16_t vlan = 0);

struct NeighborBinding {
  IpAddress ip;
  MacAddress mac;
};

// The binding a received frame announces: ARP request or reply (sender fields; not from
// a probe with sender 0.0.0.0), NA with a target link-layer option (target), NS with a
// source link-layer option (source; never from ::). ND messages must pass
// inspect_neighbor_discovery(). nullopt otherwise, or if the MAC is zero or multicast.
std::optional<NeighborBinding> learn_neighbor(const uint8_t* frame, uint32_t length,
                                              const ParsedPacket& parsed);

// The address an answer was sent to, i.e. the node that asked: the target of an ARP
// reply, the unicast destination of a valid NA. nullopt for requests, announcements and
// anything else.
std::optional<IpAddress> neighbor_reply_to(const uint8_t* frame, uint32_t length,
                                           const ParsedPacket& parsed);

// A neighbor solicitation or advertisement that passed the RFC 4861 section 7.1 checks:
// hop limit 255, code 0, ICMPv6 checksum right, at least 24 bytes, target neither
// multicast nor IPv4-mapped, options of nonzero length inside the message; for NS from ::,
// a solicited-node destination and no source link-layer option; for NA to a multicast
// destination, Solicited clear. Pointers are into the frame.
struct NdMessage {
  uint8_t type = 0;               // wire::kIcmpv6NeighborSolicitation or ...Advertisement
  const uint8_t* ip = nullptr;    // IPv6 header
  const uint8_t* icmp = nullptr;  // ICMPv6 header; the target is at icmp + 8
  uint32_t icmp_length = 0;
  const uint8_t* link_addr = nullptr;  // 6 bytes of the SLLA (NS) / TLLA (NA) option, if any
};
// Used by learn_neighbor() and answer_neighbor_solicitation().
std::optional<NdMessage> inspect_neighbor_discovery(const uint8_t* frame, uint32_t length,
                                                    const ParsedPacket& parsed);

}  // namespace sluice
