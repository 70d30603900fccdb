// SPDX-License-Identifier: BSD-3-Clause
// The packet path end to end without EAL: snapshots from configs, frames through the
// pipeline, backends read back from the rewritten destination MAC.
#include "pipeline/pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "frame_buffer.h"
#include "net/wire.h"
#include "packet_builder.h"
#include "state/state_builder.h"

namespace sluice {
namespace {

using testing_support::Packet;
using testing_support::TestFrame;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

MacAddress backend_mac(int n) { return MacAddress{{0x02, 0, 0, 0, 0, uint8_t(n)}}; }
const MacAddress kOurMac{{0x02, 0, 0, 0, 0, 0x10}};

config::Config make_config(const std::vector<std::pair<int, uint16_t>>& backends,
                           config::BackendState state_of_3 = config::BackendState::kReady) {
  config::Config c;
  config::Port port;
  port.name = "lan0";
  port.device = "net_null0";
  port.addresses = {*IpPrefix::parse("10.0.0.10/24")};
  c.ports.push_back(port);
  config::Vip vip;
  vip.name = "www";
  vip.address = ip("10.0.0.100");
  vip.protocol = config::kProtocolTcp;
  vip.port = 80;
  vip.maglev_table_size = 65537;
  for (auto [n, weight] : backends) {
    config::Backend b;
    b.address = IpAddress::v4(0x0a000000u + uint32_t(n));
    b.weight = weight;
    if (n == 3) b.state = state_of_3;
    vip.backends.push_back(b);
    c.neighbors.push_back({b.address, backend_mac(n)});
  }
  c.vips.push_back(vip);
  return c;
}

// An Ethernet/IPv4/TCP frame from client 192.0.2.x:port to the VIP, with headroom.
struct Frame : TestFrame {
  Frame(uint32_t client, uint16_t sport, uint8_t flags)
      : TestFrame(Packet()
                      .eth(kOurMac.bytes, {0x02, 0, 0, 0, 0, 0})
                      .ipv4("192.0.2." + std::to_string(client), "10.0.0.100")
                      .tcp(sport, 80, flags)
                      .bytes()) {}
  int backend() const { return buf.data[5]; }  // last byte of the destination MAC
};

class PipelineTest : public ::testing::Test {
 protected:
  void publish(const config::Config& c) {
    std::vector<std::string> errors;
    neighbors_.configure(StateBuilder::next_hops(c), StateBuilder::static_neighbors(c));
    state_ = builder_.build(c, {kOurMac}, neighbors_, ++generation_, now_, errors);
    ASSERT_TRUE(errors.empty());
  }
  // Sends one packet of flow `i` and returns the backend it went to, or -1 if dropped.
  int send(uint32_t i, uint8_t flags) {
    Frame f(i % 250, uint16_t(10000 + i), flags);
    BurstResult result;
    pipeline_.process_burst(&f.buf, 1, 0, *state_, now_, result);
    return result.actions[0] == Action::kTransmit ? f.backend() : -1;
  }
  std::map<uint32_t, int> open_flows(uint32_t count, uint32_t first = 0) {
    std::map<uint32_t, int> placed;
    for (uint32_t i = first; i < first + count; ++i) placed[i] = send(i, wire::kTcpSyn);
    return placed;
  }

