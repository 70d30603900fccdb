// SPDX-License-Identifier: BSD-3-Clause
// IP fragments through the pipeline without EAL: decisions, holding, hand-over between
// workers, and which backend a datagram gets when the flow table and Maglev disagree.
#include <gtest/gtest.h>

#include <map>
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

using testing_support::Packet;
using testing_support::TestFrame;
using namespace wire;

const MacAddress kOurMac{{0x02, 0, 0, 0, 0, 0x10}};
MacAddress backend_mac(int n) { return MacAddress{{0x02, 0, 0, 0, 0, uint8_t(n)}}; }

config::Config make_config(const std::vector<int>& backends) {
  config::Config c;
  config::Port port;
  port.name = "lan0";
  port.device = "net_null0";
  port.addresses = {*IpPrefix::parse("10.0.0.10/24")};
  c.ports.push_back(port);
  config::Vip vip;
  vip.name = "dns";
  vip.address = *IpAddress::parse("10.0.0.100");
  vip.protocol = config::kProtocolUdp;
  vip.port = 53;
  vip.maglev_table_size = 65537;
  for (int n : backends) {
    config::Backend b;
    b.address = IpAddress::v4(0x0a000000u + uint32_t(n));
    vip.backends.push_back(b);
    c.neighbors.push_back({b.address, backend_mac(n)});
  }
  c.vips.push_back(vip);
  return c;
}

std::string client(uint32_t i) { return "192.0.2." + std::to_string(1 + i % 250); }

// The first fragment (UDP header and 16 bytes) and a later one of datagram `id` of client i.
TestFrame first(uint32_t i, uint16_t id) {
  return TestFrame(Packet()
                       .eth(kOurMac.bytes)
                       .ipv4(client(i), "10.0.0.100", {.id = id, .frag = kIpv4FlagMoreFragments})
                       .udp(uint16_t(10000 + i), 53)
                       .payload(16)
                       .bytes());
}
TestFrame later(uint32_t i, uint16_t id, uint16_t offset_units = 3) {
  return TestFrame(Packet()
                       .eth(kOurMac.bytes)
                       .ipv4(client(i), "10.0.0.100", {.id = id, .frag = offset_units})
                       .proto(kProtoUdp)
                       .payload(24)
                       .bytes());
}
TestFrame whole(uint32_t i) {
  return TestFrame(Packet()
                       .eth(kOurMac.bytes)
                       .ipv4(client(i), "10.0.0.100")
                       .udp(uint16_t(10000 + i), 53)
                       .payload(40)
                       .bytes());
}
int backend_of(const PacketBuffer& f) { return f.data[5]; }

class PipelineFragmentTest : public ::testing::Test {
 protected:
  std::unique_ptr<ForwardingState> build(const config::Config& c) {
    std::vector<std::string> errors;
    neighbors_.configure(StateBuilder::next_hops(c), StateBuilder::static_neighbors(c));
    auto state = builder_.build(c, {kOurMac}, neighbors_, ++generation_, now_, errors);
    EXPECT_TRUE(errors.empty());
    return state;
  }
  // Runs frames through `p`; each frame's handle is its own address.
  BurstResult& run(Pipeline& p, std::vector<TestFrame*> frames, const ForwardingState& state,
                   const FragmentSteering& steering = {}) {
    std::vector<PacketBuffer> buffers;
    for (TestFrame* f : frames) {
      f->buf.handle = f;
      buffers.push_back(f->buf);
    }
    p.process_burst(buffers.data(), uint16_t(buffers.size()), 0, state, now_, *result_, steering);
    for (size_t i = 0; i < frames.size(); ++i) frames[i]->buf = buffers[i];
    return *result_;
  }

