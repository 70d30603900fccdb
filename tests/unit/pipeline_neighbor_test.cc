// SPDX-License-Identifier: BSD-3-Clause
// ARP and ND frames through the pipeline: what is learned, what is answered, what is
// consumed and what goes on to the host.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "frame_buffer.h"
#include "net/wire.h"
#include "packet/neighbor_packets.h"
#include "packet_builder.h"
#include "pipeline/pipeline.h"
#include "state/state_builder.h"

namespace sluice {
namespace {

using testing_support::addr;
using testing_support::Mac;
using testing_support::Packet;
using testing_support::TestFrame;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

const MacAddress kOurMac{{0x02, 0, 0, 0, 0, 0x10}};
const MacAddress kBackendMac{{0x02, 0, 0, 0, 0, 0x21}};

// An ARP frame (op 1 request, 2 reply) from the backend 10.0.0.21, padded to 60 bytes.
TestFrame arp(uint16_t op, const char* target_ip) {
  return TestFrame(
      Packet()
          .eth({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, kBackendMac.bytes)
          .arp(op, kBackendMac.bytes, "10.0.0.21", op == 2 ? kOurMac.bytes : Mac{}, target_ip)
          .pad_to(60)
          .bytes());
}

// The backend 2001:db8::21 advertising itself: the unsolicited form to ff02::1, or
// (to != nullptr) a solicited answer sent to `to`.
TestFrame advert(const char* to) {
  const uint32_t flags = to ? nd::kFlagSolicited | nd::kFlagOverride : nd::kFlagOverride;
  return TestFrame(Packet()
                       .eth(to ? kOurMac.bytes : Mac{0x33, 0x33, 0, 0, 0, 0x01}, kBackendMac.bytes)
                       .ipv6("2001:db8::21", to ? to : "ff02::1", {.hop_limit = 255})
                       .icmp(wire::kIcmpv6NeighborAdvertisement, 0, flags)
                       .payload(addr("2001:db8::21"))
                       .nd_option(wire::kNdOptionTargetLinkAddr, kBackendMac.bytes)
                       .bytes());
}

class PipelineNeighborTest : public ::testing::Test {
 protected:
  void SetUp() override { build(config::ExceptionPath::kNone); }
  // The port with the exception path `path`.
  void build(config::ExceptionPath path) {
    config::Config c;
    config::Port port;
    port.exception_path = path;
    port.name = "lan0";
    port.device = "net_null0";
    port.addresses = {*IpPrefix::parse("10.0.0.10/24"), *IpPrefix::parse("2001:db8::10/64")};
    c.ports.push_back(port);
    // The backends whose answers the tests send: wanted by the neighbor cache, unresolved.
    for (const char* vip : {"10.0.0.100", "2001:db8::100"}) {
      config::Vip v;
      v.name = vip;
      v.address = ip(vip);
      v.port = 80;
      config::Backend b;
      b.address = ip(v.address.is_v4() ? "10.0.0.21" : "2001:db8::21");
      v.backends.push_back(b);
      c.vips.push_back(v);
    }
    neighbors_.configure(StateBuilder::next_hops(c), StateBuilder::static_neighbors(c));
    std::vector<std::string> errors;
    state_ = builder_.build(c, {kOurMac}, neighbors_, 1, 1000, errors);
    ASSERT_TRUE(errors.empty());
  }
  Action run(TestFrame& f) {
    pipeline_.process_burst(&f.buf, 1, 0, *state_, 1000, result_);
    return result_.actions[0];
  }
  uint64_t counter(WorkerCounter c) const { return (*counters_)[c]; }
  // Runs `f` and returns the outcome counters (counters.h) it moved, with how much.
  std::map<std::string, uint64_t> outcomes_of(TestFrame& f) {
    const WorkerCounters& c = *counters_;
    const std::vector<uint64_t> events(std::begin(c.events), std::end(c.events));
    const std::vector<uint64_t> drops(std::begin(c.drops), std::end(c.drops));
    run(f);
    std::map<std::string, uint64_t> moved;
    for (size_t i = 0; i < kWorkerCounterCount; ++i)
      if (kWorkerCounters[i].role == CounterRole::kOutcome && c.events[i] != events[i])
        moved[kWorkerCounters[i].name] = c.events[i] - events[i];
    for (size_t i = 0; i < kDropReasonCount; ++i)
      if (kDropReasons[i].role == CounterRole::kOutcome && c.drops[i] != drops[i])
        moved[std::string("drop_") + kDropReasons[i].name] = c.drops[i] - drops[i];
    return moved;
  }

  std::unique_ptr<WorkerCounters> counters_ = std::make_unique<WorkerCounters>();
  Pipeline pipeline_{1024, FlowTimeouts{}, *counters_};
  StateBuilder builder_{900'000};
  NeighborCache neighbors_;
  std::unique_ptr<ForwardingState> state_;
  BurstResult result_;
};

TEST_F(PipelineNeighborTest, ArpReplyToUsIsLearnedAndConsumed) {
  TestFrame f = arp(2, "10.0.0.10");
  EXPECT_EQ(run(f), Action::kDrop);
  ASSERT_EQ(result_.learned_count, 1u);
  EXPECT_EQ(result_.learned[0].ip, ip("10.0.0.21"));
  EXPECT_EQ(result_.learned[0].mac, kBackendMac);
  EXPECT_EQ(counter(WorkerCounter::neighbors_learned), 1u);
  EXPECT_EQ(counter(WorkerCounter::to_host), 0u);
}

TEST_F(PipelineNeighborTest, ArpReplyToAnotherAddressIsLearnedAndGoesToTheHost) {
  TestFrame f = arp(2, "10.0.0.11");
  EXPECT_EQ(run(f), Action::kToHost);
  EXPECT_EQ(result_.learned_count, 1u);
  EXPECT_EQ(counter(WorkerCounter::to_host), 1u);
}

TEST_F(PipelineNeighborTest, ArpRequestForUsIsAnswered) {
  TestFrame f = arp(1, "10.0.0.10");
  EXPECT_EQ(run(f), Action::kTransmit);
  EXPECT_EQ(wire::load_be16(f.buf.data + 14 + arp::kOpOffset), 2);
  EXPECT_EQ(counter(WorkerCounter::arp_replies), 1u);
  EXPECT_EQ(counter(WorkerCounter::to_host), 0u);
}

TEST_F(PipelineNeighborTest, SolicitedAdvertisementToUsIsLearnedAndConsumed) {
  TestFrame f = advert("2001:db8::10");
  EXPECT_EQ(run(f), Action::kDrop);
  ASSERT_EQ(result_.learned_count, 1u);
  EXPECT_EQ(result_.learned[0].ip, ip("2001:db8::21"));
  EXPECT_EQ(result_.learned[0].mac, kBackendMac);
  EXPECT_EQ(counter(WorkerCounter::to_host), 0u);
}

TEST_F(PipelineNeighborTest, UnsolicitedAdvertisementIsLearnedAndGoesToTheHost) {
  TestFrame f = advert(nullptr);
  EXPECT_EQ(run(f), Action::kToHost);
  EXPECT_EQ(result_.learned_count, 1u);
  EXPECT_EQ(counter(WorkerCounter::to_host), 1u);
}

TEST_F(PipelineNeighborTest, AdvertisementToAnotherAddressGoesToTheHost) {
  TestFrame f = advert("2001:db8::11");
  EXPECT_EQ(run(f), Action::kToHost);
  EXPECT_EQ(result_.learned_count, 1u);
}

using Outcomes = std::map<std::string, uint64_t>;

// The backend's answer to the dataplane's own solicitation is taken in and counted once,
// as neighbor_answers; neighbors_learned says only that the binding went to the main lcore.
TEST_F(PipelineNeighborTest, ArpReplyForAPendingNeighborEndsInOneOutcome) {
  TestFrame syn(Packet()
                    .eth(kOurMac.bytes, {0x02, 0, 0, 0, 0, 0x02})
                    .ipv4("192.0.2.1", "10.0.0.100")
                    .tcp(40000, 80, wire::kTcpSyn)
                    .bytes());
  EXPECT_EQ(outcomes_of(syn), (Outcomes{{"drop_neighbor_unresolved", 1}}));  // pending
  TestFrame reply = arp(2, "10.0.0.10");
  EXPECT_EQ(outcomes_of(reply), (Outcomes{{"neighbor_answers", 1}}));
  EXPECT_EQ(result_.actions[0], Action::kDrop);
  EXPECT_EQ(counter(WorkerCounter::neighbors_learned), 1u);
  EXPECT_EQ(counter(WorkerCounter::rx_packets), 2u);
}

TEST_F(PipelineNeighborTest, SolicitedAdvertisementForAPendingNeighborEndsInOneOutcome) {
  TestFrame f = advert("2001:db8::10");
  EXPECT_EQ(outcomes_of(f), (Outcomes{{"neighbor_answers", 1}}));
  EXPECT_EQ(counter(WorkerCounter::rx_packets), 1u);
}

// Behind a TAP the kernel shares the port's addresses and may have asked too: the answer
// is learnt and passed on to it, ending as to_host.
TEST_F(PipelineNeighborTest, AnswersToUsAreLearnedAndPassedToTheKernelBehindATap) {
  build(config::ExceptionPath::kTap);
  TestFrame reply = arp(2, "10.0.0.10");
  EXPECT_EQ(outcomes_of(reply), (Outcomes{{"to_host", 1}}));
  EXPECT_EQ(result_.actions[0], Action::kToHost);
  ASSERT_EQ(result_.learned_count, 1u);
  EXPECT_EQ(result_.learned[0].ip, ip("10.0.0.21"));
  EXPECT_EQ(result_.learned[0].mac, kBackendMac);

  TestFrame f = advert("2001:db8::10");
  EXPECT_EQ(outcomes_of(f), (Outcomes{{"to_host", 1}}));
  EXPECT_EQ(result_.actions[0], Action::kToHost);
  ASSERT_EQ(result_.learned_count, 1u);
  EXPECT_EQ(result_.learned[0].ip, ip("2001:db8::21"));
  EXPECT_EQ(result_.learned[0].mac, kBackendMac);
  EXPECT_EQ(counter(WorkerCounter::neighbors_learned), 2u);
  EXPECT_EQ(counter(WorkerCounter::neighbor_answers), 0u);
}

TEST_F(PipelineNeighborTest, EveryNeighborFrameEndsInExactlyOneOutcome) {
  struct {
    const char* what;
    TestFrame frame;  // made in place: a copy's buffer would point into the original
    const char* outcome;
  } cases[] = {
      {"ARP reply to us", arp(2, "10.0.0.10"), "neighbor_answers"},
      {"ARP reply to another host", arp(2, "10.0.0.11"), "to_host"},
      {"ARP request for us", arp(1, "10.0.0.10"), "arp_replies"},
      {"ARP request for a VIP", arp(1, "10.0.0.100"), "arp_replies"},
      {"ARP request for another host", arp(1, "10.0.0.11"), "to_host"},
      {"solicited advertisement to us", advert("2001:db8::10"), "neighbor_answers"},
      {"unsolicited advertisement", advert(nullptr), "to_host"},
      {"advertisement to another host", advert("2001:db8::11"), "to_host"},
  };
  uint64_t received = 0;
  for (auto& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(outcomes_of(c.frame), (Outcomes{{c.outcome, 1}}));
    EXPECT_EQ(counter(WorkerCounter::rx_packets), ++received);
    EXPECT_EQ(outcome_total(*counters_), received);
  }
}

}  // namespace
}  // namespace sluice
