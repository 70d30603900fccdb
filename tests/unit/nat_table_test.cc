// SPDX-License-Identifier: BSD-3-Clause
#include "nat/nat_table.h"

#include <gtest/gtest.h>

#include <vector>

#include "flow/hash.h"
#include "net/wire.h"

namespace sluice {
namespace {

constexpr uint8_t kSyn = wire::kTcpSyn;
constexpr uint8_t kAck = wire::kTcpAck;
constexpr uint8_t kFin = wire::kTcpFin;

FlowTimeouts timeouts() {
  FlowTimeouts t;
  t.tcp_syn_ms = 1000;
  t.tcp_established_ms = 50'000;
  t.tcp_closing_ms = 2000;
  t.udp_ms = 3000;
  return t;
}

FlowKey key(const char* src, uint16_t sport, const char* dst, uint16_t dport,
            uint8_t protocol = wire::kProtoTcp) {
  FlowKey k;
  k.src = *IpAddress::parse(src);
  k.dst = *IpAddress::parse(dst);
  k.src_port = sport;
  k.dst_port = dport;
  k.protocol = protocol;
  return k;
}

// client 198.51.100.7:40000 -> VIP 10.0.0.100:80, backend 10.0.1.21, local 10.0.0.50:port.
FlowKey client(uint16_t sport = 40000) { return key("198.51.100.7", sport, "10.0.0.100", 80); }
FlowKey answer(uint16_t lport) { return key("10.0.1.21", 80, "10.0.0.50", lport); }

const MacAddress kRouter = *MacAddress::parse("02:00:00:00:00:01");

NatConnection* insert(NatTable& t, const FlowKey& f, const FlowKey& r, uint32_t now,
                      FlowState s = FlowState::kTcpSynOnly, uint8_t local = 0) {
  return t.insert(f, flow_hash(f), r, flow_hash(r), 7, s, kRouter, local, now);
}

TEST(NatTable, BothKeysFindTheSameConnection) {
  LocalPorts ports(1, 1024, 1100, 1, 0);
  NatTable t(16, timeouts(), &ports);
  NatConnection* c = insert(t, client(), answer(1024), 0);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(t.find_forward(client(), flow_hash(client()), 10, kSyn), c);
  EXPECT_EQ(t.find_reply(answer(1024), flow_hash(answer(1024)), 20, kSyn | kAck), c);
  EXPECT_EQ(c->backend_id, 7u);
  EXPECT_EQ(c->client_mac, kRouter);
  EXPECT_EQ(c->forward, client());
  EXPECT_EQ(c->reply, answer(1024));
  EXPECT_EQ(t.find_forward(client(40001), flow_hash(client(40001)), 20, 0), nullptr);
  EXPECT_EQ(t.find_reply(answer(1025), flow_hash(answer(1025)), 20, 0), nullptr);
  EXPECT_EQ(t.size(), 1u);
}

// Either direction's flags advance the state, whose timeout then applies.
TEST(NatTable, TcpStateFromBothDirectionsWithItsTimeout) {
  NatTable t(16, timeouts(), nullptr);
  NatConnection* c = insert(t, client(), answer(2000), 0, FlowState::kTcpSynOnly, kNoLocalAddress);
  ASSERT_NE(c, nullptr);
  t.find_reply(answer(2000), flow_hash(answer(2000)), 500, kSyn | kAck);
  EXPECT_EQ(c->state, FlowState::kTcpSynOnly);  // an ACK from the backend alone: still opening
  t.find_forward(client(), flow_hash(client()), 900, kAck);
  EXPECT_EQ(c->state, FlowState::kTcpEstablished);
  // Established: 50 s.
  EXPECT_NE(t.find_forward(client(), flow_hash(client()), 40'000, kAck), nullptr);
  t.find_reply(answer(2000), flow_hash(answer(2000)), 41'000, kFin | kAck);
  EXPECT_EQ(c->state, FlowState::kTcpClosing);
  // Closing: 2 s.
  EXPECT_EQ(t.find_forward(client(), flow_hash(client()), 43'001, kAck), nullptr);
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.stats().expirations, 1u);
}

TEST(NatTable, AnExpiredConnectionGivesItsLocalPortBack) {
  LocalPorts ports(1, 5000, 5000, 1, 0);
  NatTable t(4, timeouts(), &ports);
  const uint16_t port = *ports.take(0);
  ASSERT_NE(insert(t, client(), answer(port), 0, FlowState::kUdp), nullptr);
  EXPECT_EQ(ports.free_ports(0), 0u);
  EXPECT_EQ(t.sweep(3000, 4), 0u);  // 3 s idle: not yet
  EXPECT_EQ(t.sweep(3001, 4), 1u);
  EXPECT_EQ(ports.free_ports(0), 1u);
  EXPECT_EQ(t.find_reply(answer(port), flow_hash(answer(port)), 3001, 0), nullptr);
}

TEST(NatTable, EraseGivesThePortBackAndFreesTheEntry) {
  LocalPorts ports(1, 5000, 5001, 1, 0);
  NatTable t(1, timeouts(), &ports);
  const uint16_t port = *ports.take(0);
  NatConnection* c = insert(t, client(), answer(port), 0);
  ASSERT_NE(c, nullptr);
  t.erase(*c);
  EXPECT_EQ(ports.free_ports(0), 2u);
  EXPECT_EQ(t.size(), 0u);
  EXPECT_NE(insert(t, client(1), answer(5001), 0), nullptr);
}

// A full table refuses the new connection and leaves every live one as it was; an
// expired one is reused.
TEST(NatTable, AFullTableRefusesNewConnectionsOnly) {
  NatTable t(2, timeouts(), nullptr);
  ASSERT_NE(insert(t, client(1), answer(1), 0, FlowState::kTcpEstablished, kNoLocalAddress),
            nullptr);
  ASSERT_NE(insert(t, client(2), answer(2), 0, FlowState::kTcpSynOnly, kNoLocalAddress), nullptr);
  EXPECT_EQ(insert(t, client(3), answer(3), 500, FlowState::kTcpSynOnly, kNoLocalAddress), nullptr);
  EXPECT_EQ(t.stats().full, 1u);
  EXPECT_NE(t.find_forward(client(1), flow_hash(client(1)), 600, kAck), nullptr);
  EXPECT_NE(t.find_forward(client(2), flow_hash(client(2)), 600, kAck), nullptr);
  // client(2) now established too; at 60 s both have expired and the third gets a place.
  EXPECT_NE(insert(t, client(3), answer(3), 60'000, FlowState::kTcpSynOnly, kNoLocalAddress),
            nullptr);
  EXPECT_EQ(t.size(), 1u);
}

TEST(NatTable, AReplyKeyTakenByALiveConnectionIsRefused) {
  NatTable t(4, timeouts(), nullptr);
  NatConnection* first = insert(t, client(1), answer(9), 0, FlowState::kUdp, kNoLocalAddress);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(insert(t, client(2), answer(9), 100, FlowState::kUdp, kNoLocalAddress), nullptr);
  EXPECT_EQ(t.stats().conflicts, 1u);
  EXPECT_EQ(first->last_seen_ms, 0u);  // the refused insert did not refresh it
  EXPECT_EQ(t.find_reply(answer(9), flow_hash(answer(9)), 200, 0), first);
}

TEST(NatTable, ManyConnectionsInFewBucketsUnlinkCleanly) {
  NatTable t(64, timeouts(), nullptr);
  for (uint16_t i = 0; i < 64; ++i)
    ASSERT_NE(insert(t, client(i), answer(i), 0, FlowState::kUdp, kNoLocalAddress), nullptr) << i;
  for (uint16_t i = 0; i < 64; i += 2)
    t.erase(*t.find_forward(client(i), flow_hash(client(i)), 1, 0));
  for (uint16_t i = 0; i < 64; ++i) {
    const bool kept = i % 2 == 1;
    EXPECT_EQ(t.find_forward(client(i), flow_hash(client(i)), 2, 0) != nullptr, kept) << i;
    EXPECT_EQ(t.find_reply(answer(i), flow_hash(answer(i)), 2, 0) != nullptr, kept) << i;
  }
  EXPECT_EQ(t.size(), 32u);
  int visited = 0;
  t.visit(0, 64, 2, [&](const NatConnection& c, uint32_t idle) {
    EXPECT_EQ(c.forward.src_port % 2, 1);
    EXPECT_EQ(idle, 0u);
    ++visited;
  });
  EXPECT_EQ(visited, 32);
}

// Keys whose home index bucket is full go on to the next buckets; lookups, misses and
// removals find their way past them.
TEST(NatTable, KeysOfOneFullIndexBucketOverflowIntoTheNextOnes) {
  NatTable t(64, timeouts(), nullptr);
  const uint32_t buckets = t.index_buckets();
  ASSERT_EQ(buckets, 32u);
  // 24 connections whose client keys and answer keys all have home bucket 3: 48 keys for
  // 7 ways a bucket.
  std::vector<FlowKey> clients, answers;
  for (uint16_t port = 1; clients.size() < 24; ++port)
    if ((flow_hash(client(port)) & (buckets - 1)) == 3) clients.push_back(client(port));
  for (uint16_t port = 1; answers.size() < 24; ++port)
    if ((flow_hash(answer(port)) & (buckets - 1)) == 3) answers.push_back(answer(port));
  for (size_t i = 0; i < 24; ++i)
    ASSERT_NE(insert(t, clients[i], answers[i], 0, FlowState::kUdp, kNoLocalAddress), nullptr) << i;

  // A key of the same home that is not there is a miss, whatever its bucket count says.
  FlowKey stranger;
  for (uint16_t port = 60000;; ++port)
    if ((flow_hash(client(port)) & (buckets - 1)) == 3) {
      stranger = client(port);
      break;
    }
  EXPECT_EQ(t.find_forward(stranger, flow_hash(stranger), 1, 0), nullptr);

  // Remove every other connection, then every key still finds its own.
  for (size_t i = 0; i < 24; i += 2)
    t.erase(*t.find_reply(answers[i], flow_hash(answers[i]), 1, 0));
  for (size_t i = 0; i < 24; ++i) {
    NatConnection* by_client = t.find_forward(clients[i], flow_hash(clients[i]), 2, 0);
    NatConnection* by_answer = t.find_reply(answers[i], flow_hash(answers[i]), 2, 0);
    if (i % 2 == 0) {
      EXPECT_EQ(by_client, nullptr) << i;
      EXPECT_EQ(by_answer, nullptr) << i;
    } else {
      ASSERT_NE(by_client, nullptr) << i;
      EXPECT_EQ(by_client, by_answer) << i;
      EXPECT_EQ(by_client->forward, clients[i]);
    }
  }
  // A client key is not an answer key: the same key looked up the other way misses.
  EXPECT_EQ(t.find_reply(clients[1], flow_hash(clients[1]), 2, 0), nullptr);
  for (size_t i = 1; i < 24; i += 2)
    t.erase(*t.find_forward(clients[i], flow_hash(clients[i]), 3, 0));
  EXPECT_EQ(t.size(), 0u);
  // Every entry and every way is free again: the whole capacity fits.
  for (uint16_t i = 0; i < 64; ++i)
    ASSERT_NE(insert(t, client(i + 1000), answer(i + 1000), 4, FlowState::kUdp, kNoLocalAddress),
              nullptr)
        << i;
  EXPECT_EQ(t.find_forward(clients[5], flow_hash(clients[5]), 4, 0), nullptr);
  EXPECT_EQ(t.stats().full, 0u);
}

// A worker under load never sweeps when idle: every insert removes the expired connections
// among the next two entries, so the table does not fill with them.
TEST(NatTable, EveryInsertSweepsTwoEntries) {
  NatTable t(8, timeouts(), nullptr);
  for (uint16_t i = 0; i < 4; ++i)
    ASSERT_NE(insert(t, client(i), answer(i), 0, FlowState::kUdp, kNoLocalAddress), nullptr);
  const uint32_t later = timeouts().udp_ms + 1;  // all four have expired
  ASSERT_NE(insert(t, client(10), answer(10), later, FlowState::kUdp, kNoLocalAddress), nullptr);
  EXPECT_EQ(t.size(), 3u);
  ASSERT_NE(insert(t, client(11), answer(11), later, FlowState::kUdp, kNoLocalAddress), nullptr);
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.stats().expirations, 4u);
}

// A fullnat connection's answer key is indexed at the burst's end, or by the first answer
// lookup that misses before then: the connection is found by both keys at once.
TEST(NatTable, ADeferredReplyKeyIsFoundOnceIndexed) {
  LocalPorts ports(1, 1024, 1100, 1, 0);
  NatTable t(16, timeouts(), &ports);
  NatConnection* c =
      t.insert_deferring_reply(client(), flow_hash(client()), answer(1024), flow_hash(answer(1024)),
                               7, FlowState::kTcpSynOnly, kRouter, 0, 0);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(t.find_forward(client(), flow_hash(client()), 1, 0), c);
  EXPECT_EQ(t.find_reply(answer(1024), flow_hash(answer(1024)), 2, kSyn | kAck), c);
  EXPECT_EQ(t.size(), 1u);
  t.index_deferred();  // nothing left: no second index entry
  t.erase(*c);
  EXPECT_EQ(t.find_reply(answer(1024), flow_hash(answer(1024)), 3, 0), nullptr);
  EXPECT_EQ(t.size(), 0u);
}

// A connection removed before its answer key was indexed leaves nothing behind.
TEST(NatTable, AConnectionErasedBeforeItsReplyKeyIsIndexedLeavesNoTrace) {
  LocalPorts ports(1, 1024, 1100, 1, 0);
  NatTable t(16, timeouts(), &ports);
  const uint16_t port = *ports.take(0);
  for (uint16_t sport : {40000, 40001}) {
    NatConnection* c = t.insert_deferring_reply(
        client(sport), flow_hash(client(sport)), answer(uint16_t(port + sport - 40000)),
        flow_hash(answer(uint16_t(port + sport - 40000))), 7, FlowState::kUdp, kRouter, 0, 0);
    ASSERT_NE(c, nullptr);
    if (sport == 40000) t.erase(*c);
  }
  t.index_deferred();
  EXPECT_EQ(t.find_reply(answer(port), flow_hash(answer(port)), 1, 0), nullptr);
  EXPECT_EQ(t.find_forward(client(40000), flow_hash(client(40000)), 1, 0), nullptr);
  NatConnection* kept =
      t.find_reply(answer(uint16_t(port + 1)), flow_hash(answer(uint16_t(port + 1))), 1, 0);
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(kept->forward, client(40001));
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(ports.free_ports(0), 77u);  // all of 1024-1100: the erased one gave its port back
  // Its keys can be used again.
  ASSERT_NE(insert(t, client(40000), answer(port), 2, FlowState::kUdp, 0), nullptr);
  EXPECT_NE(t.find_reply(answer(port), flow_hash(answer(port)), 3, 0), nullptr);
}

TEST(NatTable, ZeroCapacityRefusesEverything) {
  NatTable t(0, timeouts(), nullptr);
  EXPECT_EQ(insert(t, client(), answer(1), 0), nullptr);
  EXPECT_EQ(t.find_forward(client(), flow_hash(client()), 0, 0), nullptr);
  EXPECT_EQ(t.sweep(0, 10), 0u);
}

}  // namespace
}  // namespace sluice
