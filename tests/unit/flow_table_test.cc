// SPDX-License-Identifier: BSD-3-Clause
#include "flow/flow_table.h"

#include <gtest/gtest.h>

#include <vector>

#include "flow/hash.h"

namespace sluice {
namespace {

constexpr uint8_t kSyn = wire::kTcpSyn;
constexpr uint8_t kAck = wire::kTcpAck;
constexpr uint8_t kFin = wire::kTcpFin;
constexpr uint8_t kRst = wire::kTcpRst;

FlowKey tcp_v4(uint32_t src, uint16_t src_port, uint32_t dst = 0x0a000001, uint16_t dst_port = 80) {
  FlowKey k;
  k.src = IpAddress::v4(src);
  k.dst = IpAddress::v4(dst);
  k.src_port = src_port;
  k.dst_port = dst_port;
  k.protocol = wire::kProtoTcp;
  return k;
}

FlowKey tcp_v6(uint8_t last_byte, uint16_t src_port) {
  FlowKey k;
  k.src = *IpAddress::parse("2001:db8::1");
  k.src.bytes[15] = last_byte;
  k.dst = *IpAddress::parse("2001:db8:ffff::80");
  k.src_port = src_port;
  k.dst_port = 443;
  k.protocol = wire::kProtoTcp;
  return k;
}

FlowKey udp_v4(uint32_t src, uint16_t src_port) {
  FlowKey k = tcp_v4(src, src_port, 0x0a000001, 53);
  k.protocol = wire::kProtoUdp;
  return k;
}

// Distinct keys whose hashes fall into `bucket` of a table with `bucket_count` buckets.
std::vector<FlowKey> keys_in_bucket(uint32_t bucket, uint32_t bucket_count, size_t n,
                                    uint32_t seed) {
  std::vector<FlowKey> keys;
  for (uint32_t i = 0; keys.size() < n; ++i) {
    FlowKey k = tcp_v4(seed + i, uint16_t(1024 + i % 50000));
    if ((flow_hash(k) & (bucket_count - 1)) == bucket) keys.push_back(k);
  }
  return keys;
}

TEST(FlowTable, LayoutFitsOneCacheLinePerEntry) {
  static_assert(FlowTable::bytes_per_entry() <= 64);
  EXPECT_EQ(FlowTable::bytes_per_entry(), 56u);
  FlowTable table(1000, {});
  EXPECT_EQ(table.capacity(), 1024u);  // 125 buckets rounded up to 128
  EXPECT_EQ(table.bucket_count(), 128u);
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(FlowTable::bytes_for(1000), 128u * 8 * 56);
  FlowTable tiny(1, {});
  EXPECT_EQ(tiny.capacity(), 8u);
}

TEST(FlowTable, InsertThenLookupIPv4) {
  FlowTable table(1024, {});
  const FlowKey k = tcp_v4(0xc0a80001, 40000);
  const uint32_t h = flow_hash(k);
  EXPECT_EQ(table.lookup(k, h, 100, kSyn), nullptr);
  FlowEntry* e = table.insert(k, h, 7, FlowState::kTcpSynOnly, 100);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(table.size(), 1u);
  FlowEntry* found = table.lookup(k, h, 150, kSyn);
  ASSERT_EQ(found, e);
  EXPECT_EQ(found->backend_id, 7u);
  EXPECT_EQ(found->key, k);
  EXPECT_EQ(found->state(), FlowState::kTcpSynOnly);
  EXPECT_EQ(table.stats().inserts, 1u);
}

TEST(FlowTable, InsertThenLookupIPv6) {
  FlowTable table(1024, {});
  std::vector<FlowKey> keys;
  for (uint8_t i = 0; i < 100; ++i) keys.push_back(tcp_v6(i, uint16_t(5000 + i)));
  for (uint32_t i = 0; i < keys.size(); ++i)
    ASSERT_NE(table.insert(keys[i], flow_hash(keys[i]), 1000 + i, FlowState::kTcpEstablished, 0),
              nullptr);
  EXPECT_EQ(table.size(), 100u);
  for (uint32_t i = 0; i < keys.size(); ++i) {
    FlowEntry* e = table.lookup(keys[i], flow_hash(keys[i]), 10, kAck);
    ASSERT_NE(e, nullptr) << i;
    EXPECT_EQ(e->backend_id, 1000 + i);
  }
}

TEST(FlowTable, BackendIdIsWritableByTheCaller) {
  FlowTable table(64, {});
  const FlowKey k = udp_v4(1, 2);
  table.insert(k, flow_hash(k), 1, FlowState::kUdp, 0)->backend_id = 9;
  EXPECT_EQ(table.lookup(k, flow_hash(k), 1, 0)->backend_id, 9u);
}

TEST(FlowTable, DifferentKeyInTheSameBucketMisses) {
  FlowTable table(64, {});
  const FlowKey a = tcp_v4(1, 1000);
  const FlowKey b = tcp_v4(1, 1001);
  const uint32_t h = flow_hash(a);
  ASSERT_NE(table.insert(a, h, 1, FlowState::kTcpEstablished, 0), nullptr);
  // Same full hash (so same bucket and same tag): only the key compare tells them apart.
  EXPECT_EQ(table.lookup(b, h, 1, kAck), nullptr);
  // Same bucket, different tag.
  EXPECT_EQ(table.lookup(b, h ^ 0x80000000u, 1, kAck), nullptr);
  // A different key found through its real hash in the same bucket.
  const std::vector<FlowKey> same_bucket = keys_in_bucket(h & 7, 8, 2, 500);
  for (const FlowKey& k : same_bucket) EXPECT_EQ(table.lookup(k, flow_hash(k), 1, kAck), nullptr);
  EXPECT_NE(table.lookup(a, h, 1, kAck), nullptr);
  EXPECT_EQ(table.size(), 1u);
}

TEST(FlowTable, EraseRemovesOnlyThatKey) {
  FlowTable table(64, {});
  const FlowKey a = tcp_v4(1, 1000), b = tcp_v4(2, 1000);
  table.insert(a, flow_hash(a), 1, FlowState::kTcpEstablished, 0);
  table.insert(b, flow_hash(b), 2, FlowState::kTcpEstablished, 0);
  EXPECT_TRUE(table.erase(a, flow_hash(a)));
  EXPECT_FALSE(table.erase(a, flow_hash(a)));
  EXPECT_EQ(table.lookup(a, flow_hash(a), 1, kAck), nullptr);
  EXPECT_NE(table.lookup(b, flow_hash(b), 1, kAck), nullptr);
  EXPECT_EQ(table.size(), 1u);
}

struct ExpiryCase {
  const char* name;
  FlowState state;
  uint32_t FlowTimeouts::*timeout;
  uint8_t flags;  // of the refreshing packet; keeps the state unchanged
};

class FlowTableExpiry : public testing::TestWithParam<ExpiryCase> {};

TEST_P(FlowTableExpiry, ExpiresAfterItsStateTimeout) {
  FlowTimeouts t;
  t.tcp_syn_ms = 1'000;
  t.tcp_established_ms = 2'000;
  t.tcp_closing_ms = 3'000;
  t.udp_ms = 4'000;
  t.other_ms = 5'000;
  const uint32_t timeout = t.*GetParam().timeout;
  FlowTable table(64, t);
  const FlowKey k = tcp_v4(42, 4242);
  const uint32_t h = flow_hash(k);
  const uint32_t t0 = 50'000;
  ASSERT_NE(table.insert(k, h, 3, GetParam().state, t0), nullptr);

  // Idle for exactly the timeout: still live, and the lookup refreshes last-seen.
  FlowEntry* e = table.lookup(k, h, t0 + timeout, GetParam().flags);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->state(), GetParam().state);
  // Idle one millisecond longer than the timeout since that refresh: gone.
  EXPECT_EQ(table.lookup(k, h, t0 + 2 * timeout + 1, GetParam().flags), nullptr);
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.stats().expirations, 1u);
  EXPECT_EQ(table.lookup(k, h, t0 + 2 * timeout + 1, GetParam().flags), nullptr);
}

