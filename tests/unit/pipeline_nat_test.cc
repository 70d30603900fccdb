// SPDX-License-Identifier: BSD-3-Clause
// The NAT modes through the pipeline without EAL: exact frames both ways (every checksum
// the builder computes from scratch must match the pipeline's incremental updates), ICMP
// errors both ways, local port exhaustion, and the outcome of every frame counted.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "frame_buffer.h"
#include "net/wire.h"
#include "packet_builder.h"
#include "pipeline/flow_owner.h"
#include "pipeline/pipeline.h"
#include "state/state_builder.h"

namespace sluice {
namespace {

using testing_support::Bytes;
using testing_support::hex;
using testing_support::Mac;
using testing_support::Packet;
using testing_support::TestFrame;
using namespace wire;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

constexpr Mac kOurs{0x02, 0, 0, 0, 0, 0x10};
constexpr Mac kRouter{0x02, 0, 0, 0, 0, 0xee};
constexpr Mac kWeb1{0x02, 0, 0, 0, 0, 0x21};
constexpr Mac kWeb2{0x02, 0, 0, 0, 0, 0x22};

config::Vip vip(const char* name, const char* address, uint8_t protocol, uint16_t port,
                config::ForwardingMode mode, const char* backend) {
  config::Vip v;
  v.name = name;
  v.address = ip(address);
  v.protocol = protocol;
  v.port = port;
  v.mode = mode;
  v.backends.push_back({ip(backend)});
  return v;
}

// web1 (.21) behind nat VIPs, web2 (.22) behind fullnat VIPs, in both families.
config::Config make_config() {
  config::Config c;
  config::Port port;
  port.name = "lan0";
  port.device = "net_null0";
  port.addresses = {*IpPrefix::parse("10.0.0.10/24"), *IpPrefix::parse("2001:db8::10/64")};
  c.ports.push_back(port);
  c.nat.local_addresses = {ip("10.0.0.50"), ip("2001:db8::50")};
  using config::ForwardingMode;
  c.vips.push_back(vip("nat4", "10.0.0.100", kProtoTcp, 80, ForwardingMode::kNat, "10.0.0.21"));
  c.vips.push_back(
      vip("full4", "10.0.0.101", kProtoTcp, 80, ForwardingMode::kFullNat, "10.0.0.22"));
  c.vips.push_back(
      vip("nat6", "2001:db8::100", kProtoTcp, 80, ForwardingMode::kNat, "2001:db8::21"));
  c.vips.push_back(
      vip("full6", "2001:db8::101", kProtoUdp, 53, ForwardingMode::kFullNat, "2001:db8::22"));
  c.neighbors = {{ip("10.0.0.21"), MacAddress{kWeb1}},
                 {ip("10.0.0.22"), MacAddress{kWeb2}},
                 {ip("2001:db8::21"), MacAddress{kWeb1}},
                 {ip("2001:db8::22"), MacAddress{kWeb2}}};
  return c;
}

class PipelineNatTest : public ::testing::Test {
 protected:
  PipelineNatTest() {
    std::vector<std::string> errors;
    const config::Config c = make_config();
    neighbors_.configure(StateBuilder::next_hops(c), StateBuilder::static_neighbors(c));
    state_ = builder_.build(c, {MacAddress{kOurs}}, neighbors_, 1, now_, errors);
  }

  // The frame the pipeline made of `in`, or "drop" / "host".
  std::string send(const Bytes& in) {
    TestFrame f(in);
    BurstResult result;
    pipeline_.process_burst(&f.buf, 1, 0, *state_, now_, result);
    if (result.actions[0] == Action::kDrop) return "drop";
    if (result.actions[0] != Action::kTransmit) return "host";
    return hex(Bytes(f.buf.data, f.buf.data + f.buf.length));
  }
  uint64_t outcomes() const {
    uint64_t sum = 0;
    for (size_t i = 0; i < kWorkerCounterCount; ++i)
      if (kWorkerCounters[i].role == CounterRole::kOutcome) sum += (*counters_)[WorkerCounter(i)];
    for (size_t i = 0; i < kDropReasonCount; ++i)
      if (kDropReasons[i].role == CounterRole::kOutcome) sum += (*counters_)[DropReason(i)];
    return sum;
  }
  uint64_t operator[](WorkerCounter c) const { return (*counters_)[c]; }
  uint64_t operator[](DropReason r) const { return (*counters_)[r]; }

