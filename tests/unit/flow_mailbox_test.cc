// SPDX-License-Identifier: BSD-3-Clause
// Reading a worker's flow table by asking the worker: the mailbox between the main lcore
// and a worker (also across two threads), and questions to several workers that never
// hold each other up.
#include "trace/flow_mailbox.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "flow/hash.h"
#include "trace/flow_question.h"

namespace sluice {
namespace {

FlowKey flow(uint32_t client, uint16_t port) {
  FlowKey k;
  k.src = IpAddress::v4(0xc0000200u + client);
  k.dst = IpAddress::v4(0x0a000064u);
  k.src_port = port;
  k.dst_port = 80;
  k.protocol = wire::kProtoTcp;
  return k;
}

void insert(FlowTable& t, const FlowKey& k, uint32_t backend, uint32_t now_ms,
            FlowState state = FlowState::kTcpEstablished) {
  ASSERT_NE(t.insert(k, flow_hash(k), backend, state, now_ms), nullptr);
}

TEST(FlowMailbox, AFindIsAnsweredInOneTurn) {
  FlowTable t(1024, FlowTimeouts{});
  const FlowKey k = flow(1, 40000);
  insert(t, k, 7, 1000);
  FlowMailbox box;
  EXPECT_TRUE(box.idle());
  EXPECT_FALSE(box.serve(t, 1000, 64)) << "nothing asked";
  box.request().kind = FlowRequest::Kind::kFind;
  box.request().key = k;
  box.request().hash = flow_hash(k);
  box.post();
  EXPECT_FALSE(box.idle());
  EXPECT_FALSE(box.serve(t, 1500, 64));
  ASSERT_TRUE(box.idle());
  ASSERT_TRUE(box.answer().found);
  EXPECT_EQ(box.answer().found->backend_id, 7u);
  EXPECT_EQ(box.answer().found->idle_ms, 500u);
  EXPECT_TRUE(box.answer().has_room);
  EXPECT_EQ(box.answer().now_ms, 1500u);
}

// A scan reads the NAT connections after the flows: a fullnat one with the local address
// and port its backend sees.
TEST(FlowMailbox, AScanReadsTheNatConnectionsToo) {
  FlowTable t(64, FlowTimeouts{});
  insert(t, flow(1, 40000), 10, 1000);
  LocalPorts ports(1, 2000, 2010, 1, 0);
  NatTable nat(100, FlowTimeouts{}, &ports);
  FlowKey answer = flow(2, 40001);
  answer.src = IpAddress::v4(0x0a000016u);  // 10.0.0.22:80 -> 10.0.0.50:2000
  answer.dst = IpAddress::v4(0x0a000032u);
  answer.src_port = 80;
  answer.dst_port = 2000;
  ASSERT_NE(nat.insert(flow(2, 40001), flow_hash(flow(2, 40001)), answer, flow_hash(answer), 10,
                       FlowState::kTcpEstablished, MacAddress{}, 0, 1000),
            nullptr);
  FlowKey nat_answer = answer;
  nat_answer.dst = flow(3, 40002).src;
  nat_answer.dst_port = 40002;
  ASSERT_NE(nat.insert(flow(3, 40002), flow_hash(flow(3, 40002)), nat_answer, flow_hash(nat_answer),
                       11, FlowState::kTcpSynOnly, MacAddress{}, kNoLocalAddress, 1000),
            nullptr);
  FlowMailbox box;
  box.request().kind = FlowRequest::Kind::kScan;
  box.request().backend_ids = {10, 11};
  box.request().limit = 10;
  box.post();
  int turns = 0;
  while (box.serve(t, 1200, 4, &nat)) ++turns;
  EXPECT_GT(turns, 2);  // 8 buckets, then 100 entries, 32 a turn
  ASSERT_TRUE(box.idle());
  const FlowAnswer& a = box.answer();
  EXPECT_EQ(a.flows, 3u);
  EXPECT_EQ(a.per_backend, (std::vector<uint64_t>{2, 1}));
  ASSERT_EQ(a.rows.size(), 3u);
  EXPECT_EQ(a.rows[0].key, flow(1, 40000));
  EXPECT_FALSE(a.rows[0].local);
  EXPECT_EQ(a.rows[1].key, flow(2, 40001));
  EXPECT_EQ(a.rows[1].local, IpAddress::v4(0x0a000032u));
  EXPECT_EQ(a.rows[1].local_port, 2000);
  EXPECT_EQ(a.rows[1].idle_ms, 200u);
  EXPECT_EQ(a.rows[2].key, flow(3, 40002));
  EXPECT_FALSE(a.rows[2].local);
  EXPECT_EQ(a.rows[2].state, FlowState::kTcpSynOnly);
}

TEST(FlowMailbox, AScanReadsABudgetPerTurnAndCountsPerBackend) {
  FlowTable t(1 << 12, FlowTimeouts{});  // 512 buckets
  for (uint32_t i = 0; i < 600; ++i) insert(t, flow(i, uint16_t(2000 + i)), 10 + i % 4, 1000);
  FlowMailbox box;
  box.request().kind = FlowRequest::Kind::kScan;
  box.request().backend_ids = {10, 12, 99};  // not 11, 13
  box.request().limit = 50;
  box.post();
  int turns = 0;
  while (box.serve(t, 2000, 64)) ++turns;
  EXPECT_EQ(turns, 512 / 64 - 1) << "every turn but the last leaves work";
  ASSERT_TRUE(box.idle());
  const FlowAnswer& a = box.answer();
  EXPECT_EQ(a.flows, 300u);
  EXPECT_EQ(a.per_backend, (std::vector<uint64_t>{150, 150, 0}));
  ASSERT_EQ(a.rows.size(), 50u);
  for (const FlowView& v : a.rows) EXPECT_TRUE(v.backend_id == 10 || v.backend_id == 12);

  // The next question starts afresh.
  box.request().backend_ids = {13};
  box.request().limit = 1000;
  box.post();
  while (box.serve(t, 2000, 4096)) {
  }
  EXPECT_EQ(box.answer().flows, 150u);
  EXPECT_EQ(box.answer().rows.size(), 150u);
}

TEST(FlowMailbox, AWorkerThreadAnswersWhileTheAskerWaits) {
  FlowTable t(1 << 12, FlowTimeouts{});
  for (uint32_t i = 0; i < 100; ++i) insert(t, flow(i, 1), i, 1000);
  FlowMailbox box;
  std::atomic<bool> stop{false};
  std::thread worker([&] {
    while (!stop.load(std::memory_order_relaxed)) box.serve(t, 1000, 16);
  });
  for (uint32_t i = 0; i < 100; ++i) {
    box.request().kind = FlowRequest::Kind::kFind;
    box.request().key = flow(i, 1);
    box.request().hash = flow_hash(flow(i, 1));
    box.post();
    while (!box.idle()) std::this_thread::yield();
    ASSERT_TRUE(box.answer().found);
    EXPECT_EQ(box.answer().found->backend_id, i);
  }
  stop = true;
  worker.join();
}

TEST(FlowQuestion, TakesItsMailboxesWholeAndOnlyWhenFree) {
  FlowTable t(64, FlowTimeouts{});
  FlowMailbox a, b;
  FlowMailboxes boxes({&a, &b});
  auto find = [](FlowRequest& q) { q.kind = FlowRequest::Kind::kFind; };
  auto first = std::make_unique<FlowQuestion>(boxes, std::vector<uint32_t>{0, 1}, find);
  FlowQuestion second(boxes, {1}, find);
  EXPECT_FALSE(first->poll());
  EXPECT_TRUE(first->posted());
  EXPECT_FALSE(second.poll());
  EXPECT_FALSE(second.posted()) << "mailbox 1 is the first question's";
  a.serve(t, 0, 8);
  EXPECT_FALSE(first->poll()) << "worker 1 has not answered";
  b.serve(t, 0, 8);
  EXPECT_TRUE(first->poll());
  EXPECT_FALSE(second.poll()) << "still held until the first is done with its answers";
  first.reset();
  EXPECT_FALSE(second.poll());
  EXPECT_TRUE(second.posted());
  b.serve(t, 0, 8);
  EXPECT_TRUE(second.poll());
}

TEST(FlowQuestion, AQuestionGivenUpStillHoldsItsMailboxUntilAnswered) {
  FlowTable t(64, FlowTimeouts{});
  FlowMailbox a;
  FlowMailboxes boxes({&a});
  auto find = [](FlowRequest& q) { q.kind = FlowRequest::Kind::kFind; };
  auto given_up = std::make_unique<FlowQuestion>(boxes, std::vector<uint32_t>{0}, find);
  given_up->poll();
  given_up.reset();  // its client went away
  FlowQuestion next(boxes, {0}, find);
  EXPECT_FALSE(next.poll());
  EXPECT_FALSE(next.posted()) << "the worker is still on the old question";
  a.serve(t, 0, 8);
  next.poll();
  EXPECT_TRUE(next.posted());
}

}  // namespace
}  // namespace sluice