INSTANTIATE_TEST_SUITE_P(
    AllStates, FlowTableExpiry,
    testing::Values(ExpiryCase{"SynOnly", FlowState::kTcpSynOnly, &FlowTimeouts::tcp_syn_ms, kSyn},
                    ExpiryCase{"Established", FlowState::kTcpEstablished,
                               &FlowTimeouts::tcp_established_ms, kAck},
                    ExpiryCase{"Closing", FlowState::kTcpClosing, &FlowTimeouts::tcp_closing_ms,
                               kAck},
                    ExpiryCase{"Udp", FlowState::kUdp, &FlowTimeouts::udp_ms, 0},
                    ExpiryCase{"Other", FlowState::kOther, &FlowTimeouts::other_ms, 0}),
    [](const testing::TestParamInfo<ExpiryCase>& info) { return info.param.name; });

TEST(FlowTable, StateFollowsSynAckFin) {
  FlowTimeouts t;
  FlowTable table(64, t);
  const FlowKey k = tcp_v4(7, 7777);
  const uint32_t h = flow_hash(k);
  ASSERT_EQ(initial_state(wire::kProtoTcp, kSyn), FlowState::kTcpSynOnly);
  table.insert(k, h, 1, FlowState::kTcpSynOnly, 0);
  EXPECT_EQ(table.lookup(k, h, 1, kSyn)->state(), FlowState::kTcpSynOnly);  // retransmitted SYN
  EXPECT_EQ(table.lookup(k, h, 2, kAck)->state(), FlowState::kTcpEstablished);
  EXPECT_EQ(table.lookup(k, h, 3, kAck | wire::kTcpPsh)->state(), FlowState::kTcpEstablished);
  EXPECT_EQ(table.lookup(k, h, 4, kFin | kAck)->state(), FlowState::kTcpClosing);
  EXPECT_EQ(table.lookup(k, h, 5, kAck)->state(), FlowState::kTcpClosing);  // never goes back
  EXPECT_EQ(table.lookup(k, h, 6, kSyn)->state(), FlowState::kTcpClosing);
  // Closing now times out after tcp_closing_ms, not tcp_established_ms.
  EXPECT_EQ(table.lookup(k, h, 6 + t.tcp_closing_ms + 1, kAck), nullptr);
}

