// SPDX-License-Identifier: BSD-3-Clause
// Flow sync inside a worker: which packets make a flow due for publication (sync_gate.h),
// what the pipeline publishes, what the installer takes from a peer and what it refuses,
// and what the bulk walk of a join reads from a table.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "frame_buffer.h"
#include "packet_builder.h"
#include "pipeline/pipeline.h"
#include "state/state_builder.h"
#include "sync/bulk_walk.h"
#include "sync/installer.h"
#include "sync/sync_gate.h"

namespace sluice {
namespace {

using testing_support::Packet;
using testing_support::TestFrame;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }
const MacAddress kOurMac{{0x02, 0, 0, 0, 0, 0x10}};

FlowEntry entry(FlowState state) {
  FlowTable table(8, FlowTimeouts{});
  FlowKey key;
  key.src_port = 1;
  FlowEntry e = *table.insert(key, 1, 0, state, 0);
  return e;
}

TEST(SyncGate, AfterPacketsThenEveryRefresh) {
  const SyncThreshold t{true, 3, 1000, 5000};
  FlowEntry e = entry(FlowState::kTcpEstablished);
  EXPECT_FALSE(sync_due(e, t, 100));
  EXPECT_FALSE(sync_due(e, t, 110));
  EXPECT_TRUE(sync_due(e, t, 120));  // third packet
  EXPECT_FALSE(sync_due(e, t, 130));
  EXPECT_FALSE(sync_due(e, t, 120 + 4990));
  EXPECT_TRUE(sync_due(e, t, 120 + 5030));  // a refresh (32 ms ticks)
  EXPECT_FALSE(sync_due(e, t, 120 + 5100));
}

TEST(SyncGate, APublishedFlowIsNotWrittenUntilItsRefresh) {
  const SyncThreshold t{true, 2, 1000, 5000};
  FlowEntry e = entry(FlowState::kTcpEstablished);
  EXPECT_FALSE(sync_due(e, t, 0));
  EXPECT_TRUE(sync_due(e, t, 10));
  const FlowEntry published = e;
  for (uint32_t ms = 20; ms < 4990; ms += 7) {
    EXPECT_FALSE(sync_due(e, t, ms));
    ASSERT_EQ(std::memcmp(&e, &published, sizeof e), 0) << ms;
  }
  EXPECT_TRUE(sync_due(e, t, 5100));
  EXPECT_FALSE(sync_due(e, t, 5200));
}

TEST(SyncGate, AfterTimeWithFewPackets) {
  const SyncThreshold t{true, 100, 1000, 60000};
  FlowEntry e = entry(FlowState::kUdp);
  EXPECT_FALSE(sync_due(e, t, 0));
  EXPECT_FALSE(sync_due(e, t, 900));
  EXPECT_TRUE(sync_due(e, t, 1024));
  EXPECT_FALSE(sync_due(e, t, 1100));
}

TEST(SyncGate, NeverHalfOpenOrClosing) {
  const SyncThreshold t{true, 1, 1, 1};
  FlowEntry syn = entry(FlowState::kTcpSynOnly);
  FlowEntry closing = entry(FlowState::kTcpClosing);
  for (uint32_t ms = 0; ms < 10'000; ms += 100) {
    EXPECT_FALSE(sync_due(syn, t, ms));
    EXPECT_FALSE(sync_due(closing, t, ms));
  }
}

config::Config make_config() {
  config::Config c;
  config::Port port;
  port.name = "lan0";
  port.device = "net_null0";
  port.addresses = {*IpPrefix::parse("10.0.0.10/24")};
  c.ports.push_back(port);
  config::Vip vip;
  vip.name = "www";
  vip.address = ip("10.0.0.100");
  vip.port = 80;
  for (int n = 1; n <= 3; ++n) {
    config::Backend b;
    b.address = IpAddress::v4(0x0a000000u + uint32_t(n));
    vip.backends.push_back(b);
    c.neighbors.push_back({b.address, MacAddress{{0x02, 0, 0, 0, 0, uint8_t(n)}}});
  }
  c.vips.push_back(vip);
  return c;
}

class SyncInstallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const config::Config c = make_config();
    std::vector<std::string> errors;
    neighbors_.configure(StateBuilder::next_hops(c), StateBuilder::static_neighbors(c));
    state_ = builder_.build(c, {kOurMac}, neighbors_, 1, 0, errors);
    ASSERT_TRUE(errors.empty());
  }
  SyncRecord record(uint16_t sport, const char* backend = "10.0.0.2") const {
    SyncRecord r;
    r.vip = VipKey{ip("10.0.0.100"), 80, 6, 0};
    r.flow.src = ip("192.0.2.7");
    r.flow.dst = ip("10.0.0.100");
    r.flow.src_port = sport;
    r.flow.dst_port = 80;
    r.flow.protocol = 6;
    r.backend = ip(backend);
    r.state = FlowState::kTcpEstablished;
    return r;
  }
  uint32_t backend_id(const char* address) const {
    for (const BackendEntry& b : state_->vips[0].backends)
      if (b.address == ip(address)) return b.id;
    return ~0u;
  }

  StateBuilder builder_{900'000};
  NeighborCache neighbors_;
  std::unique_ptr<ForwardingState> state_;
};

