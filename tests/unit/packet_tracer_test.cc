// SPDX-License-Identifier: BSD-3-Clause
// The tracer against the workers' own pipeline: for every kind of frame, what trace says
// (verdict, drop reason, backend, output frame) is what a worker's pipeline then does
// with it, and tracing changes nothing of the worker's.
#include "trace/packet_tracer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "flow/hash.h"
#include "packet_builder.h"
#include "pipeline/flow_owner.h"
#include "state/state_builder.h"
#include "trace/flow_mailbox.h"
#include "trace/probe_frame.h"

namespace sluice {
namespace {

using testing_support::Mac;
using testing_support::Packet;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }
const MacAddress kOurMac{{0x02, 0, 0, 0, 0, 0x10}};
const Mac kOur{0x02, 0, 0, 0, 0, 0x10};
const Mac kClient{0x02, 0, 0, 0, 0, 0x01};

config::Config make_config() {
  config::Config c;
  config::Port port;
  port.name = "lan0";
  port.device = "net_null0";
  port.addresses = {*IpPrefix::parse("10.0.0.10/24")};
  c.ports.push_back(port);
  config::Vip www;
  www.name = "www";
  www.address = ip("10.0.0.100");
  www.protocol = config::kProtocolTcp;
  www.port = 80;
  www.maglev_table_size = 65537;
  for (int n : {1, 2, 3}) {
    config::Backend b;
    b.address = IpAddress::v4(0x0a000000u + uint32_t(n));
    www.backends.push_back(b);
    c.neighbors.push_back({b.address, MacAddress{{0x02, 0, 0, 0, 0, uint8_t(n)}}});
  }
  c.vips.push_back(www);
  config::Vip dns = www;
  dns.name = "dns";
  dns.address = ip("10.0.0.101");
  dns.protocol = config::kProtocolUdp;
  dns.port = 0;
  dns.mode = config::ForwardingMode::kIpip;
  dns.encap_source = IpPrefix::parse("172.16.0.1/32");
  c.vips.push_back(dns);
  config::Vip gone = www;
  gone.name = "unresolved";
  gone.address = ip("10.0.0.105");
  gone.backends.resize(1);
  gone.backends[0].address = ip("10.0.0.61");
  c.vips.push_back(gone);
  return c;
}

std::string text(const std::vector<uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

class PacketTracerTest : public ::testing::Test {
 protected:
  PacketTracerTest() {
    std::vector<std::string> errors;
    config_ = make_config();
    neighbors_.configure(StateBuilder::next_hops(config_), StateBuilder::static_neighbors(config_));
    state_ = builder_.build(config_, {kOurMac}, neighbors_, 1, now_, errors);
    EXPECT_TRUE(errors.empty());
    port_.name = "lan0";
    port_.max_frame_length = 1518;
    port_.headroom = 128;
    port_.buffer_length = 128 + 2048;
    port_.queue_workers = {0};
  }

  // What trace says of `frame`, the worker's table asked through its mailbox.
  channel::TraceResult trace(const std::vector<uint8_t>& frame) {
    const std::string bytes = text(frame);
    TracePlan plan = PacketTracer::plan(bytes, port_, *state_);
    std::vector<const FlowAnswer*> answers;
    if (plan.ask) {
      EXPECT_TRUE(mailbox_.idle());
      FlowRequest& q = mailbox_.request();
      q.kind = FlowRequest::Kind::kFind;
      q.key = plan.key;
      q.hash = plan.hash;
      mailbox_.post();
      EXPECT_FALSE(mailbox_.serve(worker_.flows(), now_, 64));
      EXPECT_TRUE(mailbox_.idle());
      answers.push_back(&mailbox_.answer());
    }
    const uint32_t lcores[] = {7};
    return tracer_.explain(
        bytes, port_, plan, answers, lcores, *state_,
        [](const VipEntry& v) { return v.key.address.to_string(); }, now_);
  }

  // What the worker's pipeline does with it: the action, and the frame as it leaves.
  struct Done {
    Action action;
    std::vector<uint8_t> output;
    std::string drop;  // the drop counter that moved
  };
  Done forward(const std::vector<uint8_t>& frame) {
    // An mbuf of the port: its headroom, and its data room after it.
    std::vector<uint8_t> storage(port_.buffer_length);
    std::memcpy(storage.data() + port_.headroom, frame.data(), frame.size());
    PacketBuffer f{storage.data() + port_.headroom, uint32_t(frame.size()), port_.headroom,
                   uint32_t(storage.size() - port_.headroom - frame.size())};
    uint64_t drops[kDropReasonCount];
    std::memcpy(drops, counters_->drops, sizeof drops);
    BurstResult result;
    if (frame.size() > port_.max_frame_length) return {Action::kDrop, {}, "over_mtu"};
    worker_.process_burst(&f, 1, 0, *state_, now_, result);
    Done d{result.actions[0], {f.data, f.data + f.length}, ""};
    for (size_t i = 0; i < kDropReasonCount; ++i)
      if (counters_->drops[i] != drops[i]) d.drop = kDropReasons[i].name;
    if (d.action == Action::kToHost) d.drop = "host_unhandled";  // port_ has no exception path
    return d;
  }

  config::Config config_;
  StateBuilder builder_{900'000};
  NeighborCache neighbors_;
  std::unique_ptr<ForwardingState> state_;
  uint32_t now_ = 50'000;
  std::unique_ptr<WorkerCounters> counters_ = std::make_unique<WorkerCounters>();
  Pipeline worker_{1 << 12, FlowTimeouts{}, *counters_};
  FlowMailbox mailbox_;
  PacketTracer tracer_{FlowTimeouts{}};
  TracePort port_;
};

Packet tcp_to(const char* vip, uint16_t sport, uint8_t flags, uint16_t dport = 80) {
  return Packet().eth(kOur, kClient).ipv4("192.0.2.1", vip).tcp(sport, dport, flags);
}

TEST_F(PacketTracerTest, SaysWhatTheWorkersPipelineThenDoes) {
  const std::vector<std::vector<uint8_t>> frames = {
      tcp_to("10.0.0.100", 40000, wire::kTcpSyn).bytes(),
      tcp_to("10.0.0.100", 40000, wire::kTcpAck).bytes(),  // a hit now
      tcp_to("10.0.0.100", 40001, wire::kTcpAck).bytes(),  // mid-flow, no entry
      tcp_to("10.0.0.100", 40000, wire::kTcpFin | wire::kTcpAck).bytes(),
      tcp_to("10.0.0.100", 40000, wire::kTcpSyn).bytes(),  // a new SYN on a closing flow
      tcp_to("10.0.0.100", 40002, wire::kTcpSyn, 81).bytes(),
      tcp_to("10.0.0.200", 40003, wire::kTcpSyn).bytes(),
      tcp_to("10.0.0.105", 40004, wire::kTcpSyn).bytes(),
      Packet().eth(kOur, kClient).ipv4("192.0.2.1", "10.0.0.101").udp(5353, 53).payload(12).bytes(),
      Packet()
          .eth(kOur, kClient)
          .ipv4("192.0.2.1", "10.0.0.101")
          .udp(5353, 53)
          .payload(1462)
          .bytes(),
      Packet().eth(kOur, kClient).ipv4("192.0.2.1", "10.0.0.100").icmp(8).payload(4).bytes(),
      Packet()
          .eth({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, kClient)
          .arp(wire::kArpOpRequest, kClient, "10.0.0.1", {}, "10.0.0.100")
          .bytes(),
      Packet()
          .eth({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, kClient)
          .arp(wire::kArpOpRequest, kClient, "10.0.0.1", {}, "10.0.0.99")
          .bytes(),
      tcp_to("10.0.0.100", 40005, wire::kTcpSyn).truncate(14 + 12).bytes(),
      std::vector<uint8_t>(10, 0x02),
  };
  for (size_t i = 0; i < frames.size(); ++i) {
    SCOPED_TRACE("frame " + std::to_string(i));
    channel::TraceResult t = trace(frames[i]);
    Done d = forward(frames[i]);
    switch (d.action) {
      case Action::kTransmit:
        EXPECT_TRUE(t.verdict == "forward" || t.verdict == "reply") << t.verdict;
        EXPECT_EQ(t.output, text(d.output));
        break;
      case Action::kDrop:
      case Action::kToHost:
        EXPECT_EQ(t.verdict, "drop");
        EXPECT_EQ(t.drop, d.drop);
        EXPECT_EQ(t.output, "");
        break;
      case Action::kHold:
      case Action::kHandOff:
        ADD_FAILURE() << "no fragment among these frames";
        break;
    }
    if (t.verdict == "forward") {
      EXPECT_EQ(t.backend, "10.0.0." + std::to_string(d.output[5])) << "the backend's MAC";
    }
  }
}

TEST_F(PacketTracerTest, ChangesNothingOfTheWorkers) {
  forward(tcp_to("10.0.0.100", 40000, wire::kTcpSyn).bytes());
  const uint64_t flows = worker_.flows().size();
  uint64_t events[kWorkerCounterCount], drops[kDropReasonCount];
  std::memcpy(events, counters_->events, sizeof events);
  std::memcpy(drops, counters_->drops, sizeof drops);
  now_ += 5000;
  const auto first = trace(tcp_to("10.0.0.100", 40000, wire::kTcpAck).bytes());
  const auto again = trace(tcp_to("10.0.0.100", 40000, wire::kTcpAck).bytes());
  EXPECT_EQ(first, again);
  EXPECT_EQ(first.entry_idle_ms, 5000u) << "the trace did not refresh the entry";
  trace(tcp_to("10.0.0.100", 41000, wire::kTcpSyn).bytes());
  EXPECT_EQ(worker_.flows().size(), flows);
  EXPECT_EQ(std::memcmp(events, counters_->events, sizeof events), 0);
  EXPECT_EQ(std::memcmp(drops, counters_->drops, sizeof drops), 0);
  EXPECT_EQ(worker_.flows().stats().inserts, 1u);
}

TEST_F(PacketTracerTest, ExplainsANewFlow) {
  const channel::TraceResult t = trace(tcp_to("10.0.0.100", 40000, wire::kTcpSyn).bytes());
  const FlowKey key{ip("192.0.2.1"), ip("10.0.0.100"), 40000, 80, wire::kProtoTcp, {}};
  EXPECT_EQ(t.port, "lan0");
  EXPECT_EQ(t.packet, "ipv4");
  EXPECT_EQ(t.flow, (channel::TraceFlow{6, ip("192.0.2.1"), 40000, ip("10.0.0.100"), 80}));
  EXPECT_EQ(t.tcp_flags, "S");
  EXPECT_EQ(t.hash, flow_hash(key));
  EXPECT_EQ(t.vip, "10.0.0.100");
  EXPECT_EQ(t.mode, "dsr-l2");
  EXPECT_EQ(t.worker, 0u);
  EXPECT_EQ(t.lcore, 7u);
  EXPECT_EQ(t.worker_by, "only-worker");
  EXPECT_EQ(t.flow_table, "miss");
  EXPECT_EQ(t.maglev_size, 65537u);
  EXPECT_EQ(t.maglev_slot, reduce(flow_hash(key), 65537));
  EXPECT_EQ(t.maglev_backend, t.backend);
  EXPECT_EQ(t.verdict, "forward");
  EXPECT_EQ(t.counters, (std::vector<std::string>{"forwarded", "flow_new"}));
  EXPECT_EQ(t.output_source_mac, kOurMac);
  EXPECT_EQ(t.output_destination_mac->bytes[5], uint8_t(t.backend.back() - '0'));
  EXPECT_FALSE(t.outer);
}

// A first fragment is decided as a whole packet of its 5-tuple; a later one waits for a
// first fragment the tracer has not seen, every time (nothing stays held in the tracer).
TEST_F(PacketTracerTest, AFirstFragmentIsItsTuplesPacketALaterOneIsHeld) {
  const channel::TraceResult first =
      trace(Packet()
                .eth(kOur, kClient)
                .ipv4("192.0.2.1", "10.0.0.100", {.id = 5, .frag = wire::kIpv4FlagMoreFragments})
                .tcp(40000, 80, wire::kTcpAck)
                .payload(16)
                .bytes());
  EXPECT_EQ(first.verdict, "forward");
  EXPECT_EQ(first.counters,
            (std::vector<std::string>{"forwarded", "flow_new", "fragments_forwarded"}));
  const std::vector<uint8_t> later = Packet()
                                         .eth(kOur, kClient)
                                         .ipv4("192.0.2.1", "10.0.0.100", {.id = 5, .frag = 3})
                                         .proto(wire::kProtoTcp)
                                         .payload(24)
                                         .bytes();
  for (int i = 0; i < 2; ++i) {
    const channel::TraceResult t = trace(later);
    EXPECT_EQ(t.verdict, "held");
    EXPECT_EQ(t.counters, (std::vector<std::string>{"fragments_held"}));
  }
}

TEST_F(PacketTracerTest, ExplainsAHitAndAnExpiredEntry) {
  forward(tcp_to("10.0.0.100", 40000, wire::kTcpSyn).bytes());
  now_ += 2000;
  channel::TraceResult t = trace(tcp_to("10.0.0.100", 40000, wire::kTcpAck).bytes());
  EXPECT_EQ(t.flow_table, "hit");
  EXPECT_EQ(t.entry_state, "syn");
  EXPECT_EQ(t.entry_idle_ms, 2000u);
  EXPECT_EQ(t.entry_backend, t.backend);
  EXPECT_EQ(t.counters, (std::vector<std::string>{"forwarded", "flow_hits"}));

  now_ += FlowTimeouts{}.tcp_syn_ms;  // past the SYN-only timeout
  t = trace(tcp_to("10.0.0.100", 40000, wire::kTcpAck).bytes());
  EXPECT_EQ(t.flow_table, "expired");
  EXPECT_EQ(t.counters, (std::vector<std::string>{"forwarded", "flow_new"}));
}

TEST_F(PacketTracerTest, ExplainsDropsWithTheCountersNames) {
  channel::TraceResult t = trace(tcp_to("10.0.0.200", 40000, wire::kTcpSyn).bytes());
  EXPECT_EQ(t.vip, "");
  EXPECT_EQ(t.flow_table, "");
  EXPECT_EQ(t.verdict, "drop");
  EXPECT_EQ(t.drop, "not_for_us");
  EXPECT_EQ(t.drop_description, "IP packet for neither a VIP nor a local address");
  EXPECT_EQ(t.counters, std::vector<std::string>{"drop_not_for_us"});

  t = trace(tcp_to("10.0.0.105", 40000, wire::kTcpSyn).bytes());
  EXPECT_EQ(t.drop, "neighbor_unresolved");
  EXPECT_EQ(t.backend, "10.0.0.61") << "where it would go, were the MAC known";

  t = trace(std::vector<uint8_t>(10, 0x02));
  EXPECT_EQ(t.packet, "malformed");
  EXPECT_EQ(t.drop, "l2_truncated");

  t = trace(tcp_to("10.0.0.100", 40000, wire::kTcpSyn).payload(1500).bytes());
  EXPECT_EQ(t.drop, "over_mtu");
  EXPECT_EQ(t.counters, std::vector<std::string>{"drop_over_mtu"});
}

TEST_F(PacketTracerTest, HostTrafficGoesToTheExceptionPathIfThePortHasOne) {
  const auto arp = Packet()
                       .eth({0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, kClient)
                       .arp(wire::kArpOpRequest, kClient, "10.0.0.1", {}, "10.0.0.99")
                       .bytes();
  EXPECT_EQ(trace(arp).drop, "host_unhandled");
  // The request teaches the sender's binding too, as a worker would pass it on.
  EXPECT_EQ(trace(arp).counters,
            (std::vector<std::string>{"neighbors_learned", "to_host", "drop_host_unhandled"}));
  port_.exception_path = true;
  EXPECT_EQ(trace(arp).verdict, "to-host");
  EXPECT_EQ(trace(arp).counters, (std::vector<std::string>{"neighbors_learned", "to_host"}));
}

TEST_F(PacketTracerTest, RepliesAreRepliesAndEncapsulationShowsItsOuterHeader) {
  channel::TraceResult t =
      trace(Packet().eth(kOur, kClient).ipv4("192.0.2.1", "10.0.0.100").icmp(8).payload(4).bytes());
  EXPECT_EQ(t.verdict, "reply");
  EXPECT_EQ(t.counters, std::vector<std::string>{"echo_replies"});
  EXPECT_EQ(t.output_destination_mac, (MacAddress{kClient}));

  t = trace(Packet().eth(kOur, kClient).ipv4("192.0.2.1", "10.0.0.101").udp(5353, 53).bytes());
  EXPECT_EQ(t.verdict, "forward");
  EXPECT_EQ(t.mode, "ipip");
  ASSERT_TRUE(t.outer);
  EXPECT_EQ(*t.outer,
            (channel::TraceFlow{4, ip("172.16.0.1"), 0, IpAddress(t.outer->destination), 0}));
  EXPECT_EQ(t.outer->destination.to_string(), t.backend);
}

TEST_F(PacketTracerTest, TheOwnerOfAFlowOnAHandoffPortIsNamedByItsHash) {
  port_.flow_workers = {1, 2, 3};
  port_.queue_workers = {0};
  const std::string frame = text(tcp_to("10.0.0.100", 40000, wire::kTcpSyn).bytes());
  TracePlan plan = PacketTracer::plan(frame, port_, *state_);
  const FlowKey key{ip("192.0.2.1"), ip("10.0.0.100"), 40000, 80, wire::kProtoTcp, {}};
  ASSERT_TRUE(plan.ask);
  EXPECT_EQ(plan.owner, port_.flow_workers[flow_owner(flow_hash(key), 3)]);
  EXPECT_EQ(plan.owner_by, "handoff");
  EXPECT_EQ(plan.workers, std::vector<uint32_t>{*plan.owner});

  port_.flow_workers.clear();
  port_.queue_workers = {0, 1};  // RSS: the device decides, so every worker is asked
  plan = PacketTracer::plan(frame, port_, *state_);
  EXPECT_FALSE(plan.owner);
  EXPECT_EQ(plan.workers, (std::vector<uint32_t>{0, 1}));

  EXPECT_FALSE(
      PacketTracer::plan(text(tcp_to("10.0.0.200", 1, wire::kTcpSyn).bytes()), port_, *state_).ask)
      << "no VIP, no flow table";
}

TEST(ProbeFrame, IsTheFirstPacketOfTheFlowWithRightChecksums) {
  std::string error;
  const channel::TraceFlow v4{6, ip("192.0.2.1"), 40000, ip("10.0.0.100"), 80};
  auto frame = probe_frame(v4, wire::kTcpSyn, kOurMac, error);
  ASSERT_TRUE(frame) << error;
  const std::vector<uint8_t> expected =
      Packet()
          .eth(kOur, kClient)
          .ipv4("192.0.2.1", "10.0.0.100")
          .tcp(40000, 80, wire::kTcpSyn, {.seq = 1, .ack = 0, .window = 65535})
          .bytes();
  EXPECT_EQ(*frame, text(expected));

  const channel::TraceFlow v6{17, ip("2001:db8:ff::1"), 5353, ip("2001:db8::101"), 53};
  frame = probe_frame(v6, 0, kOurMac, error);
  ASSERT_TRUE(frame) << error;
  EXPECT_EQ(*frame, text(Packet()
                             .eth(kOur, kClient)
                             .ipv6("2001:db8:ff::1", "2001:db8::101")
                             .udp(5353, 53)
                             .bytes()));

  EXPECT_FALSE(probe_frame({6, ip("192.0.2.1"), 1, ip("2001:db8::1"), 80}, 0, kOurMac, error));
  EXPECT_EQ(error, "the client and the VIP addresses are of different families");
}

}  // namespace
}  // namespace sluice