TEST(FlowTable, RstClosesAndSynOnlyDoesNotBecomeEstablishedWithoutAck) {
  FlowTable table(64, {});
  const FlowKey k = tcp_v4(8, 8888);
  const uint32_t h = flow_hash(k);
  table.insert(k, h, 1, FlowState::kTcpSynOnly, 0);
  EXPECT_EQ(table.lookup(k, h, 1, kRst | kAck)->state(), FlowState::kTcpClosing);
  const FlowKey u = udp_v4(9, 9);
  table.insert(u, flow_hash(u), 1, FlowState::kUdp, 0);
  EXPECT_EQ(table.lookup(u, flow_hash(u), 1, kFin)->state(), FlowState::kUdp);
}

TEST(FlowTable, InitialStateFromFirstPacket) {
  EXPECT_EQ(initial_state(wire::kProtoTcp, kSyn), FlowState::kTcpSynOnly);
  EXPECT_EQ(initial_state(wire::kProtoTcp, kSyn | kAck), FlowState::kTcpEstablished);
  EXPECT_EQ(initial_state(wire::kProtoTcp, kAck), FlowState::kTcpEstablished);  // mid-stream
  EXPECT_EQ(initial_state(wire::kProtoTcp, kAck | wire::kTcpPsh), FlowState::kTcpEstablished);
  EXPECT_EQ(initial_state(wire::kProtoTcp, kFin | kAck), FlowState::kTcpClosing);
  EXPECT_EQ(initial_state(wire::kProtoTcp, kRst), FlowState::kTcpClosing);
  EXPECT_EQ(initial_state(wire::kProtoUdp, 0), FlowState::kUdp);
  EXPECT_EQ(initial_state(wire::kProtoIcmp, 0), FlowState::kOther);
  EXPECT_EQ(initial_state(wire::kProtoIcmpv6, kSyn), FlowState::kOther);
}

