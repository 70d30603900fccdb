// SPDX-License-Identifier: BSD-3-Clause
// ARP and ND frames through the pipeline: what is learned, what is answered, what is
// consumed and what goes on to the host.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <memory>

#include "packet/checksum.h"
#include "packet/neighbor_packets.h"
#include "net/wire.h"
#include "pipeline/pipeline.h"
#include "state/state_builder.h"

namespace sluice {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

const MacAddress kOurMac{{0x02, 0, 0, 0, 0, 0x10}};
const MacAddress kBackendMac{{0x02, 0, 0, 0, 0, 0x21}};

struct Frame {
  std::array<uint8_t, 256> storage{};
  PacketBuffer buffer;
  explicit Frame(uint32_t length) {
    buffer = PacketBuffer{storage.data() + 64, length, 64, uint32_t(storage.size() - 64 - length)};
  }
  uint8_t* data() { return buffer.data; }
};

// An ARP frame (op 1 request, 2 reply) from the backend 10.0.0.21.
Frame arp(uint16_t op, const char* target_ip) {
  Frame f(60);
  uint8_t* p = f.data();
  std::memset(p, 0xff, 6);
  std::memcpy(p + 6, kBackendMac.bytes.data(), 6);
  wire::store_be16(p + 12, wire::kEtherTypeArp);
  uint8_t* a = p + 14;
  wire::store_be16(a + arp::kHardwareTypeOffset, arp::kHardwareEthernet);
  wire::store_be16(a + arp::kProtocolTypeOffset, wire::kEtherTypeIpv4);
  a[arp::kHardwareLengthOffset] = 6;
  a[arp::kProtocolLengthOffset] = 4;
  wire::store_be16(a + arp::kOpOffset, op);
  std::memcpy(a + arp::kSenderMacOffset, kBackendMac.bytes.data(), 6);
  std::memcpy(a + arp::kSenderIpOffset, ip("10.0.0.21").v4_wire(), 4);
  if (op == 2) std::memcpy(a + arp::kTargetMacOffset, kOurMac.bytes.data(), 6);
  std::memcpy(a + arp::kTargetIpOffset, ip(target_ip).v4_wire(), 4);
  return f;
}

// The backend 2001:db8::21 advertising itself: the unsolicited form to ff02::1, or
// (to != nullptr) a solicited answer sent to `to`.
Frame advert(const char* to) {
  Frame f(0);
  const uint32_t n = build_unsolicited_na(f.data(), 160, kBackendMac, ip("2001:db8::21"));
  f.buffer.length = n;
  if (to) {
    uint8_t* ip6 = f.data() + 14;
    uint8_t* icmp = ip6 + 40;
    std::memcpy(f.data(), kOurMac.bytes.data(), 6);
    std::memcpy(ip6 + 24, ip(to).v6_wire(), 16);
    wire::store_be32(icmp + 4, nd::kFlagSolicited | nd::kFlagOverride);
    wire::store_be16(icmp + 2, 0);
    wire::store_be16(icmp + 2, checksum::transport_v6(ip6, icmp, n - 54, wire::kProtoIcmpv6));
  }
  return f;
}

class PipelineNeighborTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config::Config c;
    config::Port port;
    port.name = "lan0";
    port.device = "net_null0";
    port.addresses = {*IpPrefix::parse("10.0.0.10/24"), *IpPrefix::parse("2001:db8::10/64")};
    c.ports.push_back(port);
    std::vector<std::string> errors;
    state_ = builder_.build(c, {kOurMac}, neighbors_, 1, 1000, errors);
    ASSERT_TRUE(errors.empty());
  }
  Action run(Frame& f) {
    pipeline_.process_burst(&f.buffer, 1, 0, *state_, 1000, result_);
    return result_.actions[0];
  }
  uint64_t counter(WorkerCounter c) const { return (*counters_)[c]; }

  std::unique_ptr<WorkerCounters> counters_ = std::make_unique<WorkerCounters>();
  Pipeline pipeline_{1024, FlowTimeouts{}, *counters_};
  StateBuilder builder_{900'000};
  NeighborCache neighbors_;
  std::unique_ptr<ForwardingState> state_;
  BurstResult result_;
};

TEST_F(PipelineNeighborTest, ArpReplyToUsIsLearnedAndConsumed) {
  Frame f = arp(2, "10.0.0.10");
  EXPECT_EQ(run(f), Action::kDrop);
  ASSERT_EQ(result_.learned_count, 1u);
  EXPECT_EQ(result_.learned[0].ip, ip("10.0.0.21"));
  EXPECT_EQ(result_.learned[0].mac, kBackendMac);
  EXPECT_EQ(counter(WorkerCounter::neighbors_learned), 1u);
  EXPECT_EQ(counter(WorkerCounter::to_host), 0u);
}

TEST_F(PipelineNeighborTest, ArpReplyToAnotherAddressIsLearnedAndGoesToTheHost) {
  Frame f = arp(2, "10.0.0.11");
  EXPECT_EQ(run(f), Action::kToHost);
  EXPECT_EQ(result_.learned_count, 1u);
  EXPECT_EQ(counter(WorkerCounter::to_host), 1u);
}

TEST_F(PipelineNeighborTest, ArpRequestForUsIsAnswered) {
  Frame f = arp(1, "10.0.0.10");
  EXPECT_EQ(run(f), Action::kTransmit);
  EXPECT_EQ(wire::load_be16(f.data() + 14 + arp::kOpOffset), 2);
  EXPECT_EQ(counter(WorkerCounter::arp_replies), 1u);
  EXPECT_EQ(counter(WorkerCounter::to_host), 0u);
}

TEST_F(PipelineNeighborTest, SolicitedAdvertisementToUsIsLearnedAndConsumed) {
  Frame f = advert("2001:db8::10");
  EXPECT_EQ(run(f), Action::kDrop);
  ASSERT_EQ(result_.learned_count, 1u);
  EXPECT_EQ(result_.learned[0].ip, ip("2001:db8::21"));
  EXPECT_EQ(result_.learned[0].mac, kBackendMac);
  EXPECT_EQ(counter(WorkerCounter::to_host), 0u);
}

TEST_F(PipelineNeighborTest, UnsolicitedAdvertisementIsLearnedAndGoesToTheHost) {
  Frame f = advert(nullptr);
  EXPECT_EQ(run(f), Action::kToHost);
  EXPECT_EQ(result_.learned_count, 1u);
  EXPECT_EQ(counter(WorkerCounter::to_host), 1u);
}

TEST_F(PipelineNeighborTest, AdvertisementToAnotherAddressGoesToTheHost) {
  Frame f = advert("2001:db8::11");
  EXPECT_EQ(run(f), Action::kToHost);
  EXPECT_EQ(result_.learned_count, 1u);
}

}  // namespace
}  // namespace sluice