TEST_F(SyncInstallTest, InstallsByAddressAndNeverOverrides) {
  FlowTable flows(1024, FlowTimeouts{});
  SyncRecord r = record(1000);
  r.age_ms = 2000;
  EXPECT_EQ(install_synced(flows, r, *state_, 10'000, 0), SyncInstall::kInstalled);
  const FlowEntry* e = flows.lookup(r.flow, flow_hash(r.flow), 10'000, 0);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->backend_id, backend_id("10.0.0.2"));
  EXPECT_EQ(e->state(), FlowState::kTcpEstablished);

  SyncRecord other = record(1000, "10.0.0.3");
  EXPECT_EQ(install_synced(flows, other, *state_, 10'001, 0), SyncInstall::kRefusedExists);
  e = flows.lookup(r.flow, flow_hash(r.flow), 10'002, 0);
  EXPECT_EQ(e->backend_id, backend_id("10.0.0.2"));
  EXPECT_EQ(flows.size(), 1u);
}

TEST_F(SyncInstallTest, IdleTimeCountsTowardsExpiry) {
  FlowTable flows(1024, FlowTimeouts{});
  SyncRecord r = record(1001);
  r.state = FlowState::kUdp;
  r.vip.protocol = r.flow.protocol = 6;
  r.age_ms = 29'000;  // udp_ms is 30 s
  EXPECT_EQ(install_synced(flows, r, *state_, 100'000, 0), SyncInstall::kInstalled);
  EXPECT_TRUE(flows.contains_live(r.flow, flow_hash(r.flow), 100'999));
  EXPECT_FALSE(flows.contains_live(r.flow, flow_hash(r.flow), 101'001));
}

TEST_F(SyncInstallTest, UnknownVipOrBackend) {
  FlowTable flows(1024, FlowTimeouts{});
  EXPECT_EQ(install_synced(flows, record(1, "10.0.0.9"), *state_, 0, 0),
            SyncInstall::kUnknownBackend);
  SyncRecord wrong_vip = record(2);
  wrong_vip.vip.port = 0;  // a VIP of every port, which this node does not have
  EXPECT_EQ(install_synced(flows, wrong_vip, *state_, 0, 0), SyncInstall::kUnknownBackend);
  SyncRecord no_vip = record(3);
  no_vip.flow.dst_port = 443;
  no_vip.vip.port = 443;
  EXPECT_EQ(install_synced(flows, no_vip, *state_, 0, 0), SyncInstall::kUnknownBackend);
  EXPECT_EQ(flows.size(), 0u);
}

// A VRRP BACKUP's VIPs are inactive (not matched, not answered), yet it is the node that
// needs its MASTER's flows: they are installed for the moment it takes over.
TEST_F(SyncInstallTest, InstallsForAnInactiveVip) {
  config::Config c = make_config();
  c.vips[0].active = false;
  std::vector<std::string> errors;
  std::unique_ptr<ForwardingState> backup = builder_.build(c, {kOurMac}, neighbors_, 2, 0, errors);
  ASSERT_TRUE(errors.empty());
  ASSERT_EQ(backup->vip_table.find(ip("10.0.0.100"), 6, 80), VipTable::kNone);
  FlowTable flows(1024, FlowTimeouts{});
  SyncRecord r = record(1000, "10.0.0.3");
  EXPECT_EQ(install_synced(flows, r, *backup, 10'000, 0), SyncInstall::kInstalled);
  const FlowEntry* e = flows.lookup(r.flow, flow_hash(r.flow), 10'000, 0);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->backend_id, backend_id("10.0.0.3"));
  // The backend is still looked up among the VIP's own.
  EXPECT_EQ(install_synced(flows, record(1001, "10.0.0.9"), *backup, 10'000, 0),
            SyncInstall::kUnknownBackend);
  SyncRecord no_vip = record(1002);
  no_vip.flow.dst_port = no_vip.vip.port = 443;
  EXPECT_EQ(install_synced(flows, no_vip, *backup, 10'000, 0), SyncInstall::kUnknownBackend);
}

TEST_F(SyncInstallTest, ReserveIsKeptForLocalFlows) {
  FlowTable flows(64, FlowTimeouts{});  // 8 buckets of 8
  const uint64_t reserve = 16;
  uint32_t installed = 0, full = 0;
  for (uint16_t i = 0; i < 200; ++i) {
    const SyncInstall v = install_synced(flows, record(i), *state_, 0, reserve);
    installed += v == SyncInstall::kInstalled;
    full += v == SyncInstall::kRefusedFull;
  }
  EXPECT_LE(flows.size(), 64u - reserve);
  EXPECT_EQ(installed + full, 200u);
  EXPECT_EQ(installed, flows.size());
}

TEST_F(SyncInstallTest, NeverEvictsALocalFlow) {
  FlowTable flows(8, FlowTimeouts{});  // one bucket
  for (uint16_t i = 0; i < 8; ++i) {
    FlowKey k = record(uint16_t(5000 + i)).flow;
    k.protocol = 6;
    ASSERT_NE(flows.insert(k, flow_hash(k), 0, FlowState::kTcpSynOnly, 0), nullptr);
  }
  EXPECT_EQ(install_synced(flows, record(1), *state_, 1, 0), SyncInstall::kRefusedFull);
  EXPECT_EQ(flows.size(), 8u);
  EXPECT_EQ(flows.stats().evictions, 0u);
}

// The bulk walk reads every established, UDP and other flow once, with its VIP, backend
// address and idle time, over as many calls as the budget takes; a table it fills again
// elsewhere installs the same flows.
TEST_F(SyncInstallTest, BulkWalkReadsEveryFlowWorthAPeersTable) {
  FlowTable flows(1024, FlowTimeouts{});
  const FlowState states[] = {FlowState::kTcpEstablished, FlowState::kTcpSynOnly,
                              FlowState::kTcpClosing, FlowState::kUdp, FlowState::kOther};
  std::vector<SyncRecord> want;
  for (uint16_t i = 0; i < 100; ++i) {
    SyncRecord r = record(uint16_t(2000 + i), i % 2 ? "10.0.0.2" : "10.0.0.3");
    r.state = states[i % 5];
    ASSERT_NE(flows.insert(r.flow, flow_hash(r.flow), backend_id(i % 2 ? "10.0.0.2" : "10.0.0.3"),
                           r.state, 1000 + i),
              nullptr);
    r.age_ms = 5000 - 1000 - i;
    if (r.state != FlowState::kTcpSynOnly && r.state != FlowState::kTcpClosing) want.push_back(r);
  }
  // A flow of no VIP this node has: not read.
  FlowKey stray = record(9).flow;
  stray.dst_port = 443;
  ASSERT_NE(flows.insert(stray, flow_hash(stray), 0, FlowState::kTcpEstablished, 1000), nullptr);

  std::vector<SyncRecord> got;
  uint32_t cursor = 0, calls = 0;
  const uint32_t budget = 16;
  std::vector<SyncRecord> out(budget * FlowTable::kWays);
  while (cursor < flows.bucket_count()) {
    const size_t n = bulk_records(flows, *state_, cursor, budget, 5000, out.data());
    got.insert(got.end(), out.begin(), out.begin() + long(n));
    ++calls;
  }
  EXPECT_EQ(calls, flows.bucket_count() / budget);
  auto by_port = [](const SyncRecord& a, const SyncRecord& b) {
    return a.flow.src_port < b.flow.src_port;
  };
  std::sort(got.begin(), got.end(), by_port);
  ASSERT_EQ(got.size(), want.size());
  EXPECT_EQ(got.size(), 60u);
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], want[i]) << i;
  EXPECT_EQ(bulk_records(flows, *state_, cursor, budget, 5000, out.data()), 0u) << "at the end";

  FlowTable peer(1024, FlowTimeouts{});
  for (const SyncRecord& r : got)
    EXPECT_EQ(install_synced(peer, r, *state_, 7000, 0), SyncInstall::kInstalled);
  for (const SyncRecord& r : got) {
    const std::optional<FlowView> v = peer.find(r.flow, flow_hash(r.flow), 7000);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->idle_ms, r.age_ms);
    EXPECT_EQ(v->state, r.state);
  }
}

// A VRRP BACKUP asked for its flows passes on those it holds for its MASTER.
TEST_F(SyncInstallTest, BulkWalkReadsTheFlowsOfAnInactiveVip) {
  config::Config c = make_config();
  c.vips[0].active = false;
  std::vector<std::string> errors;
  std::unique_ptr<ForwardingState> backup = builder_.build(c, {kOurMac}, neighbors_, 2, 0, errors);
  ASSERT_TRUE(errors.empty());
  FlowTable flows(64, FlowTimeouts{});
  SyncRecord r = record(3000, "10.0.0.3");
  ASSERT_EQ(install_synced(flows, r, *backup, 1000, 0), SyncInstall::kInstalled);
  uint32_t cursor = 0;
  std::vector<SyncRecord> out(flows.bucket_count() * FlowTable::kWays);
  ASSERT_EQ(bulk_records(flows, *backup, cursor, flows.bucket_count(), 1000, out.data()), 1u);
  EXPECT_EQ(out[0], r);
}

// The pipeline publishes a flow on its third packet and counts what it installs.
TEST_F(SyncInstallTest, PipelinePublishesAndInstalls) {
  auto counters_owner = std::make_unique<WorkerCounters>();
  WorkerCounters& counters = *counters_owner;
  auto pipeline_owner = std::make_unique<Pipeline>(1024, FlowTimeouts{}, counters);
  Pipeline& pipeline = *pipeline_owner;
  auto result = std::make_unique<BurstResult>();
  pipeline.set_sync(SyncThreshold{true, 3, 60'000, 60'000});
  auto send = [&](uint8_t flags, uint32_t now) {
    TestFrame f(Packet()
                    .eth(kOurMac.bytes, {0x02, 0, 0, 0, 0, 0})
                    .ipv4("192.0.2.7", "10.0.0.100")
                    .tcp(4242, 80, flags)
                    .bytes());
    pipeline.process_burst(&f.buf, 1, 0, *state_, now, *result);
    return pipeline.sync_outbox().count;
  };
  EXPECT_EQ(send(wire::kTcpSyn, 0), 0);
  EXPECT_EQ(send(wire::kTcpAck, 1), 0);
  ASSERT_EQ(send(wire::kTcpAck, 2), 1);
  const SyncRecord& out = pipeline.sync_outbox().records[0];
  EXPECT_EQ(out.vip, (VipKey{ip("10.0.0.100"), 80, 6, 0}));
  EXPECT_EQ(out.flow.src, ip("192.0.2.7"));
  EXPECT_EQ(out.flow.src_port, 4242);
  EXPECT_EQ(out.state, FlowState::kTcpEstablished);
  EXPECT_EQ(out.age_ms, 0u);
  EXPECT_EQ(send(wire::kTcpAck, 3), 0);
  EXPECT_EQ(counters[SyncCounter::published], 1u);

  EXPECT_EQ(pipeline.install_synced(record(7), *state_, 10, 0), SyncInstall::kInstalled);
  EXPECT_EQ(pipeline.install_synced(record(7), *state_, 10, 0), SyncInstall::kRefusedExists);
  EXPECT_EQ(pipeline.install_synced(record(8, "10.0.0.9"), *state_, 10, 0),
            SyncInstall::kUnknownBackend);
  EXPECT_EQ(counters[SyncCounter::installed], 1u);
  EXPECT_EQ(counters[SyncCounter::refused_exists], 1u);
  EXPECT_EQ(counters[SyncCounter::unknown_backend], 1u);
}

}  // namespace
}  // namespace sluice