TEST(FlowTable, TimestampsWrapAround) {
  FlowTimeouts t;
  FlowTable table(64, t);
  const FlowKey k = tcp_v4(10, 1010);
  const uint32_t h = flow_hash(k);
  const uint32_t t0 = 0xffffff00u;
  table.insert(k, h, 5, FlowState::kTcpEstablished, t0);
  const uint32_t t1 = t0 + 1'000;  // wrapped past 0
  ASSERT_LT(t1, t0);
  FlowEntry* e = table.lookup(k, h, t1, kAck);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->backend_id, 5u);
  EXPECT_NE(table.lookup(k, h, t1 + t.tcp_established_ms, kAck), nullptr);
  EXPECT_EQ(table.lookup(k, h, t1 + 2 * t.tcp_established_ms + 1, kAck), nullptr);

  // A SYN-only flow inserted just before the wrap expires just after it.
  const FlowKey s = tcp_v4(11, 1111);
  table.insert(s, flow_hash(s), 6, FlowState::kTcpSynOnly, 0xfffffff0u);
  EXPECT_EQ(table.sweep(0xfffffff0u + t.tcp_syn_ms, table.bucket_count()), 0u);
  EXPECT_EQ(table.sweep(0xfffffff0u + t.tcp_syn_ms + 1, table.bucket_count()), 1u);
}

// Fills a 64-way table (8 buckets of 8) completely with flows in `state`, backend id =
// index; returns the keys.
std::vector<FlowKey> fill(FlowTable& table, FlowState state, uint32_t now_ms) {
  std::vector<FlowKey> keys;
  uint32_t per_bucket[8] = {};
  for (uint32_t i = 0; keys.size() < table.capacity(); ++i) {
    const FlowKey k = tcp_v4(0x0b000000 + i, uint16_t(2000 + i));
    const uint32_t h = flow_hash(k);
    if (per_bucket[h & 7] == 8) continue;
    ++per_bucket[h & 7];
    EXPECT_NE(table.insert(k, h, uint32_t(keys.size()), state, now_ms), nullptr);
    keys.push_back(k);
  }
  return keys;
}

