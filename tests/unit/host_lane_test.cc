// SPDX-License-Identifier: BSD-3-Clause
#include "pipeline/host_lane.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "packet/parser.h"
#include "packet_builder.h"

namespace sluice {
namespace {

using testing_support::Bytes;
using testing_support::Ipv4Opts;
using testing_support::Packet;

constexpr uint8_t kUdp = 17;

// One backend (10.0.0.11), one IPv6 backend (2001:db8::11), flow sync on 10.0.0.1:4500.
ForwardingState state_with_backends_and_sync() {
  ForwardingState s;
  s.backend_addresses =
      AddressSet({*IpAddress::parse("10.0.0.11"), *IpAddress::parse("2001:db8::11")});
  s.sync_listen = *SocketAddress::parse("10.0.0.1:4500");
  return s;
}

HostLane lane_of(const Bytes& frame, const ForwardingState& state) {
  ParsedPacket parsed;
  parse_frame(frame.data(), uint32_t(frame.size()), parsed);
  return host_lane(parsed, state);
}

struct Case {
  std::string description;
  Bytes frame;
  HostLane expected;
};

std::string lane_name(HostLane lane) { return lane == HostLane::kControl ? "control" : "bulk"; }

TEST(HostLane, ControlTrafficAndTheRest) {
  const ForwardingState state = state_with_backends_and_sync();
  const Ipv4Opts later_fragment{.frag = 0x0010};  // offset 128 bytes, no more fragments
  const std::vector<Case> cases = {
      // What the node needs to keep its neighbors, its VRRP mastership and its sessions.
      {"ARP request", Packet().eth().arp().bytes(), HostLane::kControl},
      {"ARP reply behind a VLAN tag", Packet().eth().vlan(10).arp(2).bytes(), HostLane::kControl},
      {"VRRP advert", Packet().eth().ipv4("10.0.0.2", "224.0.0.18").proto(112).payload(20).bytes(),
       HostLane::kControl},
      {"VRRP advert over IPv6",
       Packet().eth().ipv6("fe80::2", "ff02::12").proto(112).payload(20).bytes(),
       HostLane::kControl},
      {"BGP to the host", Packet().eth().ipv4("10.0.0.254", "10.0.0.1").tcp(40000, 179).bytes(),
       HostLane::kControl},
      {"BGP from the host's peer's listener",
       Packet().eth().ipv4("10.0.0.254", "10.0.0.1").tcp(179, 40000).bytes(), HostLane::kControl},
      {"BFD control", Packet().eth().ipv4("10.0.0.254", "10.0.0.1").udp(49152, 3784).bytes(),
       HostLane::kControl},
      {"BFD echo", Packet().eth().ipv4("10.0.0.254", "10.0.0.1").udp(3785, 3785).bytes(),
       HostLane::kControl},
      {"BFD multihop", Packet().eth().ipv6("2001:db8::fe", "2001:db8::1").udp(49153, 4784).bytes(),
       HostLane::kControl},
      {"BFD on a LAG member",
       Packet().eth().ipv4("10.0.0.254", "10.0.0.1").udp(49152, 6784).bytes(), HostLane::kControl},
      {"neighbor solicitation",
       Packet().eth().ipv6("2001:db8::fe", "ff02::1:ff00:1", {.hop_limit = 255}).icmp(135).bytes(),
       HostLane::kControl},
      {"neighbor advertisement",
       Packet().eth().ipv6("2001:db8::fe", "2001:db8::1", {.hop_limit = 255}).icmp(136).bytes(),
       HostLane::kControl},
      {"router advertisement",
       Packet().eth().ipv6("fe80::fe", "ff02::1", {.hop_limit = 255}).icmp(134).bytes(),
       HostLane::kControl},
      {"MLDv2 report behind a hop-by-hop header",
       Packet().eth().ipv6("fe80::2", "ff02::16", {.hop_limit = 1}).ext(0).icmp(143).bytes(),
       HostLane::kControl},
      {"health-check reply from a backend",
       Packet().eth().ipv4("10.0.0.11", "10.0.0.1").tcp(80, 51000).bytes(), HostLane::kControl},
      {"UDP health-check reply from an IPv6 backend",
       Packet().eth().ipv6("2001:db8::11", "2001:db8::1").udp(53, 51000).bytes(),
       HostLane::kControl},
      {"port unreachable from a backend",
       Packet()
           .eth()
           .ipv4("10.0.0.11", "10.0.0.1")
           .icmp(3, 3)
           .quote(Packet().ipv4("10.0.0.1", "10.0.0.11").udp(51000, 53))
           .bytes(),
       HostLane::kControl},
      {"flow sync datagram", Packet().eth().ipv4("10.0.0.2", "10.0.0.1").udp(4500, 4500).bytes(),
       HostLane::kControl},
      // The rest: whatever else the host exchanges, and junk.
      {"SSH", Packet().eth().ipv4("198.51.100.7", "10.0.0.1").tcp(40000, 22).bytes(),
       HostLane::kBulk},
      {"junk UDP", Packet().eth().ipv4("198.51.100.7", "10.0.0.1").udp(1234, 9).bytes(),
       HostLane::kBulk},
      {"UDP to the sync port of another address",
       Packet().eth().ipv4("10.0.0.2", "10.0.0.9").udp(4500, 4500).bytes(), HostLane::kBulk},
      {"BFD's port as a source only",
       Packet().eth().ipv4("198.51.100.7", "10.0.0.1").udp(3784, 9).bytes(), HostLane::kBulk},
      {"ping", Packet().eth().ipv4("198.51.100.7", "10.0.0.1").icmp(8).bytes(), HostLane::kBulk},
      {"ICMPv6 echo", Packet().eth().ipv6("2001:db8::7", "2001:db8::1").icmp(128).bytes(),
       HostLane::kBulk},
      {"ICMPv6 error quoting an ICMPv6 neighbor solicitation",
       Packet()
           .eth()
           .ipv6("2001:db8::7", "2001:db8::1")
           .icmp(1, 3)
           .quote(Packet().ipv6("2001:db8::1", "2001:db8::7").icmp(135))
           .bytes(),
       HostLane::kBulk},
      {"a later fragment of BFD (no ports to tell)",
       Packet()
           .eth()
           .ipv4("10.0.0.254", "10.0.0.1", later_fragment)
           .proto(kUdp)
           .payload(
               Bytes{0xc0, 0x00, 0x0e, 0xc8, 0, 16, 0, 0})  // what ports 49152 -> 3784 look like
           .bytes(),
       HostLane::kBulk},
      {"an LLDP frame", Packet().eth().ethertype(0x88cc).payload(40).bytes(), HostLane::kBulk},
      {"GRE", Packet().eth().ipv4("198.51.100.7", "10.0.0.1").proto(47).payload(20).bytes(),
       HostLane::kBulk},
  };
  for (const Case& c : cases)
    EXPECT_EQ(lane_name(lane_of(c.frame, state)), lane_name(c.expected)) << c.description;
}

TEST(HostLane, WithoutBackendsOrSyncOnlyTheProtocolsAreControl) {
  const ForwardingState empty;
  EXPECT_EQ(lane_of(Packet().eth().ipv4("10.0.0.11", "10.0.0.1").tcp(80, 51000).bytes(), empty),
            HostLane::kBulk);
  EXPECT_EQ(lane_of(Packet().eth().ipv4("10.0.0.2", "10.0.0.1").udp(4500, 0).bytes(), empty),
            HostLane::kBulk);
  EXPECT_EQ(lane_of(Packet().eth().ipv4("10.0.0.2", "0.0.0.0").udp(4500, 0).bytes(), empty),
            HostLane::kBulk);
  EXPECT_EQ(lane_of(Packet().eth().arp().bytes(), empty), HostLane::kControl);
}

}  // namespace
}  // namespace sluice