  std::unique_ptr<WorkerCounters> counters_ = std::make_unique<WorkerCounters>();
  // Four local ports per address: 2000-2003.
  Pipeline pipeline_{1024,
                     FlowTimeouts{},
                     *counters_,
                     FragmentSettings{},
                     0,
                     NatSetup{.capacity = 64,
                              .local_addresses = {ip("10.0.0.50"), ip("2001:db8::50")},
                              .port_min = 2000,
                              .port_max = 2003}};
  StateBuilder builder_{900'000};
  NeighborCache neighbors_;
  std::unique_ptr<ForwardingState> state_;
  uint32_t now_ = 1000;
};

Bytes tcp4(const Mac& dst_mac, const Mac& src_mac, const char* src, uint16_t sport, const char* dst,
           uint16_t dport, uint8_t flags) {
  return Packet()
      .eth(dst_mac, src_mac)
      .ipv4(src, dst)
      .tcp(sport, dport, flags)
      .payload("GET / HTTP/1.1\r\n")
      .bytes();
}

TEST_F(PipelineNatTest, NatRewritesTheDestinationAndTheAnswersSource) {
  EXPECT_EQ(send(tcp4(kOurs, kRouter, "198.51.100.7", 40000, "10.0.0.100", 80, kTcpSyn)),
            hex(tcp4(kWeb1, kOurs, "198.51.100.7", 40000, "10.0.0.21", 80, kTcpSyn)));
  EXPECT_EQ(send(tcp4(kOurs, kWeb1, "10.0.0.21", 80, "198.51.100.7", 40000, kTcpSyn | kTcpAck)),
            hex(tcp4(kRouter, kOurs, "10.0.0.100", 80, "198.51.100.7", 40000, kTcpSyn | kTcpAck)));
  EXPECT_EQ(send(tcp4(kOurs, kRouter, "198.51.100.7", 40000, "10.0.0.100", 80, kTcpAck)),
            hex(tcp4(kWeb1, kOurs, "198.51.100.7", 40000, "10.0.0.21", 80, kTcpAck)));
  EXPECT_EQ((*this)[WorkerCounter::forwarded], 2u);
  EXPECT_EQ((*this)[WorkerCounter::nat_replies], 1u);
  EXPECT_EQ((*this)[WorkerCounter::nat_connections], 1u);
  EXPECT_EQ(pipeline_.nat_connections().size(), 1u);
  EXPECT_EQ(outcomes(), (*this)[WorkerCounter::rx_packets]);
}

TEST_F(PipelineNatTest, FullNatRewritesBothEndsWithALocalPort) {
  EXPECT_EQ(send(tcp4(kOurs, kRouter, "198.51.100.7", 40000, "10.0.0.101", 80, kTcpSyn)),
            hex(tcp4(kWeb2, kOurs, "10.0.0.50", 2000, "10.0.0.22", 80, kTcpSyn)));
  EXPECT_EQ(send(tcp4(kOurs, kRouter, "198.51.100.8", 40000, "10.0.0.101", 80, kTcpSyn)),
            hex(tcp4(kWeb2, kOurs, "10.0.0.50", 2001, "10.0.0.22", 80, kTcpSyn)));
  EXPECT_EQ(send(tcp4(kOurs, kWeb2, "10.0.0.22", 80, "10.0.0.50", 2001, kTcpSyn | kTcpAck)),
            hex(tcp4(kRouter, kOurs, "10.0.0.101", 80, "198.51.100.8", 40000, kTcpSyn | kTcpAck)));
  EXPECT_EQ(send(tcp4(kOurs, kWeb2, "10.0.0.22", 80, "10.0.0.50", 2000, kTcpSyn | kTcpAck)),
            hex(tcp4(kRouter, kOurs, "10.0.0.101", 80, "198.51.100.7", 40000, kTcpSyn | kTcpAck)));
  EXPECT_EQ(outcomes(), (*this)[WorkerCounter::rx_packets]);
}

TEST_F(PipelineNatTest, Nat66AndFullNat66OverUdp) {
  auto tcp6 = [](const Mac& d, const Mac& s, const char* src, uint16_t sport, const char* dst,
                 uint16_t dport) {
    return Packet().eth(d, s).ipv6(src, dst).tcp(sport, dport).payload("hello").bytes();
  };
  auto udp6 = [](const Mac& d, const Mac& s, const char* src, uint16_t sport, const char* dst,
                 uint16_t dport) {
    return Packet().eth(d, s).ipv6(src, dst).udp(sport, dport).payload("query").bytes();
  };
  EXPECT_EQ(send(tcp6(kOurs, kRouter, "2001:db8:c::7", 40000, "2001:db8::100", 80)),
            hex(tcp6(kWeb1, kOurs, "2001:db8:c::7", 40000, "2001:db8::21", 80)));
  EXPECT_EQ(send(tcp6(kOurs, kWeb1, "2001:db8::21", 80, "2001:db8:c::7", 40000)),
            hex(tcp6(kRouter, kOurs, "2001:db8::100", 80, "2001:db8:c::7", 40000)));
  EXPECT_EQ(send(udp6(kOurs, kRouter, "2001:db8:c::7", 5353, "2001:db8::101", 53)),
            hex(udp6(kWeb2, kOurs, "2001:db8::50", 2000, "2001:db8::22", 53)));
  EXPECT_EQ(send(udp6(kOurs, kWeb2, "2001:db8::22", 53, "2001:db8::50", 2000)),
            hex(udp6(kRouter, kOurs, "2001:db8::101", 53, "2001:db8:c::7", 5353)));
  EXPECT_EQ(outcomes(), (*this)[WorkerCounter::rx_packets]);
}

TEST_F(PipelineNatTest, ExhaustedPortsRefuseNewConnectionsOnly) {
  for (uint16_t i = 0; i < 4; ++i)
    ASSERT_NE(
        send(tcp4(kOurs, kRouter, "198.51.100.7", uint16_t(40000 + i), "10.0.0.101", 80, kTcpSyn)),
        "drop");
  EXPECT_EQ(send(tcp4(kOurs, kRouter, "198.51.100.7", 40004, "10.0.0.101", 80, kTcpSyn)), "drop");
  EXPECT_EQ((*this)[DropReason::nat_ports_exhausted], 1u);
  // The connections already open carry on, on their ports.
  EXPECT_EQ(send(tcp4(kOurs, kRouter, "198.51.100.7", 40003, "10.0.0.101", 80, kTcpAck)),
            hex(tcp4(kWeb2, kOurs, "10.0.0.50", 2003, "10.0.0.22", 80, kTcpAck)));
  EXPECT_EQ(send(tcp4(kOurs, kWeb2, "10.0.0.22", 80, "10.0.0.50", 2000, kTcpAck)),
            hex(tcp4(kRouter, kOurs, "10.0.0.101", 80, "198.51.100.7", 40000, kTcpAck)));
  // nat VIPs need no port.
  EXPECT_NE(send(tcp4(kOurs, kRouter, "198.51.100.7", 40004, "10.0.0.100", 80, kTcpSyn)), "drop");
  EXPECT_EQ(outcomes(), (*this)[WorkerCounter::rx_packets]);
}

// A busy worker never sweeps when idle: a new connection that finds no free port reclaims
// the ports of expired connections itself.
TEST_F(PipelineNatTest, ANewConnectionReclaimsThePortsOfExpiredOnes) {
  for (uint16_t i = 0; i < 4; ++i)
    ASSERT_NE(
        send(tcp4(kOurs, kRouter, "198.51.100.7", uint16_t(40000 + i), "10.0.0.101", 80, kTcpSyn)),
        "drop");
  now_ += FlowTimeouts{}.tcp_syn_ms + 1;  // the four half-open connections have expired
  EXPECT_EQ(send(tcp4(kOurs, kRouter, "198.51.100.7", 40004, "10.0.0.101", 80, kTcpSyn)),
            hex(tcp4(kWeb2, kOurs, "10.0.0.50", 2000, "10.0.0.22", 80, kTcpSyn)));
  EXPECT_EQ((*this)[DropReason::nat_ports_exhausted], 0u);
  EXPECT_EQ(pipeline_.nat_connections().size(), 1u);
  EXPECT_EQ(outcomes(), (*this)[WorkerCounter::rx_packets]);
}

// The backend refuses what the client sent (port unreachable): the client gets it from the
// VIP, about what it sent itself. A router on the client's side says the answer is too big:
// the backend gets it, about what it sent.
TEST_F(PipelineNatTest, IcmpErrorsAreTranslatedBothWays) {
  const Bytes syn = tcp4(kOurs, kRouter, "198.51.100.7", 40000, "10.0.0.101", 80, kTcpSyn);
  ASSERT_NE(send(syn), "drop");
  auto unreachable = [](const Mac& d, const Mac& s, const char* from, const char* to,
                        const char* qsrc, uint16_t qsport, const char* qdst, uint16_t qdport) {
    return Packet()
        .eth(d, s)
        .ipv4(from, to)
        .icmp(kIcmpDestUnreachable, 3)
        .quote(Packet().ipv4(qsrc, qdst).tcp(qsport, qdport, kTcpSyn).payload(8))
        .bytes();
  };
  EXPECT_EQ(
      send(unreachable(kOurs, kWeb2, "10.0.0.22", "10.0.0.50", "10.0.0.50", 2000, "10.0.0.22", 80)),
      hex(unreachable(kRouter, kOurs, "10.0.0.101", "198.51.100.7", "198.51.100.7", 40000,
                      "10.0.0.101", 80)));
  auto too_big = [](const Mac& d, const Mac& s, const char* from, const char* to, const char* qsrc,
                    uint16_t qsport, const char* qdst, uint16_t qdport) {
    return Packet()
        .eth(d, s)
        .ipv4(from, to)
        .icmp(kIcmpDestUnreachable, 4, 1400)
        .quote(Packet().ipv4(qsrc, qdst).tcp(qsport, qdport, kTcpAck).payload(8), 28)
        .bytes();
  };
  EXPECT_EQ(
      send(too_big(kOurs, kRouter, "203.0.113.1", "10.0.0.101", "10.0.0.101", 80, "198.51.100.7",
                   40000)),
      hex(too_big(kWeb2, kOurs, "203.0.113.1", "10.0.0.22", "10.0.0.22", 80, "10.0.0.50", 2000)));
  EXPECT_EQ((*this)[WorkerCounter::nat_icmp_errors], 2u);
  // About no connection: dropped, counted.
  EXPECT_EQ(
      send(unreachable(kOurs, kWeb2, "10.0.0.22", "10.0.0.50", "10.0.0.50", 2001, "10.0.0.22", 80)),
      "drop");
  EXPECT_EQ(send(too_big(kOurs, kRouter, "203.0.113.1", "10.0.0.101", "10.0.0.101", 80,
                         "198.51.100.9", 40000)),
            "drop");
  EXPECT_EQ((*this)[DropReason::nat_no_connection], 2u);
  EXPECT_EQ(outcomes(), (*this)[WorkerCounter::rx_packets]);
}

TEST_F(PipelineNatTest, WhatMatchesNoConnectionIsCounted) {
  // An answer on a local port nobody uses. A first fragment for a NAT VIP opens its
  // connection like a whole packet (tests/fixtures/nat_fragment_test.py has the frames).
  EXPECT_EQ(send(tcp4(kOurs, kWeb2, "10.0.0.22", 80, "10.0.0.50", 2002, kTcpAck)), "drop");
  EXPECT_EQ((*this)[DropReason::nat_no_connection], 1u);
  EXPECT_NE(send(Packet()
                     .eth(kOurs, kRouter)
                     .ipv4("198.51.100.7", "10.0.0.100", {.id = 7, .frag = kIpv4FlagMoreFragments})
                     .tcp(40000, 80, kTcpSyn)
                     .payload(16)
                     .bytes()),
            "drop");
  EXPECT_EQ((*this)[WorkerCounter::nat_connections], 1u);
  EXPECT_EQ((*this)[WorkerCounter::fragments_forwarded], 1u);
  // The local addresses are answered for like the port's own.
  EXPECT_NE(send(Packet()
                     .eth({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, kWeb2)
                     .arp(kArpOpRequest, kWeb2, "10.0.0.22", {}, "10.0.0.50")
                     .bytes()),
            "drop");
  EXPECT_EQ((*this)[WorkerCounter::arp_replies], 1u);
  EXPECT_EQ(outcomes(), (*this)[WorkerCounter::rx_packets]);
}

// A NAT connection a peer published (flow sync): installed with its binding, so that
// both directions carry on here as they did there; refused when it would clash.
TEST_F(PipelineNatTest, SyncedConnectionsAreInstalledWithTheirBinding) {
  NatSyncRecord full;
  full.vip = state_->vips[state_->vip_table.find(ip("10.0.0.101"), kProtoTcp, 80)].key;
  full.forward = FlowKey{ip("198.51.100.7"), ip("10.0.0.101"), 40000, 80, kProtoTcp};
  full.reply = FlowKey{ip("10.0.0.22"), ip("10.0.0.50"), 80, 2002, kProtoTcp};
  full.backend = ip("10.0.0.22");
  full.client_mac = MacAddress{kRouter};
  full.fullnat = true;
  full.state = FlowState::kTcpEstablished;
  EXPECT_EQ(pipeline_.install_synced_nat(full, *state_, now_, 0), SyncInstall::kInstalled);
  EXPECT_EQ(pipeline_.local_ports().free_ports(0), 3u);  // 2002 is taken
  // The backend's answer to 10.0.0.50:2002 goes back to the client, and its packets on.
  EXPECT_EQ(send(tcp4(kOurs, kWeb2, "10.0.0.22", 80, "10.0.0.50", 2002, kTcpAck)),
            hex(tcp4(kRouter, kOurs, "10.0.0.101", 80, "198.51.100.7", 40000, kTcpAck)));
  EXPECT_EQ(send(tcp4(kOurs, kRouter, "198.51.100.7", 40000, "10.0.0.101", 80, kTcpAck)),
            hex(tcp4(kWeb2, kOurs, "10.0.0.50", 2002, "10.0.0.22", 80, kTcpAck)));
  EXPECT_EQ((*this)[WorkerCounter::nat_connections], 0u);  // none opened here
  // New clients never get the synced connection's port: the free ones go in their order
  // (2000 took 2002's place when it was claimed). The TCP source port is at byte 34.
  const char* const want[] = {"07d1", "07d0", "07d3"};
  for (uint16_t k = 0; k < 3; ++k)
    EXPECT_EQ(
        send(tcp4(kOurs, kRouter, "198.51.100.7", uint16_t(41000 + k), "10.0.0.101", 80, kTcpSyn))
            .substr(2 * 34, 4),
        want[k]);

  // Refused: the same connection again, or another client on its answers' tuple; a port
  // not of this worker's share; a local address, mode or backend this node does not have.
  EXPECT_EQ(pipeline_.install_synced_nat(full, *state_, now_, 0), SyncInstall::kRefusedExists);
  NatSyncRecord other = full;
  other.forward.src_port = 40001;
  EXPECT_EQ(pipeline_.install_synced_nat(other, *state_, now_, 0), SyncInstall::kRefusedExists);
  other.reply.dst_port = 2999;
  EXPECT_EQ(pipeline_.install_synced_nat(other, *state_, now_, 0), SyncInstall::kRefusedPort);
  other.reply.dst = ip("10.0.0.99");
  EXPECT_EQ(pipeline_.install_synced_nat(other, *state_, now_, 0), SyncInstall::kUnknownBackend);
  other = full;
  other.forward.src_port = 40001;
  other.fullnat = false;
  EXPECT_EQ(pipeline_.install_synced_nat(other, *state_, now_, 0), SyncInstall::kUnknownBackend);
  other.fullnat = true;
  other.backend = ip("10.0.0.21");
  EXPECT_EQ(pipeline_.install_synced_nat(other, *state_, now_, 0), SyncInstall::kUnknownBackend);
  EXPECT_EQ((*counters_)[SyncCounter::installed], 1u);
  EXPECT_EQ((*counters_)[SyncCounter::refused_exists], 2u);
  EXPECT_EQ((*counters_)[SyncCounter::refused_port], 1u);
  EXPECT_EQ((*counters_)[SyncCounter::unknown_backend], 3u);

  // nat: the answers go to the client itself, from the VIP.
  NatSyncRecord nat;
  nat.vip = state_->vips[state_->vip_table.find(ip("10.0.0.100"), kProtoTcp, 80)].key;
  nat.forward = FlowKey{ip("198.51.100.8"), ip("10.0.0.100"), 40000, 80, kProtoTcp};
  nat.reply = FlowKey{ip("10.0.0.21"), ip("198.51.100.8"), 80, 40000, kProtoTcp};
  nat.backend = ip("10.0.0.21");
  nat.client_mac = MacAddress{kRouter};
  nat.state = FlowState::kTcpEstablished;
  EXPECT_EQ(pipeline_.install_synced_nat(nat, *state_, now_, 0), SyncInstall::kInstalled);
  EXPECT_EQ(send(tcp4(kOurs, kWeb1, "10.0.0.21", 80, "198.51.100.8", 40000, kTcpAck)),
            hex(tcp4(kRouter, kOurs, "10.0.0.100", 80, "198.51.100.8", 40000, kTcpAck)));
  // The reserve is kept for local connections: 64 entries, 5 taken.
  nat.forward.src_port = nat.reply.dst_port = 40001;
  EXPECT_EQ(pipeline_.install_synced_nat(nat, *state_, now_, 59), SyncInstall::kRefusedFull);
  EXPECT_EQ(pipeline_.install_synced_nat(nat, *state_, now_, 58), SyncInstall::kInstalled);
}

// Two workers owning flows on a port that splits flows (several queues without RSS): each
// frame goes to the worker frame_owners() names, and every answer finds its connection
// there, whichever worker opened it.
TEST(PipelineNatWorkers, EachAnswerReachesTheWorkerHoldingItsConnection) {
  const config::Config c = make_config();
  NeighborCache neighbors;
  neighbors.configure(StateBuilder::next_hops(c), StateBuilder::static_neighbors(c));
  StateBuilder builder(900'000);
  std::vector<std::string> errors;
  const auto state = builder.build(c, {MacAddress{kOurs}}, neighbors, 1, 0, errors);
  std::unique_ptr<WorkerCounters> counters[2] = {std::make_unique<WorkerCounters>(),
                                                 std::make_unique<WorkerCounters>()};
  std::unique_ptr<Pipeline> workers[2];
  for (uint16_t w = 0; w < 2; ++w)
    workers[w] =
        std::make_unique<Pipeline>(1024, FlowTimeouts{}, *counters[w], FragmentSettings{}, 0,
                                   NatSetup{.capacity = 256,
                                            .local_addresses = {ip("10.0.0.50")},
                                            .port_min = 2000,
                                            .port_max = 2099,
                                            .workers = 2,
                                            .self = w});
  const std::vector<uint16_t> flow_workers{0, 1};
  // Runs `in` on its owner; the output frame and the owner, or "drop".
  auto run = [&](const Bytes& in, uint16_t& owner) {
    TestFrame f(in);
    ParsedPacket parsed;
    frame_owners(&f.buf, 1, flow_workers, 0, &parsed, &owner, state.get(), 2);
    BurstResult result;
    workers[owner]->process_burst(&f.buf, 1, 0, *state, 1000, result);
    if (result.actions[0] != Action::kTransmit) return Bytes{};
    return Bytes(f.buf.data, f.buf.data + f.buf.length);
  };
  uint32_t opened[2] = {};
  for (uint16_t i = 0; i < 40; ++i) {
    const std::string client = "198.51.100." + std::to_string(1 + i);
    const uint16_t sport = uint16_t(40000 + 13 * i);
    uint16_t forward = 0, answer = 0;
    // fullnat: the local port is the opening worker's.
    Bytes out =
        run(tcp4(kOurs, kRouter, client.c_str(), sport, "10.0.0.101", 80, kTcpSyn), forward);
    ASSERT_FALSE(out.empty()) << client;
    ++opened[forward];
    const uint16_t local_port = load_be16(out.data() + 14 + 20);
    EXPECT_EQ(local_port % 2, forward) << client;
    EXPECT_EQ(
        hex(run(tcp4(kOurs, kWeb2, "10.0.0.22", 80, "10.0.0.50", local_port, kTcpAck), answer)),
        hex(tcp4(kRouter, kOurs, "10.0.0.101", 80, client.c_str(), sport, kTcpAck)));
    EXPECT_EQ(answer, forward) << client;
    // nat: by the client's end, both ways.
    ASSERT_FALSE(
        run(tcp4(kOurs, kRouter, client.c_str(), sport, "10.0.0.100", 80, kTcpSyn), forward)
            .empty());
    EXPECT_EQ(hex(run(tcp4(kOurs, kWeb1, "10.0.0.21", 80, client.c_str(), sport, kTcpAck), answer)),
              hex(tcp4(kRouter, kOurs, "10.0.0.100", 80, client.c_str(), sport, kTcpAck)));
    EXPECT_EQ(answer, forward) << client;
  }
  EXPECT_GT(opened[0], 5u);
  EXPECT_GT(opened[1], 5u);
  for (uint16_t w = 0; w < 2; ++w) {
    EXPECT_EQ((*counters[w])[WorkerCounter::nat_replies], (*counters[w])[WorkerCounter::forwarded]);
    EXPECT_EQ((*counters[w])[DropReason::nat_no_connection], 0u);
  }
}

}  // namespace
}  // namespace sluice
