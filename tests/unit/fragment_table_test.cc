// SPDX-License-Identifier: BSD-3-Clause
#include "flow/fragment_table.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "frame_buffer.h"
#include "packet_builder.h"

namespace sluice {
namespace {

using testing_support::describe;
using testing_support::Packet;
using namespace wire;

FragmentKey key(uint32_t id, const char* src = "192.0.2.1") {
  FragmentKey k;
  k.src = *IpAddress::parse(src);
  k.dst = *IpAddress::parse("10.0.0.100");
  k.id = id;
  k.protocol = kProtoUdp;
  return k;
}

// A held fragment told apart by its length.
HeldFragment fragment(uint32_t tag, uint16_t port = 0) {
  return HeldFragment{PacketBuffer{nullptr, tag, 0, 0, nullptr}, port};
}

FragmentSettings settings(uint32_t table_size, uint32_t hold, uint32_t per_datagram) {
  FragmentSettings s;
  s.table_size = table_size;
  s.hold = hold;
  s.hold_per_datagram = per_datagram;
  s.timeout_ms = 1000;
  s.hold_ms = 100;
  return s;
}

struct Collected {
  std::vector<uint32_t> released, dropped;
  auto release() {
    return [this](const HeldFragment& f) { released.push_back(f.frame.length); };
  }
  auto drop() {
    return [this](const HeldFragment& f) { dropped.push_back(f.frame.length); };
  }
};

uint32_t h(const FragmentKey& k) { return fragment_hash(k); }

TEST(FragmentKey, FromTheIpHeaderOfEitherFamily) {
  const std::vector<uint8_t> v4 =
      Packet()
          .eth()
          .ipv4("192.0.2.1", "10.0.0.100", {.id = 0x1234, .frag = kIpv4FlagMoreFragments})
          .udp(1, 53)
          .bytes();
  const FragmentKey k4 = fragment_key(v4.data(), describe(v4));
  EXPECT_EQ(k4, key(0x1234));
  const std::vector<uint8_t> v6 = Packet()
                                      .eth()
                                      .vlan(7)
                                      .ipv6("2001:db8::1", "2001:db8::100")
                                      .frag6(2, true, 0xdeadbeef)
                                      .proto(kProtoTcp)
                                      .payload(16)
                                      .bytes();
  const FragmentKey k6 = fragment_key(v6.data(), describe(v6));
  EXPECT_EQ(k6.src, *IpAddress::parse("2001:db8::1"));
  EXPECT_EQ(k6.dst, *IpAddress::parse("2001:db8::100"));
  EXPECT_EQ(k6.id, 0xdeadbeefu);
  EXPECT_EQ(k6.protocol, kProtoTcp);
}

TEST(FragmentKey, AnIcmpErrorsKeyIsItsOwnNotTheQuotedFlows) {
  const std::vector<uint8_t> error =
      Packet()
          .eth()
          .ipv4("198.51.100.1", "10.0.0.100", {.id = 9, .frag = kIpv4FlagMoreFragments})
          .icmp(kIcmpDestUnreachable, kIcmpCodeFragNeeded)
          .quote(Packet().ipv4("10.0.0.100", "192.0.2.1").tcp(80, 40000, kTcpAck), 28)
          .bytes();
  const ParsedPacket p = describe(error);
  ASSERT_TRUE(p.icmp_error);
  const FragmentKey k = fragment_key(error.data(), p);
  EXPECT_EQ(k.src, *IpAddress::parse("198.51.100.1"));
  EXPECT_EQ(k.protocol, kProtoIcmp);
  EXPECT_EQ(p.key.src, *IpAddress::parse("192.0.2.1")) << "the flow it routes by";
}

TEST(FragmentKey, EveryFieldCountsAndTheHashIsNotTheFlowHash) {
  const FragmentKey base = key(7);
  FragmentKey other_id = base, other_proto = base, other_src = key(7, "192.0.2.2");
  other_id.id = 8;
  other_proto.protocol = kProtoTcp;
  for (const FragmentKey& k : {other_id, other_proto, other_src}) {
    EXPECT_FALSE(k == base);
    EXPECT_NE(fragment_hash(k), fragment_hash(base));
  }
  // The same 40 bytes as a flow key: the seeds differ.
  EXPECT_NE(fragment_hash(base), mix32(crc32c(0x5109ce11u, &base, sizeof base)));
}

TEST(FragmentTable, ADecisionIsFoundUntilItsTimeoutSinceTheLastFragment) {
  FragmentTable t(settings(64, 16, 4));
  Collected c;
  EXPECT_EQ(t.find(key(1), h(key(1)), 0), nullptr);
  t.decide(key(1), h(key(1)), {7, 0xabcd}, 0, c.release(), c.drop());
  const FragmentDecision* d = t.find(key(1), h(key(1)), 900);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->backend_id, 7u);
  EXPECT_EQ(d->flow_hash, 0xabcdu);
  EXPECT_NE(t.find(key(1), h(key(1)), 1900), nullptr) << "refreshed at 900";
  EXPECT_EQ(t.find(key(2), h(key(2)), 1900), nullptr);
  EXPECT_EQ(t.find(key(1), h(key(1)), 2901), nullptr);
  EXPECT_EQ(t.datagrams(), 0u) << "the expired decision is gone";
  EXPECT_TRUE(c.released.empty() && c.dropped.empty());
}

TEST(FragmentTable, ANewFirstFragmentDecidesAnew) {
  FragmentTable t(settings(64, 16, 4));
  Collected c;
  t.decide(key(1), h(key(1)), {7, 1}, 0, c.release(), c.drop());
  t.decide(key(1), h(key(1)), {8, 2}, 10, c.release(), c.drop());
  EXPECT_EQ(t.find(key(1), h(key(1)), 20)->backend_id, 8u);
  EXPECT_EQ(t.datagrams(), 1u);
}

TEST(FragmentTable, HeldFragmentsAreReleasedInArrivalOrderByTheirDecision) {
  FragmentTable t(settings(64, 16, 4));
  Collected c;
  EXPECT_EQ(t.hold(key(1), h(key(1)), fragment(30), 0), FragmentTable::Hold::kHeld);
  EXPECT_EQ(t.hold(key(2), h(key(2)), fragment(99), 1), FragmentTable::Hold::kHeld);
  EXPECT_EQ(t.hold(key(1), h(key(1)), fragment(10), 2), FragmentTable::Hold::kHeld);
  EXPECT_EQ(t.hold(key(1), h(key(1)), fragment(20), 3), FragmentTable::Hold::kHeld);
  EXPECT_EQ(t.held(), 4u);
  EXPECT_EQ(t.find(key(1), h(key(1)), 4), nullptr) << "waiting is not decided";
  t.decide(key(1), h(key(1)), {7, 1}, 5, c.release(), c.drop());
  EXPECT_EQ(c.released, (std::vector<uint32_t>{30, 10, 20}));
  EXPECT_TRUE(c.dropped.empty());
  EXPECT_EQ(t.held(), 1u);
  EXPECT_EQ(t.datagrams(), 2u);
  ASSERT_NE(t.find(key(1), h(key(1)), 6), nullptr);
}

TEST(FragmentTable, HoldingIsBoundedPerDatagramAndPerWorker) {
  FragmentTable t(settings(64, 5, 3));
  for (uint32_t i = 0; i < 3; ++i)
    EXPECT_EQ(t.hold(key(1), h(key(1)), fragment(i), 0), FragmentTable::Hold::kHeld);
  EXPECT_EQ(t.hold(key(1), h(key(1)), fragment(3), 0), FragmentTable::Hold::kDatagramFull);
  EXPECT_EQ(t.hold(key(2), h(key(2)), fragment(4), 0), FragmentTable::Hold::kHeld);
  EXPECT_EQ(t.hold(key(3), h(key(3)), fragment(5), 0), FragmentTable::Hold::kHeld);
  EXPECT_EQ(t.hold(key(4), h(key(4)), fragment(6), 0), FragmentTable::Hold::kWorkerFull);
  EXPECT_EQ(t.held(), 5u);
  EXPECT_EQ(t.hold_capacity(), 5u);

  FragmentTable none(settings(64, 0, 3));
  EXPECT_EQ(none.hold(key(1), h(key(1)), fragment(1), 0), FragmentTable::Hold::kWorkerFull);
  FragmentTable huge(settings(64, 100000, 3));
  EXPECT_EQ(huge.hold_capacity(), kMaxHeldFragments);
}

TEST(FragmentTable, HeldFragmentsExpireOldestFirstAndTheirDatagramWithTheLast) {
  FragmentTable t(settings(64, 16, 4));
  t.hold(key(1), h(key(1)), fragment(1), 0);
  t.hold(key(2), h(key(2)), fragment(2), 50);
  t.hold(key(1), h(key(1)), fragment(3), 60);
  std::vector<uint32_t> expired;
  auto collect = [&](const HeldFragment& f) { expired.push_back(f.frame.length); };
  EXPECT_EQ(t.expire(100, collect), 0u) << "not older than hold_ms yet";
  EXPECT_EQ(t.expire(101, collect), 1u);
  EXPECT_EQ(t.expire(160, collect), 1u);
  EXPECT_EQ(expired, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(t.datagrams(), 1u) << "datagram 1 still holds fragment 3";
  Collected c;
  t.decide(key(1), h(key(1)), {7, 1}, 161, c.release(), c.drop());
  EXPECT_EQ(c.released, (std::vector<uint32_t>{3}));
  t.hold(key(4), h(key(4)), fragment(4), 200);
  EXPECT_EQ(t.expire(301, collect), 1u);
  EXPECT_EQ(t.held(), 0u);
  EXPECT_EQ(t.datagrams(), 1u) << "only the decision of datagram 1";
}

TEST(FragmentTable, TimesWrapAround) {
  FragmentTable t(settings(64, 16, 4));
  Collected c;
  const uint32_t start = UINT32_MAX - 50;
  t.hold(key(1), h(key(1)), fragment(1), start);
  std::vector<uint32_t> expired;
  auto collect = [&](const HeldFragment& f) { expired.push_back(f.frame.length); };
  EXPECT_EQ(t.expire(start + 100, collect), 0u);
  EXPECT_EQ(t.expire(start + 101, collect), 1u);
  t.decide(key(2), h(key(2)), {7, 1}, start, c.release(), c.drop());
  EXPECT_NE(t.find(key(2), h(key(2)), start + 1000), nullptr);
}

// One bucket of 8 ways: what gives way when it is full.
TEST(FragmentTable, AFullBucketEvictsTheStalestDecisionAndKeepsWaitingDatagrams) {
  FragmentTable t(settings(8, 64, 4));
  ASSERT_EQ(t.capacity(), 8u);
  Collected c;
  for (uint32_t i = 0; i < 8; ++i) t.decide(key(i), h(key(i)), {i, i}, i, c.release(), c.drop());
  t.find(key(0), h(key(0)), 20);  // datagram 1 is now the stalest
  EXPECT_EQ(t.hold(key(100), h(key(100)), fragment(100), 21), FragmentTable::Hold::kHeld);
  EXPECT_EQ(t.find(key(1), h(key(1)), 22), nullptr);
  EXPECT_NE(t.find(key(0), h(key(0)), 22), nullptr);
  EXPECT_EQ(t.stats().decisions_evicted, 1u);

  // Fill every way with waiting datagrams: a new one finds no room, a new decision drops
  // the stalest waiting one.
  FragmentTable w(settings(8, 64, 4));
  for (uint32_t i = 0; i < 8; ++i) {
    EXPECT_EQ(w.hold(key(i), h(key(i)), fragment(i), 10 + 2 * i), FragmentTable::Hold::kHeld);
    w.hold(key(i), h(key(i)), fragment(100 + i), 11 + 2 * i);
  }
  EXPECT_EQ(w.hold(key(8), h(key(8)), fragment(8), 30), FragmentTable::Hold::kBucketFull);
  w.decide(key(9), h(key(9)), {9, 9}, 31, c.release(), c.drop());
  EXPECT_EQ(c.dropped, (std::vector<uint32_t>{0, 100}));
  EXPECT_EQ(w.stats().waiting_dropped, 1u);
  EXPECT_EQ(w.held(), 14u);
  EXPECT_NE(w.find(key(9), h(key(9)), 32), nullptr);
  // The age list survived the drop: the rest expire in order.
  std::vector<uint32_t> expired;
  w.expire(200, [&](const HeldFragment& f) { expired.push_back(f.frame.length); });
  EXPECT_EQ(expired,
            (std::vector<uint32_t>{1, 101, 2, 102, 3, 103, 4, 104, 5, 105, 6, 106, 7, 107}));
  EXPECT_EQ(w.datagrams(), 1u);
}

TEST(FragmentTable, ClearGivesBackEveryHeldFragment) {
  FragmentTable t(settings(64, 16, 4));
  Collected c;
  t.hold(key(1), h(key(1)), fragment(1, 3), 0);
  t.hold(key(2), h(key(2)), fragment(2), 0);
  t.decide(key(3), h(key(3)), {1, 1}, 0, c.release(), c.drop());
  std::vector<uint16_t> ports;
  t.clear([&](const HeldFragment& f) { ports.push_back(f.port_index); });
  EXPECT_EQ(ports, (std::vector<uint16_t>{3, 0}));
  EXPECT_EQ(t.held(), 0u);
  EXPECT_EQ(t.datagrams(), 0u);
  EXPECT_EQ(t.find(key(3), h(key(3)), 1), nullptr);
  for (uint32_t i = 0; i < 16; ++i)
    EXPECT_EQ(t.hold(key(10 + i), h(key(10 + i)), fragment(i), 1), FragmentTable::Hold::kHeld);
}

}  // namespace
}  // namespace sluice