TEST(FlowTable, FullOfEstablishedFlowsRefusesNewFlowsAndKeepsTheOld) {
  FlowTable table(64, {});
  ASSERT_EQ(table.bucket_count(), 8u);
  const std::vector<FlowKey> established = fill(table, FlowState::kTcpEstablished, 1'000);
  ASSERT_EQ(table.size(), 64u);

  for (uint32_t i = 0; i < 100; ++i) {
    const FlowKey k = tcp_v4(0x0c000000 + i, 3000);
    EXPECT_EQ(table.insert(k, flow_hash(k), 99, FlowState::kTcpSynOnly, 2'000), nullptr);
  }
  const FlowKey mid_stream = tcp_v4(0x0d000000, 3000);
  EXPECT_EQ(table.insert(mid_stream, flow_hash(mid_stream), 99, FlowState::kTcpEstablished, 2'000),
            nullptr);
  EXPECT_EQ(table.stats().insert_failures, 101u);
  EXPECT_EQ(table.stats().evictions, 0u);
  EXPECT_EQ(table.size(), 64u);

  for (uint32_t i = 0; i < established.size(); ++i) {
    FlowEntry* e = table.lookup(established[i], flow_hash(established[i]), 3'000, kAck);
    ASSERT_NE(e, nullptr) << i;
    EXPECT_EQ(e->backend_id, i);
  }
}

TEST(FlowTable, ClosingFlowsAreNotEvictedEither) {
  FlowTable table(64, {});
  fill(table, FlowState::kTcpClosing, 0);
  const FlowKey k = udp_v4(1, 1);
  EXPECT_EQ(table.insert(k, flow_hash(k), 1, FlowState::kUdp, 5), nullptr);
  EXPECT_EQ(table.stats().insert_failures, 1u);
  // Once they have expired, their ways are reused.
  EXPECT_NE(table.insert(k, flow_hash(k), 1, FlowState::kUdp, table.timeouts().tcp_closing_ms + 1),
            nullptr);
  EXPECT_EQ(table.stats().expirations, 1u);
  EXPECT_EQ(table.size(), 64u);
}

TEST(FlowTable, SynFloodEvictsOnlySynOnlyFlows) {
  FlowTable table(64, {});
  // Half of every bucket established, half SYN-only.
  std::vector<FlowKey> established, syn_only;
  uint32_t per_bucket[8] = {};
  for (uint32_t i = 0; established.size() + syn_only.size() < 64; ++i) {
    const FlowKey k = tcp_v4(0x0e000000 + i, 4000);
    const uint32_t h = flow_hash(k);
    const uint32_t n = per_bucket[h & 7]++;
    if (n >= 8) continue;
    if (n < 4) {
      table.insert(k, h, uint32_t(established.size()), FlowState::kTcpEstablished, 0);
      established.push_back(k);
    } else {
      table.insert(k, h, 500, FlowState::kTcpSynOnly, 0);
      syn_only.push_back(k);
    }
  }
  ASSERT_EQ(table.size(), 64u);

  uint32_t accepted = 0;
  for (uint32_t i = 0; i < 10'000; ++i) {
    const FlowKey k = tcp_v4(0x0f000000 + i, uint16_t(i));
    const uint32_t now = 1 + i / 10;  // well inside tcp_syn_ms: nothing expires
    accepted += table.insert(k, flow_hash(k), 1000, FlowState::kTcpSynOnly, now) != nullptr;
  }
  EXPECT_EQ(accepted, 10'000u);
  EXPECT_EQ(table.stats().insert_failures, 0u);
  EXPECT_EQ(table.stats().evictions, 10'000u);
  EXPECT_EQ(table.stats().expirations, 0u);
  EXPECT_EQ(table.size(), 64u);

  for (uint32_t i = 0; i < established.size(); ++i) {
    FlowEntry* e = table.lookup(established[i], flow_hash(established[i]), 2'000, kAck);
    ASSERT_NE(e, nullptr) << i;
    EXPECT_EQ(e->backend_id, i);
    EXPECT_EQ(e->state(), FlowState::kTcpEstablished);
  }
  for (const FlowKey& k : syn_only) EXPECT_EQ(table.lookup(k, flow_hash(k), 2'000, kAck), nullptr);
}

TEST(FlowTable, EvictsTheStalestEvictableFlowOfTheBucket) {
  FlowTable table(64, {});
  const std::vector<FlowKey> keys = keys_in_bucket(3, 8, 9, 100);
  for (uint32_t i = 0; i < 4; ++i)
    table.insert(keys[i], flow_hash(keys[i]), i, FlowState::kTcpEstablished, 0);
  table.insert(keys[4], flow_hash(keys[4]), 4, FlowState::kUdp, 10);
  table.insert(keys[5], flow_hash(keys[5]), 5, FlowState::kTcpSynOnly, 20);
  table.insert(keys[6], flow_hash(keys[6]), 6, FlowState::kOther, 30);
  table.insert(keys[7], flow_hash(keys[7]), 7, FlowState::kTcpSynOnly, 40);
  ASSERT_NE(table.lookup(keys[4], flow_hash(keys[4]), 45, 0), nullptr);  // keys[5] now stalest
  ASSERT_NE(table.insert(keys[8], flow_hash(keys[8]), 8, FlowState::kTcpSynOnly, 50), nullptr);
  EXPECT_EQ(table.stats().evictions, 1u);
  EXPECT_EQ(table.lookup(keys[5], flow_hash(keys[5]), 60, 0), nullptr);
  for (uint32_t i : {0u, 1u, 2u, 3u, 4u, 6u, 7u, 8u}) {
    FlowEntry* e = table.lookup(keys[i], flow_hash(keys[i]), 60, 0);
    ASSERT_NE(e, nullptr) << i;
    EXPECT_EQ(e->backend_id, i);
  }
}

// insert() takes the first way that is free or expired, in way order; prefetch_entries()
// fetches that same way for a new flow, so the order is part of the contract.
TEST(FlowTable, InsertTakesTheHomeWayElseTheFirstFreeOrExpiredWay) {
  FlowTable table(8, {});  // one bucket
  ASSERT_EQ(table.bucket_count(), 1u);
  // Keys of the only bucket by home way.
  std::vector<FlowKey> by_home[FlowTable::kWays];
  for (const FlowKey& k : keys_in_bucket(0, 1, 400, 300))
    by_home[FlowTable::home_way(flow_hash(k))].push_back(k);
  for (const auto& keys : by_home) ASSERT_GE(keys.size(), 3u);
  auto insert = [&](const FlowKey& k, uint32_t backend, FlowState s, uint32_t now) {
    return table.insert(k, flow_hash(k), backend, s, now);
  };

  // An empty bucket: the flow takes its home way, 5. That locates every way.
  FlowEntry* home5 = insert(by_home[5][0], 50, FlowState::kTcpSynOnly, 0);
  ASSERT_NE(home5, nullptr);
  FlowEntry* const way0 = home5 - 5;
  auto way_of = [&](const FlowEntry* e) { return e ? int(e - way0) : -1; };

  // Home way taken by a live flow: the first free way.
  EXPECT_EQ(way_of(insert(by_home[5][1], 51, FlowState::kTcpEstablished, 0)), 0);
  EXPECT_EQ(way_of(insert(by_home[0][0], 0, FlowState::kTcpEstablished, 0)), 1);
  // Home way free although earlier ways are free too: the home way.
  EXPECT_EQ(way_of(insert(by_home[7][0], 70, FlowState::kTcpEstablished, 0)), 7);

  // Way 5 expired (SYN-only, 10 s): a flow whose home it is reuses it.
  const uint32_t later = FlowTimeouts{}.tcp_syn_ms + 1;
  EXPECT_EQ(way_of(insert(by_home[5][2], 52, FlowState::kTcpEstablished, later)), 5);
  EXPECT_EQ(table.stats().expirations, 1u);
  EXPECT_EQ(table.stats().evictions, 0u);

  // Way 1 freed by erase, home way 0 live: way 1 is taken, not a later free way.
  ASSERT_TRUE(table.erase(by_home[0][0], flow_hash(by_home[0][0])));
  EXPECT_EQ(way_of(insert(by_home[0][1], 1, FlowState::kTcpEstablished, later)), 1);

  EXPECT_EQ(table.lookup(by_home[5][0], flow_hash(by_home[5][0]), later, kAck), nullptr);
  EXPECT_EQ(table.lookup(by_home[5][1], flow_hash(by_home[5][1]), later, kAck)->backend_id, 51u);
  EXPECT_EQ(table.lookup(by_home[5][2], flow_hash(by_home[5][2]), later, kAck)->backend_id, 52u);
  EXPECT_EQ(table.lookup(by_home[0][1], flow_hash(by_home[0][1]), later, kAck)->backend_id, 1u);
  EXPECT_EQ(table.lookup(by_home[7][0], flow_hash(by_home[7][0]), later, kAck)->backend_id, 70u);
  EXPECT_EQ(table.size(), 4u);
}

TEST(FlowTable, PrefetchEntriesChangesNothing) {
  FlowTable table(8, {});
  const std::vector<FlowKey> keys = keys_in_bucket(0, 1, 9, 400);
  for (uint32_t i = 0; i < 8; ++i)
    ASSERT_NE(table.insert(keys[i], flow_hash(keys[i]), i, FlowState::kTcpSynOnly, 0), nullptr);
  const FlowTableStats before = table.stats();
  for (const FlowKey& k : keys) table.prefetch_entries(flow_hash(k), 1'000'000);  // all expired
  EXPECT_EQ(table.size(), 8u);
  EXPECT_EQ(table.stats().expirations, before.expirations);
  EXPECT_EQ(table.stats().evictions, before.evictions);
  for (uint32_t i = 0; i < 8; ++i)
    EXPECT_EQ(table.lookup(keys[i], flow_hash(keys[i]), 5, kAck)->backend_id, i);
}

TEST(FlowTable, SweepFreesExpiredEntries) {
  FlowTimeouts t;
  FlowTable table(4096, t);
  std::vector<FlowKey> udp, tcp;
  for (uint32_t i = 0; i < 500; ++i) {
    udp.push_back(udp_v4(0x10000000 + i, 53));
    tcp.push_back(tcp_v4(0x20000000 + i, 80));
    ASSERT_NE(table.insert(udp.back(), flow_hash(udp.back()), i, FlowState::kUdp, 0), nullptr);
    ASSERT_NE(table.insert(tcp.back(), flow_hash(tcp.back()), i, FlowState::kTcpEstablished, 0),
              nullptr);
  }
  ASSERT_EQ(table.size(), 1000u);

  EXPECT_EQ(table.sweep(t.udp_ms, table.bucket_count()), 0u);  // not yet
  EXPECT_EQ(table.size(), 1000u);

  // A bounded budget visits buckets round-robin; a full round frees every UDP flow.
  const uint32_t now = t.udp_ms + 1;
  uint32_t freed = 0;
  for (uint32_t visited = 0; visited < table.bucket_count(); visited += 16)
    freed += table.sweep(now, 16);
  EXPECT_EQ(freed, 500u);
  EXPECT_EQ(table.size(), 500u);
  EXPECT_EQ(table.stats().expirations, 500u);
  for (const FlowKey& k : udp) EXPECT_EQ(table.lookup(k, flow_hash(k), now, 0), nullptr);
  for (const FlowKey& k : tcp) EXPECT_NE(table.lookup(k, flow_hash(k), now, kAck), nullptr);

  EXPECT_EQ(table.sweep(now + t.tcp_established_ms + 1, table.bucket_count()), 500u);
  EXPECT_EQ(table.size(), 0u);
}

TEST(FlowTable, ClearEmptiesTheTable) {
  FlowTable table(64, {});
  fill(table, FlowState::kTcpEstablished, 0);
  table.clear();
  EXPECT_EQ(table.size(), 0u);
  const FlowKey k = tcp_v4(1, 1);
  EXPECT_NE(table.insert(k, flow_hash(k), 1, FlowState::kTcpSynOnly, 0), nullptr);
}

// --- the read-only views (trace, show conns) ------------------------------------------

FlowKey client_flow(uint32_t client, uint16_t port) {
  return tcp_v4(0xc0000200u + client, port, 0x0a000064u, 80);
}

void insert(FlowTable& t, const FlowKey& k, uint32_t backend, uint32_t now_ms,
            FlowState state = FlowState::kTcpEstablished) {
  ASSERT_NE(t.insert(k, flow_hash(k), backend, state, now_ms), nullptr);
}

TEST(FlowTableViews, FindChangesNothingAndSeesExpiredEntries) {
  FlowTable t(1024, FlowTimeouts{});
  const FlowKey k = client_flow(1, 40000);
  insert(t, k, 7, 10'000, FlowState::kTcpSynOnly);
  auto v = t.find(k, flow_hash(k), 13'000);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->key, k);
  EXPECT_EQ(v->backend_id, 7u);
  EXPECT_EQ(v->state, FlowState::kTcpSynOnly);
  EXPECT_EQ(v->idle_ms, 3000u);
  EXPECT_FALSE(v->expired);
  v = t.find(k, flow_hash(k), 30'000);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->expired) << "idle 20 s, past the SYN timeout";
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.stats().expirations, 0u);
  EXPECT_FALSE(t.find(client_flow(2, 40000), flow_hash(client_flow(2, 40000)), 13'000));
}

TEST(FlowTableViews, VisitSeesEveryLiveFlowOnce) {
  FlowTable t(4096, FlowTimeouts{});
  for (uint32_t i = 0; i < 1000; ++i) insert(t, client_flow(i, uint16_t(1000 + i)), i % 3, 1000);
  insert(t, client_flow(5000, 1), 9, 0, FlowState::kTcpSynOnly);  // expired by 20 s
  uint32_t seen = 0;
  for (uint32_t b = 0; b < t.bucket_count(); b += 100)
    t.visit(b, 100, 20'000, [&](const FlowView& v) {
      EXPECT_NE(v.backend_id, 9u);
      ++seen;
    });
  EXPECT_EQ(seen, 1000u);
}

TEST(FlowTableViews, HasRoomUnlessTheBucketHoldsOnlyLiveConnections) {
  FlowTable t(8, FlowTimeouts{});  // one bucket
  for (uint32_t i = 0; i < 8; ++i) insert(t, client_flow(i, 1), 1, 0);
  EXPECT_FALSE(t.has_room(flow_hash(client_flow(100, 1)), 1000));
  EXPECT_TRUE(
      t.has_room(flow_hash(client_flow(100, 1)), 1000 + FlowTimeouts{}.tcp_established_ms + 1));
}

}  // namespace
}  // namespace sluice