  FragmentSettings fragments_ = [] {
    FragmentSettings s;
    s.hold = 8;
    s.hold_per_datagram = 2;
    return s;
  }();
  std::unique_ptr<WorkerCounters> counters_ = std::make_unique<WorkerCounters>();
  Pipeline pipeline_{1 << 16, FlowTimeouts{}, *counters_, fragments_};
  std::unique_ptr<BurstResult> result_ = std::make_unique<BurstResult>();
  StateBuilder builder_{900'000};
  NeighborCache neighbors_;
  uint64_t generation_ = 0;
  uint32_t now_ = 1000;
};

TEST_F(PipelineFragmentTest, LaterFragmentsFollowTheFirstAndHeldOnesComeOutAfterIt) {
  auto state = build(make_config({1, 2, 3}));
  TestFrame w = whole(5), f = first(5, 77), l1 = later(5, 77, 3), l2 = later(5, 77, 6);
  BurstResult& r = run(pipeline_, {&l1, &w, &f, &l2}, *state);
  EXPECT_EQ(r.actions[0], Action::kHold);
  EXPECT_EQ(r.actions[1], Action::kTransmit);
  EXPECT_EQ(r.actions[2], Action::kTransmit);
  EXPECT_EQ(r.actions[3], Action::kTransmit);
  ASSERT_EQ(r.released_count, 1);
  EXPECT_EQ(r.released[0].frame.handle, &l1);
  EXPECT_EQ(r.released[0].after, 2) << "right after the first fragment";
  EXPECT_EQ(r.released[0].action, Action::kTransmit);
  const int b = backend_of(w.buf);
  EXPECT_EQ(backend_of(f.buf), b);
  EXPECT_EQ(backend_of(r.released[0].frame), b);
  EXPECT_EQ(backend_of(l2.buf), b);
  const WorkerCounters& c = *counters_;
  EXPECT_EQ(c[WorkerCounter::fragments_forwarded], 3u);
  EXPECT_EQ(c[WorkerCounter::fragments_held], 1u);
  EXPECT_EQ(c[WorkerCounter::forwarded], 4u);
  EXPECT_EQ(c[WorkerCounter::flow_new], 1u) << "the whole packet's; the first fragment hit it";
  EXPECT_EQ(c[WorkerCounter::rx_packets], 4u);
}

// The flow table binds a flow before the backend set changes; Maglev now places its tuple
// elsewhere for some flows. The fragments of their datagrams go where the flow's other
// packets go: the flow table's backend.
TEST_F(PipelineFragmentTest, ADatagramFollowsItsFlowsBindingNotMaglevsNewChoice) {
  auto before = build(make_config({1, 2}));
  std::map<uint32_t, int> bound;
  for (uint32_t i = 0; i < 400; ++i) {
    TestFrame w = whole(i);
    run(pipeline_, {&w}, *before);
    bound[i] = backend_of(w.buf);
  }
  auto after = build(make_config({1, 2, 3}));
  Pipeline fresh(1 << 16, FlowTimeouts{}, *counters_, fragments_);
  uint32_t moved_by_maglev = 0;
  for (uint32_t i = 0; i < 400; ++i) {
    TestFrame l = later(i, uint16_t(i)), f = first(i, uint16_t(i));
    run(pipeline_, {&l, &f}, *after);
    EXPECT_EQ(backend_of(f.buf), bound[i]) << i;
    ASSERT_EQ(result_->released_count, 1);
    EXPECT_EQ(backend_of(result_->released[0].frame), bound[i]) << i;
    TestFrame n = first(i, uint16_t(i));
    run(fresh, {&n}, *after);
    moved_by_maglev += backend_of(n.buf) != bound[i];
  }
  EXPECT_GT(moved_by_maglev, 50u) << "Maglev alone would have split these";
}

TEST_F(PipelineFragmentTest, HeldFragmentsTimeOutAndAreCountedOnce) {
  auto state = build(make_config({1, 2}));
  TestFrame a = later(1, 5), b = later(1, 5, 6), c = later(1, 5, 9), d = later(2, 6);
  BurstResult& r = run(pipeline_, {&a, &b, &c, &d}, *state);
  EXPECT_EQ(r.actions[0], Action::kHold);
  EXPECT_EQ(r.actions[1], Action::kHold);
  EXPECT_EQ(r.actions[2], Action::kDrop) << "hold_per_datagram is 2";
  EXPECT_EQ(r.actions[3], Action::kHold);
  EXPECT_EQ((*counters_)[DropReason::fragment_over_limit], 1u);
  now_ += fragments_.hold_ms;
  pipeline_.expire_fragments(now_, *result_);
  EXPECT_EQ(result_->to_free_count, 0);
  now_ += 1;
  pipeline_.expire_fragments(now_, *result_);
  ASSERT_EQ(result_->to_free_count, 3);
  EXPECT_EQ(result_->to_free[0], &a);
  EXPECT_EQ(result_->to_free[1], &b);
  EXPECT_EQ(result_->to_free[2], &d);
  EXPECT_EQ((*counters_)[DropReason::fragment_timeout], 3u);
  EXPECT_EQ(pipeline_.fragments().held(), 0u);
  // The first fragment after the timeout is forwarded alone.
  TestFrame f = first(1, 5);
  run(pipeline_, {&f}, *state);
  EXPECT_EQ(result_->actions[0], Action::kTransmit);
  EXPECT_EQ(result_->released_count, 0);
}

TEST_F(PipelineFragmentTest, StoppingGivesBackWhatIsHeldUncounted) {
  auto state = build(make_config({1}));
  TestFrame a = later(1, 5), b = later(2, 6);
  run(pipeline_, {&a, &b}, *state);
  pipeline_.release_fragments(*result_);
  EXPECT_EQ(result_->to_free_count, 2);
  EXPECT_EQ((*counters_)[DropReason::fragment_timeout], 0u);
}

TEST_F(PipelineFragmentTest, FragmentsOfNoVipAreTheHostsOrDropped) {
  auto state = build(make_config({1}));
  TestFrame own(Packet()
                    .eth(kOurMac.bytes)
                    .ipv4("192.0.2.1", "10.0.0.10", {.id = 1, .frag = 3})
                    .payload(16)
                    .bytes());
  TestFrame stranger(Packet()
                         .eth(kOurMac.bytes)
                         .ipv4("192.0.2.1", "10.0.0.99", {.id = 1, .frag = 3})
                         .payload(16)
                         .bytes());
  TestFrame ping(Packet()
                     .eth(kOurMac.bytes)
                     .ipv4("192.0.2.1", "10.0.0.100", {.id = 2, .frag = kIpv4FlagMoreFragments})
                     .icmp(kIcmpEchoRequest)
                     .payload(64)
                     .bytes());
  BurstResult& r = run(pipeline_, {&own, &stranger, &ping}, *state);
  EXPECT_EQ(r.actions[0], Action::kToHost);
  EXPECT_EQ(r.actions[1], Action::kDrop);
  EXPECT_EQ(r.actions[2], Action::kDrop) << "a fragmented echo to a VIP is not answered";
  EXPECT_EQ((*counters_)[DropReason::not_for_us], 2u);
  EXPECT_EQ((*counters_)[WorkerCounter::echo_replies], 0u);
}

// Two workers sharing a port. The first fragment reaches the owner of its 5-tuple, which
// decides it in its flow table and hands it to the owner of its datagram with the
// decision; that one forwards it, and its later fragments, there.
TEST_F(PipelineFragmentTest, TheTuplesOwnerDecidesForTheDatagramsOwner) {
  auto state = build(make_config({1, 2, 3}));
  const std::vector<uint16_t> workers{0, 1};
  std::unique_ptr<WorkerCounters> counters1 = std::make_unique<WorkerCounters>();
  Pipeline worker1(1 << 16, FlowTimeouts{}, *counters1, fragments_);
  uint32_t crossed = 0;
  for (uint32_t i = 0; i < 64; ++i) {
    const uint16_t id = uint16_t(100 + i);
    TestFrame w = whole(i), f = first(i, id), l = later(i, id);
    const PacketBuffer probe[] = {w.buf, l.buf};
    ParsedPacket parsed[2];
    uint16_t owners[2];
    frame_owners(probe, 2, workers, 0, parsed, owners);
    const uint16_t tuple_owner = owners[0], datagram_owner = owners[1];
    Pipeline& t = tuple_owner == 0 ? pipeline_ : worker1;
    Pipeline& d = datagram_owner == 0 ? pipeline_ : worker1;

    run(t, {&w}, *state, {workers, tuple_owner});
    run(d, {&l}, *state, {workers, datagram_owner});
    EXPECT_EQ(result_->actions[0], Action::kHold);
    BurstResult& r = run(t, {&f}, *state, {workers, tuple_owner});
    if (tuple_owner == datagram_owner) {
      EXPECT_EQ(r.actions[0], Action::kTransmit);
    } else {
      ++crossed;
      ASSERT_EQ(r.actions[0], Action::kHandOff) << i;
      EXPECT_EQ(r.hand_to[0], datagram_owner);
      const uint32_t decided = r.decided[0];
      EXPECT_NE(decided, 0u);
      run(d, {&f}, *state, {workers, datagram_owner, &decided});
      EXPECT_EQ(result_->actions[0], Action::kTransmit);
    }
    ASSERT_EQ(result_->released_count, 1) << i;
    EXPECT_EQ(backend_of(f.buf), backend_of(w.buf)) << i;
    EXPECT_EQ(backend_of(result_->released[0].frame), backend_of(w.buf)) << i;
  }
  EXPECT_GT(crossed, 16u);
  const uint64_t rx =
      (*counters_)[WorkerCounter::rx_packets] + (*counters1)[WorkerCounter::rx_packets];
  EXPECT_EQ(rx, 64u * 3) << "a handed-over first fragment is received once";
  EXPECT_EQ((*counters_)[WorkerCounter::flow_new] + (*counters1)[WorkerCounter::flow_new], 64u);
}

}  // namespace
}  // namespace sluice
