// SPDX-License-Identifier: BSD-3-Clause
#include "pipeline/flow_owner.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "flow/flow_table.h"
#include "packet_builder.h"
#include "state/state_builder.h"

namespace sluice {
namespace {

using testing_support::Packet;
using namespace wire;

std::vector<uint32_t> hashes_of_many_flows() {
  std::vector<uint32_t> hashes;
  for (uint32_t client = 0; client < 64; ++client)
    for (uint16_t port = 1024; port < 1024 + 512; ++port) {
      FlowKey k;
      k.src = IpAddress::v4(0xc6336400u + client);  // 198.51.100.x
      k.dst = IpAddress::v4(0xcb00710au);           // 203.0.113.10
      k.src_port = port;
      k.dst_port = 80;
      k.protocol = kProtoTcp;
      hashes.push_back(flow_hash(k));
    }
  return hashes;
}

TEST(FlowOwner, SharesFlowsEvenlyAmongWorkers) {
  const std::vector<uint32_t> hashes = hashes_of_many_flows();
  for (uint32_t workers : {2u, 3u, 4u}) {
    std::vector<uint32_t> share(workers);
    for (uint32_t h : hashes) {
      const uint32_t w = flow_owner(h, workers);
      ASSERT_LT(w, workers);
      ++share[w];
    }
    const double fair = double(hashes.size()) / workers;
    for (uint32_t w = 0; w < workers; ++w)
      EXPECT_NEAR(share[w], fair, fair * 0.03) << workers << " workers, worker " << w;
  }
  EXPECT_EQ(flow_owner(hashes[7], 1), 0u);
}

// Each worker has a table of its own, indexed by the same hash: the flows one worker owns
// must still use every bucket and every home way of it. (The hash modulo the worker count
// would leave half the buckets of each table empty with two workers.)
TEST(FlowOwner, AWorkersFlowsSpreadOverAllItsBucketsAndHomeWays) {
  constexpr uint32_t kBuckets = 1024;
  std::set<uint32_t> buckets;
  std::vector<uint32_t> per_way(FlowTable::kWays);
  uint32_t owned = 0;
  for (uint32_t h : hashes_of_many_flows()) {
    if (flow_owner(h, 2) != 1) continue;
    ++owned;
    buckets.insert(h % kBuckets);
    ++per_way[FlowTable::home_way(h)];
  }
  EXPECT_EQ(buckets.size(), kBuckets);
  for (uint32_t way = 0; way < FlowTable::kWays; ++way)
    EXPECT_NEAR(per_way[way], owned / 8.0, owned / 8.0 * 0.06) << "way " << way;
}

uint32_t owner_of(std::vector<uint8_t> bytes, uint32_t length, uint16_t receiver,
                  uint16_t workers) {
  std::vector<uint16_t> all(workers);
  for (uint16_t w = 0; w < workers; ++w) all[w] = w;
  const PacketBuffer frame{bytes.data(), length, 0, 0};
  ParsedPacket parsed;
  uint16_t owner = 0xffff;
  frame_owners(&frame, 1, all, receiver, &parsed, &owner);
  return owner;
}

uint32_t owner(const Packet& f, uint16_t receiver = 0, uint16_t workers = 4) {
  const std::vector<uint8_t> b = f.bytes();
  return owner_of(b, uint32_t(b.size()), receiver, workers);
}

// Four workers, and a sample of clients large enough that several owners occur.
TEST(FrameOwner, EveryPacketOfAFlowAndTheErrorsQuotingItHaveOneOwner) {
  std::set<uint32_t> owners;
  for (uint16_t port = 40000; port < 40016; ++port) {
    const uint32_t syn =
        owner(Packet().eth().ipv4("203.0.113.5", "10.0.0.100").tcp(port, 80, kTcpSyn));
    const uint32_t ack = owner(
        Packet().eth().ipv4("203.0.113.5", "10.0.0.100").tcp(port, 80, kTcpAck).payload(100), 3);
    // A router's frag-needed for the backend's answer (VIP -> client, sent by DSR).
    const uint32_t error =
        owner(Packet()
                  .eth()
                  .ipv4("192.0.2.1", "10.0.0.100")
                  .icmp(kIcmpDestUnreachable, kIcmpCodeFragNeeded)
                  .quote(Packet().ipv4("10.0.0.100", "203.0.113.5").tcp(80, port, kTcpAck), 28),
              2);
    EXPECT_EQ(ack, syn) << "port " << port;
    EXPECT_EQ(error, syn) << "port " << port;
    owners.insert(syn);
  }
  EXPECT_GE(owners.size(), 3u);
}

TEST(FrameOwner, Ipv6FlowsHaveOneOwner) {
  std::set<uint32_t> owners;
  for (uint16_t port = 40000; port < 40016; ++port) {
    const Packet syn =
        Packet().eth().ipv6("2001:db8:ff::1", "2001:db8::100").tcp(port, 80, kTcpSyn);
    const Packet data =
        Packet().eth().ipv6("2001:db8:ff::1", "2001:db8::100").tcp(port, 80, kTcpAck).payload(40);
    EXPECT_EQ(owner(syn, 0), owner(data, 1));
    owners.insert(owner(syn));
  }
  EXPECT_GE(owners.size(), 3u);
}

// A burst mixing flows with frames of no flow: each gets what it gets alone.
TEST(FrameOwner, ABurstGivesEachFrameItsOwnOwner) {
  std::vector<Packet> frames;
  for (uint16_t port = 40000; port < 40012; ++port) {
    frames.push_back(Packet().eth().ipv4("203.0.113.5", "10.0.0.100").tcp(port, 80, kTcpSyn));
    frames.push_back(Packet().eth().arp());
    frames.push_back(
        Packet().eth().ipv6("2001:db8:ff::1", "2001:db8::100").tcp(port, 443, kTcpAck));
  }
  std::vector<std::vector<uint8_t>> bytes;
  std::vector<PacketBuffer> buffers;
  for (const Packet& f : frames) bytes.push_back(f.bytes());
  for (auto& b : bytes) buffers.push_back(PacketBuffer{b.data(), uint32_t(b.size()), 0, 0});
  std::vector<ParsedPacket> parsed(frames.size());
  std::vector<uint16_t> owners(frames.size());
  const std::vector<uint16_t> all{0, 1, 2};
  frame_owners(buffers.data(), uint16_t(frames.size()), all, 1, parsed.data(), owners.data());
  for (size_t i = 0; i < frames.size(); ++i) EXPECT_EQ(owners[i], owner(frames[i], 1, 3)) << i;

  // A receiver that owns no flows (the one queue of a port, feeding workers 2 and 3):
  // every frame of a flow goes to one of them, the same one as among all four.
  const std::vector<uint16_t> others{2, 3};
  frame_owners(buffers.data(), uint16_t(frames.size()), others, 0, parsed.data(), owners.data());
  std::set<uint16_t> used;
  for (size_t i = 0; i < frames.size(); ++i) {
    if (i % 3 == 1) {
      EXPECT_EQ(owners[i], 0) << "ARP stays with the receiver";
      continue;
    }
    EXPECT_TRUE(owners[i] == 2 || owners[i] == 3) << i << ": " << owners[i];
    used.insert(owners[i]);
  }
  EXPECT_EQ(used.size(), 2u);
}

TEST(FrameOwner, FramesOfNoFlowStayWithTheirReceiver) {
  EXPECT_EQ(owner(Packet().eth().arp(), 3), 3u);
  EXPECT_EQ(owner(Packet().eth().ethertype(0x88cc).payload(46), 2), 2u);  // LLDP
  const std::vector<uint8_t> cut =
      Packet().eth().ipv4("203.0.113.5", "10.0.0.100").tcp(40000, 80, kTcpSyn).bytes();
  EXPECT_EQ(owner_of(cut, 14 + 12, 1, 4), 1u);  // IPv4 header cut short
}

// A first fragment goes where the whole packets of its 5-tuple go (that worker's flow
// table decides it); the later fragments of its datagram to the owner of the datagram,
// whichever worker receives them, in both families.
TEST(FrameOwner, FragmentsGoToTheirTuplesAndTheirDatagramsOwners) {
  std::set<uint32_t> datagram_owners;
  uint32_t apart = 0;
  for (uint16_t id = 1; id <= 32; ++id) {
    const uint16_t port = uint16_t(40000 + id);
    const uint32_t whole =
        owner(Packet().eth().ipv4("203.0.113.5", "10.0.0.100").udp(port, 53).payload(8));
    const uint32_t first =
        owner(Packet()
                  .eth()
                  .ipv4("203.0.113.5", "10.0.0.100", {.id = id, .frag = kIpv4FlagMoreFragments})
                  .udp(port, 53)
                  .payload(8),
              1);
    EXPECT_EQ(first, whole) << id;
    FragmentKey key;
    key.src = *IpAddress::parse("203.0.113.5");
    key.dst = *IpAddress::parse("10.0.0.100");
    key.id = id;
    key.protocol = kProtoUdp;
    const uint32_t expected = flow_owner(fragment_hash(key), 4);
    for (uint16_t receiver = 0; receiver < 4; ++receiver) {
      const uint32_t later = owner(Packet()
                                       .eth()
                                       .ipv4("203.0.113.5", "10.0.0.100", {.id = id, .frag = 3})
                                       .proto(kProtoUdp)
                                       .payload(24),
                                   receiver);
      EXPECT_EQ(later, expected) << id;
    }
    datagram_owners.insert(expected);
    apart += expected != first;

    key.src = *IpAddress::parse("2001:db8:ff::1");
    key.dst = *IpAddress::parse("2001:db8::100");
    key.id = 0x10000u + id;
    key.protocol = kProtoUdp;
    const uint32_t later6 = owner(Packet()
                                      .eth()
                                      .ipv6("2001:db8:ff::1", "2001:db8::100")
                                      .frag6(3, false, 0x10000u + id)
                                      .proto(kProtoUdp)
                                      .payload(24),
                                  3);
    EXPECT_EQ(later6, flow_owner(fragment_hash(key), 4)) << id;
  }
  EXPECT_EQ(datagram_owners.size(), 4u);
  EXPECT_GT(apart, 8u) << "a datagram's owner is not its tuple's";
}

}  // namespace
}  // namespace sluice