  std::unique_ptr<WorkerCounters> counters_ = std::make_unique<WorkerCounters>();
  Pipeline pipeline_{1 << 16, FlowTimeouts{}, *counters_};
  StateBuilder builder_{900'000};
  NeighborCache neighbors_;
  std::unique_ptr<ForwardingState> state_;
  uint64_t generation_ = 0;
  uint32_t now_ = 1000;
};

TEST_F(PipelineTest, SpreadsNewFlowsOverEveryBackend) {
  publish(make_config({{1, 1}, {2, 1}, {3, 1}}));
  std::map<int, int> per_backend;
  for (auto [flow, backend] : open_flows(3000)) per_backend[backend]++;
  ASSERT_EQ(per_backend.size(), 3u);
  for (auto [backend, n] : per_backend) EXPECT_NEAR(n, 1000, 150) << "backend " << backend;
  EXPECT_EQ((*counters_)[WorkerCounter::flow_new], 3000u);
  EXPECT_EQ((*counters_)[WorkerCounter::forwarded], 3000u);
}

TEST_F(PipelineTest, EstablishedFlowsKeepTheirBackendWhenOneIsAdded) {
  publish(make_config({{1, 1}, {2, 1}}));
  auto before = open_flows(1000);
  publish(make_config({{1, 1}, {2, 1}, {3, 1}}));
  for (auto [flow, backend] : before) EXPECT_EQ(send(flow, wire::kTcpAck), backend);
  std::map<int, int> fresh;
  for (auto [flow, backend] : open_flows(900, 5000)) fresh[backend]++;
  EXPECT_GT(fresh[3], 200);  // new flows reach the new backend
}

TEST_F(PipelineTest, EstablishedFlowsKeepTheirBackendWhenWeightsChange) {
  publish(make_config({{1, 1}, {2, 1}, {3, 1}}));
  auto before = open_flows(1000);
  publish(make_config({{1, 5}, {2, 1}, {3, 1}}));
  for (auto [flow, backend] : before) EXPECT_EQ(send(flow, wire::kTcpAck), backend);
}

TEST_F(PipelineTest, RemovedBackendsFlowsMoveAndOthersStay) {
  publish(make_config({{1, 1}, {2, 1}, {3, 1}}));
  auto before = open_flows(1000);
  publish(make_config({{1, 1}, {2, 1}}));
  uint32_t moved = 0;
  for (auto [flow, backend] : before) {
    int now = send(flow, wire::kTcpAck);
    if (backend == 3) {
      EXPECT_NE(now, 3);
      ++moved;
    } else {
      EXPECT_EQ(now, backend);
    }
  }
  EXPECT_EQ((*counters_)[WorkerCounter::flow_rescheduled], moved);
}

TEST_F(PipelineTest, DrainKeepsExistingFlowsAndTakesNoNewOnes) {
  publish(make_config({{1, 1}, {2, 1}, {3, 1}}));
  auto before = open_flows(1000);
  publish(make_config({{1, 1}, {2, 1}, {3, 1}}, config::BackendState::kDrain));
  for (auto [flow, backend] : before) EXPECT_EQ(send(flow, wire::kTcpAck), backend);
  for (auto [flow, backend] : open_flows(1000, 5000)) EXPECT_NE(backend, 3);
}

TEST_F(PipelineTest, WeightZeroDrainsLikeDrain) {
  publish(make_config({{1, 1}, {2, 1}, {3, 1}}));
  auto before = open_flows(600);
  publish(make_config({{1, 1}, {2, 1}, {3, 0}}));
  for (auto [flow, backend] : before) EXPECT_EQ(send(flow, wire::kTcpAck), backend);
  for (auto [flow, backend] : open_flows(600, 5000)) EXPECT_NE(backend, 3);
}

TEST_F(PipelineTest, MaintMovesEvenExistingFlows) {
  publish(make_config({{1, 1}, {2, 1}, {3, 1}}));
  auto before = open_flows(600);
  publish(make_config({{1, 1}, {2, 1}, {3, 1}}, config::BackendState::kMaint));
  for (auto [flow, backend] : before) EXPECT_NE(send(flow, wire::kTcpAck), 3);
}

TEST_F(PipelineTest, SameBackendsInAnyOrderPlaceFlowsIdentically) {
  // Two sluice hosts with the same backends must agree (failover keeps flows).
  publish(make_config({{1, 1}, {2, 1}, {3, 1}, {4, 2}}));
  auto a = open_flows(500);
  Pipeline other(1 << 16, FlowTimeouts{}, *counters_);
  StateBuilder other_builder(900'000);
  std::vector<std::string> errors;
  auto c = make_config({{4, 2}, {3, 1}, {1, 1}, {2, 1}});
  auto other_state = other_builder.build(c, {kOurMac}, neighbors_, 1, now_, errors);
  for (auto [flow, backend] : a) {
    Frame f(flow % 250, uint16_t(10000 + flow), wire::kTcpAck);  // mid-flow, as after failover
    BurstResult result;
    other.process_burst(&f.buf, 1, 0, *other_state, now_, result);
    ASSERT_EQ(result.actions[0], Action::kTransmit);
    EXPECT_EQ(f.backend(), backend);
  }
}

TEST_F(PipelineTest, FullTableStillForwardsByMaglev) {
  auto small_counters = std::make_unique<WorkerCounters>();
  Pipeline small(64, FlowTimeouts{}, *small_counters);
  publish(make_config({{1, 1}, {2, 1}}));
  uint32_t forwarded = 0;
  for (uint32_t i = 0; i < 500; ++i) {
    Frame f(i % 250, uint16_t(20000 + i), wire::kTcpAck);  // established flows fill it
    BurstResult result;
    small.process_burst(&f.buf, 1, 0, *state_, now_, result);
    forwarded += result.actions[0] == Action::kTransmit;
  }
  EXPECT_EQ(forwarded, 500u);
  EXPECT_GT((*small_counters)[WorkerCounter::flow_insert_failures], 0u);
}

TEST_F(PipelineTest, EvictionsOfAFullTableAreCounted) {
  auto small_counters = std::make_unique<WorkerCounters>();
  Pipeline small(64, FlowTimeouts{}, *small_counters);
  publish(make_config({{1, 1}, {2, 1}}));
  for (uint32_t i = 0; i < 500; ++i) {
    Frame f(i % 250, uint16_t(20000 + i), wire::kTcpSyn);  // half-open flows: evictable
    BurstResult result;
    small.process_burst(&f.buf, 1, 0, *state_, now_, result);
    ASSERT_EQ(result.actions[0], Action::kTransmit);
  }
  const WorkerCounters& c = *small_counters;
  EXPECT_EQ(c.active_flows, small.flows().capacity());
  EXPECT_EQ(c[WorkerCounter::flow_evictions], 500 - small.flows().capacity());
  EXPECT_EQ(c[WorkerCounter::flow_evictions], small.flows().stats().evictions);
  EXPECT_EQ(c[WorkerCounter::flow_insert_failures], 0u);
}

TEST_F(PipelineTest, UnresolvedNextHopIsCountedNotSent) {
  config::Config c = make_config({{1, 1}});
  c.neighbors.clear();
  publish(c);
  EXPECT_EQ(send(1, wire::kTcpSyn), -1);
  EXPECT_EQ((*counters_)[DropReason::neighbor_unresolved], 1u);
  neighbors_.learn(ip("10.0.0.1"), backend_mac(1), now_);
  std::vector<std::string> errors;
  state_ = builder_.build(c, {kOurMac}, neighbors_, ++generation_, now_, errors);
  EXPECT_EQ(send(1, wire::kTcpAck), 1);
}

// hash = "source": every connection of a client reaches one backend, whatever its source
// port; different clients still spread. "5-tuple" spreads one client's connections.
TEST_F(PipelineTest, SourceHashKeepsAClientOnOneBackend) {
  config::Config c = make_config({{1, 1}, {2, 1}, {3, 1}, {4, 1}});
  c.vips[0].hash = config::VipHash::kSource;
  publish(c);
  std::map<int, int> per_backend;
  for (uint32_t client = 0; client < 200; ++client) {
    std::set<int> chosen;
    for (uint16_t port = 0; port < 20; ++port) {
      Frame f(client, uint16_t(30000 + port), wire::kTcpSyn);
      BurstResult result;
      pipeline_.process_burst(&f.buf, 1, 0, *state_, now_, result);
      ASSERT_EQ(result.actions[0], Action::kTransmit);
      chosen.insert(f.backend());
    }
    ASSERT_EQ(chosen.size(), 1u) << "client " << client;
    per_backend[*chosen.begin()]++;
  }
  ASSERT_EQ(per_backend.size(), 4u);
  for (auto [backend, n] : per_backend) EXPECT_NEAR(n, 50, 25) << "backend " << backend;
  EXPECT_EQ((*counters_)[WorkerCounter::flow_new], 200u * 20);

  c.vips[0].hash = config::VipHash::kFiveTuple;
  publish(c);
  std::set<int> spread;
  for (uint16_t port = 0; port < 20; ++port) {
    Frame f(7, uint16_t(50000 + port), wire::kTcpSyn);
    BurstResult result;
    pipeline_.process_burst(&f.buf, 1, 0, *state_, now_, result);
    spread.insert(f.backend());
  }
  EXPECT_GT(spread.size(), 1u);
}

// Over the worker's syn_admission_limit a SYN is forwarded by Maglev, to the backend an
// inserted flow would have had, and not inserted; its ACK then creates the flow. Other
// flows and later seconds are not affected.
TEST_F(PipelineTest, SynsOverTheAdmissionLimitAreForwardedNotInserted) {
  auto counters = std::make_unique<WorkerCounters>();
  Pipeline guarded(1 << 16, FlowTimeouts{}, *counters, FragmentSettings{}, 10);
  publish(make_config({{1, 1}, {2, 1}, {3, 1}}));
  auto place = [&](Pipeline& p, uint32_t flow, uint8_t flags, uint32_t now) {
    Frame f(flow % 250, uint16_t(10000 + flow), flags);
    BurstResult result;
    p.process_burst(&f.buf, 1, 0, *state_, now, result);
    return result.actions[0] == Action::kTransmit ? f.backend() : -1;
  };
  for (uint32_t i = 0; i < 30; ++i)
    EXPECT_EQ(place(guarded, i, wire::kTcpSyn, now_), send(i, wire::kTcpSyn));
  EXPECT_EQ((*counters)[WorkerCounter::syns_not_admitted], 20u);
  EXPECT_EQ(counters->vip_syns_not_admitted[state_->vips[0].id], 20u);
  EXPECT_EQ((*counters)[WorkerCounter::flow_new], 30u);
  EXPECT_EQ((*counters)[WorkerCounter::forwarded], 30u);
  EXPECT_EQ(guarded.flows().size(), 10u);

  for (uint32_t i = 0; i < 30; ++i)
    EXPECT_EQ(place(guarded, i, wire::kTcpAck, now_ + 10), send(i, wire::kTcpAck));
  EXPECT_EQ((*counters)[WorkerCounter::flow_hits], 10u);
  EXPECT_EQ(guarded.flows().size(), 30u);
  EXPECT_EQ((*counters)[WorkerCounter::syns_not_admitted], 20u);

  for (uint32_t i = 100; i < 115; ++i) place(guarded, i, wire::kTcpSyn, now_ + 1000);
  EXPECT_EQ((*counters)[WorkerCounter::syns_not_admitted], 25u);
  EXPECT_EQ(guarded.flows().size(), 40u);
}

// A promiscuous port also gets what a switch floods for other hosts: their unicast frames
// are dropped whatever they carry, the port's accept_macs excepted; group addresses are not
// filtered.
TEST_F(PipelineTest, UnicastFramesForAnotherMacAreDropped) {
  const MacAddress virtual_mac{{0x00, 0x00, 0x5e, 0x00, 0x01, 0x33}};
  config::Config c = make_config({{1, 1}});
  c.ports[0].accept_macs = {virtual_mac};
  publish(c);
  auto send_to = [&](const MacAddress& dst, uint16_t sport) {
    TestFrame f(Packet()
                    .eth(dst.bytes, {0x02, 0, 0, 0, 0, 1})
                    .ipv4("192.0.2.1", "10.0.0.100")
                    .tcp(sport, 80, wire::kTcpSyn)
                    .bytes());
    BurstResult result;
    pipeline_.process_burst(&f.buf, 1, 0, *state_, now_, result);
    return result.actions[0];
  };
  EXPECT_EQ(send_to(MacAddress{{0x02, 0, 0, 0, 0, 0x11}}, 1000), Action::kDrop);
  EXPECT_EQ(send_to(MacAddress{{0x02, 0, 0, 0, 0, 0x10 ^ 0x80}}, 1001), Action::kDrop);
  EXPECT_EQ((*counters_)[DropReason::not_our_mac], 2u);
  EXPECT_EQ((*counters_)[WorkerCounter::flow_new], 0u);
  EXPECT_EQ(send_to(kOurMac, 1002), Action::kTransmit);
  EXPECT_EQ(send_to(virtual_mac, 1003), Action::kTransmit);
  EXPECT_EQ(send_to(MacAddress::broadcast(), 1004), Action::kTransmit);
  EXPECT_EQ(send_to(MacAddress{{0x01, 0x00, 0x5e, 0, 0, 0x12}}, 1005), Action::kTransmit);
  EXPECT_EQ((*counters_)[DropReason::not_our_mac], 2u);
  EXPECT_EQ((*counters_)[WorkerCounter::forwarded], 4u);
}

// Worker-style staging: burst B is begun before burst A is finished. The flow table is
// read and written only when a burst is finished, in order, with the snapshot current then.
TEST_F(PipelineTest, StagedBurstsAreDecidedAtFinishInOrder) {
  publish(make_config({{1, 1}, {2, 1}}));
  constexpr uint16_t kN = 100;
  std::vector<Frame> syns, acks;  // a Frame points into itself: no reallocation
  syns.reserve(kN);
  acks.reserve(kN);
  for (uint16_t i = 0; i < kN; ++i) syns.emplace_back(i, uint16_t(20000 + i), wire::kTcpSyn);
  for (uint16_t i = 0; i < kN; ++i) acks.emplace_back(i, uint16_t(20000 + i), wire::kTcpAck);
  PacketBuffer a[kN], b[kN];
  for (uint16_t i = 0; i < kN; ++i) {
    a[i] = syns[i].buf;
    b[i] = acks[i].buf;
  }
  auto staged_a = std::make_unique<StagedBurst>();
  auto staged_b = std::make_unique<StagedBurst>();
  auto result = std::make_unique<BurstResult>();

  pipeline_.begin_burst(*staged_a, a, kN, 0);
  pipeline_.prefetch_flows(*staged_a, *state_, now_);
  publish(make_config({{1, 1}, {2, 1}, {3, 1}}));  // after A was begun, before it is finished
  pipeline_.begin_burst(*staged_b, b, kN, 0);
  pipeline_.finish_burst(*staged_a, *state_, now_, *result);
  std::vector<int> placed;
  for (uint16_t i = 0; i < kN; ++i) {
    ASSERT_EQ(result->actions[i], Action::kTransmit);
    placed.push_back(a[i].data[5]);
  }
  pipeline_.prefetch_flows(*staged_b, *state_, now_);
  pipeline_.finish_burst(*staged_b, *state_, now_, *result);
  for (uint16_t i = 0; i < kN; ++i) {
    ASSERT_EQ(result->actions[i], Action::kTransmit);
    EXPECT_EQ(b[i].data[5], placed[i]) << "flow " << i;
  }
  EXPECT_EQ((*counters_)[WorkerCounter::flow_new], kN);
  EXPECT_EQ((*counters_)[WorkerCounter::flow_hits], kN);

  // A was placed by the snapshot of its finish: the same backends as a fresh pipeline
  // that sees the three-backend snapshot from the start.
  auto counters = std::make_unique<WorkerCounters>();
  Pipeline reference(1 << 16, FlowTimeouts{}, *counters);
  for (uint16_t i = 0; i < kN; ++i) {
    Frame f(i, uint16_t(20000 + i), wire::kTcpSyn);
    reference.process_burst(&f.buf, 1, 0, *state_, now_, *result);
    EXPECT_EQ(f.backend(), placed[i]) << "flow " << i;
  }
  EXPECT_NE(std::count(placed.begin(), placed.end(), 3), 0);
}

}  // namespace
}  // namespace sluice