namespace sluice::nat_owners {

using testing_support::Packet;
using namespace wire;

using testing_support::Mac;

constexpr Mac kOurs{0x02, 0, 0, 0, 0, 0x10};

std::unique_ptr<ForwardingState> nat_state() {
  config::Config c;
  config::Port port;
  port.name = "lan0";
  port.device = "net_null0";
  port.addresses = {*IpPrefix::parse("10.0.0.10/24")};
  c.ports.push_back(port);
  c.nat.local_addresses = {*IpAddress::parse("10.0.0.50")};
  for (auto [address, mode, backend] :
       {std::tuple{"10.0.0.100", config::ForwardingMode::kNat, "10.0.0.21"},
        std::tuple{"10.0.0.101", config::ForwardingMode::kFullNat, "10.0.0.22"}}) {
    config::Vip v;
    v.name = address;
    v.address = *IpAddress::parse(address);
    v.port = 80;
    v.mode = mode;
    v.backends.push_back({*IpAddress::parse(backend)});
    c.vips.push_back(v);
  }
  StateBuilder builder(1000);
  NeighborCache neighbors;
  std::vector<std::string> errors;
  return builder.build(c, {MacAddress{kOurs}}, neighbors, 1, 0, errors);
}

uint16_t owner_of(const ForwardingState& state, const Packet& p, uint16_t workers = 4) {
  std::vector<uint16_t> all(workers);
  for (uint16_t w = 0; w < workers; ++w) all[w] = w;
  std::vector<uint8_t> bytes = p.bytes();
  const PacketBuffer frame{bytes.data(), uint32_t(bytes.size()), 0, 0};
  ParsedPacket parsed;
  uint16_t owner = 0xffff;
  frame_owners(&frame, 1, all, 0, &parsed, &owner, &state, workers);
  return owner;
}

// A fullnat answer belongs to the worker whose share of the local ports has its port.
TEST(NatOwner, AFullNatAnswerGoesToTheOwnerOfItsLocalPort) {
  const auto state = nat_state();
  ASSERT_TRUE(state->has_nat);
  for (uint16_t port : {1024, 1025, 1026, 1027, 40001, 65535}) {
    const Packet answer = Packet().eth().ipv4("10.0.0.22", "10.0.0.50").tcp(80, port);
    EXPECT_EQ(owner_of(*state, answer), port % 4) << port;
    // and so does an ICMP error the backend sends about what it received.
    const Packet error = Packet()
                             .eth()
                             .ipv4("10.0.0.22", "10.0.0.50")
                             .icmp(kIcmpDestUnreachable, 3)
                             .quote(Packet().ipv4("10.0.0.50", "10.0.0.22").tcp(port, 80));
    EXPECT_EQ(owner_of(*state, error), port % 4) << port;
  }
}

// Both directions of a nat connection agree on their owner, from the client's end, and
// the clients spread over every worker.
TEST(NatOwner, BothDirectionsOfANatConnectionHaveOneOwner) {
  const auto state = nat_state();
  std::set<uint16_t> used;
  for (uint32_t i = 0; i < 200; ++i) {
    const std::string client = "198.51.100." + std::to_string(i);
    const uint16_t port = uint16_t(30000 + i * 7);
    const uint16_t forward =
        owner_of(*state, Packet().eth().ipv4(client, "10.0.0.100").tcp(port, 80));
    EXPECT_EQ(owner_of(*state, Packet().eth().ipv4("10.0.0.21", client).tcp(80, port)), forward)
        << client;
    used.insert(forward);
  }
  EXPECT_EQ(used.size(), 4u);
}

}  // namespace sluice::nat_owners
