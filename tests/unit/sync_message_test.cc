// SPDX-License-Identifier: BSD-3-Clause
// The flow sync datagram: exact bytes, round trip, and every way a datagram is refused
// (truncated, malformed, forged, replayed, stale), for flow batches and the join request
// and done of bulk sync; the batcher and the rate cap.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sync/batcher.h"
#include "sync/message.h"
#include "sync/rate_cap.h"
#include "sync/replay_guard.h"

namespace sluice::sync {
namespace {

const std::string kKey = "0123456789abcdef0123456789abcdef";

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

SyncRecord record(uint16_t sport) {
  SyncRecord r;
  r.vip = VipKey{ip("10.0.0.100"), 80, 6, 0};
  r.flow.src = ip("192.0.2.7");
  r.flow.dst = ip("10.0.0.100");
  r.flow.src_port = sport;
  r.flow.dst_port = 80;
  r.flow.protocol = 6;
  r.backend = ip("10.0.0.2");
  r.age_ms = 1500;
  r.state = FlowState::kTcpEstablished;
  return r;
}

std::vector<uint8_t> encode(const BatchHeader& h, const std::vector<SyncRecord>& records,
                            const std::string& key = kKey) {
  std::vector<uint8_t> out(kMaxMessageBytes);
  out.resize(encode_batch(h, records, key, out.data()));
  return out;
}

std::string hex(const uint8_t* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += digits[p[i] >> 4];
    s += digits[p[i] & 15];
  }
  return s;
}

TEST(SyncMessage, ExactBytes) {
  const auto d = encode({7, 0x0102030405060708ull, 1700000000123ull}, {record(40000)});
  ASSERT_EQ(d.size(), kHeaderBytes + kRecordBytes + kMacBytes);
  EXPECT_EQ(hex(d.data(), kHeaderBytes),
            "534c5359"
            "01"
            "01"
            "0001"
            "00000007"
            "0102030405060708"
            "0000018bcfe5687b");
  EXPECT_EQ(hex(d.data() + kHeaderBytes, kRecordBytes),
            "00000000000000000000ffff0a000064"
            "0050"
            "06"
            "01"
            "00000000000000000000ffffc0000207"
            "00000000000000000000ffff0a000064"
            "9c40"
            "0050"
            "06"
            "000000"
            "00000000000000000000ffff0a000002"
            "000005dc");
  const Mac mac = hmac_sha256(kKey, d.data(), kHeaderBytes + kRecordBytes);
  EXPECT_EQ(hex(d.data() + kHeaderBytes + kRecordBytes, kMacBytes), hex(mac.data(), kMacBytes));
}

TEST(SyncMessage, HmacIsRfc4231) {
  // RFC 4231, test case 2.
  const std::string data = "what do ya want for nothing?";
  const Mac mac = hmac_sha256("Jefe", reinterpret_cast<const uint8_t*>(data.data()), data.size());
  EXPECT_EQ(hex(mac.data(), kMacBytes),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(SyncMessage, RoundTrip) {
  std::vector<SyncRecord> records;
  for (uint16_t i = 0; i < kMaxRecords; ++i) {
    SyncRecord r = record(uint16_t(1000 + i));
    r.state = FlowState(i % 5);
    r.age_ms = i * 1000u;
    if (i % 2) {
      r.vip = VipKey{ip("2001:db8::100"), 0, 17, 0};
      r.flow.src = ip("2001:db8:1::7");
      r.flow.dst = ip("2001:db8::100");
      r.flow.protocol = 17;
      r.backend = ip("2001:db8::2");
    }
    records.push_back(r);
  }
  const BatchHeader h{0xfffffffe, ~0ull, 1234};
  const auto d = encode(h, records);
  EXPECT_EQ(d.size(), kHeaderBytes + kMaxRecords * kRecordBytes + kMacBytes);
  EXPECT_EQ(d.size(), 1340u);
  Batch batch;
  ASSERT_EQ(decode_batch(d.data(), d.size(), kKey, batch), Verdict::kAccepted);
  EXPECT_EQ(batch.header, h);
  ASSERT_EQ(batch.count, kMaxRecords);
  for (size_t i = 0; i < kMaxRecords; ++i) EXPECT_EQ(batch.records[i], records[i]) << i;
}

TEST(SyncMessage, TruncatedAtEveryLength) {
  const auto d = encode({1, 1, 1}, {record(1), record(2)});
  Batch batch;
  for (size_t n = 0; n < d.size(); ++n)
    EXPECT_EQ(decode_batch(d.data(), n, kKey, batch), Verdict::kTruncated) << n;
  auto longer = d;
  longer.push_back(0);
  EXPECT_EQ(decode_batch(longer.data(), longer.size(), kKey, batch), Verdict::kMalformed);
}

TEST(SyncMessage, EveryFlippedBitIsRefused) {
  const auto d = encode({1, 1, 1}, {record(1), record(2)});
  Batch batch;
  for (size_t byte = 0; byte < d.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      auto f = d;
      f[byte] ^= uint8_t(1 << bit);
      const Verdict v = decode_batch(f.data(), f.size(), kKey, batch);
      // The magic, version and type are checked first, then the count against the length;
      // every other bit is covered by the MAC alone.
      if (byte < 6)
        EXPECT_EQ(v, Verdict::kMalformed) << byte << ":" << bit;
      else if (byte < 8)
        EXPECT_TRUE(v == Verdict::kMalformed || v == Verdict::kTruncated) << byte << ":" << bit;
      else
        EXPECT_EQ(v, Verdict::kForged) << byte << ":" << bit;
    }
  }
}

TEST(SyncMessage, WrongKeyIsForged) {
  const auto d = encode({1, 1, 1}, {record(1)});
  Batch batch;
  EXPECT_EQ(decode_batch(d.data(), d.size(), "another key of the same size....", batch),
            Verdict::kForged);
  EXPECT_EQ(decode_batch(d.data(), d.size(), "", batch), Verdict::kForged);
}

TEST(SyncMessage, BadCountOrFieldIsMalformed) {
  Batch batch;
  auto zero = encode({1, 1, 1}, {record(1)});
  zero[7] = 0;
  EXPECT_EQ(decode_batch(zero.data(), zero.size(), kKey, batch), Verdict::kMalformed);
  zero[7] = 17;
  EXPECT_EQ(decode_batch(zero.data(), zero.size(), kKey, batch), Verdict::kMalformed);

  // Signed with the key but carrying a state this version does not know.
  SyncRecord r = record(1);
  r.state = FlowState(5);
  const auto bad_state = encode({1, 1, 1}, {r});
  EXPECT_EQ(decode_batch(bad_state.data(), bad_state.size(), kKey, batch), Verdict::kMalformed);
}

std::vector<uint8_t> encode_join(const BatchHeader& h, uint8_t type,
                                 const std::string& key = kKey) {
  std::vector<uint8_t> out(kHeaderBytes + kMacBytes);
  out.resize(encode_signal(h, type, key, out.data()));
  return out;
}

TEST(SyncJoin, ExactBytesAndRoundTrip) {
  const BatchHeader h{11, 0x0102030405060708ull, 1700000000123ull};
  for (uint8_t type : {kTypeJoinRequest, kTypeJoinDone}) {
    const auto d = encode_join(h, type);
    ASSERT_EQ(d.size(), 60u);
    EXPECT_EQ(hex(d.data(), kHeaderBytes), std::string("534c5359") + "01" +
                                               (type == kTypeJoinRequest ? "02" : "03") +
                                               "0000"
                                               "0000000b"
                                               "0102030405060708"
                                               "0000018bcfe5687b");
    const Mac mac = hmac_sha256(kKey, d.data(), kHeaderBytes);
    EXPECT_EQ(hex(d.data() + kHeaderBytes, kMacBytes), hex(mac.data(), kMacBytes));
    Batch batch;
    batch.count = 5;
    ASSERT_EQ(decode_batch(d.data(), d.size(), kKey, batch), Verdict::kAccepted);
    EXPECT_EQ(batch.header, h);
    EXPECT_EQ(batch.type, type);
    EXPECT_EQ(batch.count, 0);
  }
  const auto flows = encode(h, {record(1)});
  Batch batch;
  ASSERT_EQ(decode_batch(flows.data(), flows.size(), kKey, batch), Verdict::kAccepted);
  EXPECT_EQ(batch.type, kTypeFlows);
}

TEST(SyncJoin, TruncatedForgedOrMalformed) {
  const auto d = encode_join({1, 1, 1}, kTypeJoinRequest);
  Batch batch;
  for (size_t n = 0; n < d.size(); ++n)
    EXPECT_EQ(decode_batch(d.data(), n, kKey, batch), Verdict::kTruncated) << n;
  auto longer = d;
  longer.push_back(0);
  EXPECT_EQ(decode_batch(longer.data(), longer.size(), kKey, batch), Verdict::kMalformed);
  EXPECT_EQ(decode_batch(d.data(), d.size(), "another key of the same size....", batch),
            Verdict::kForged);
  for (size_t byte = 8; byte < d.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      auto f = d;
      f[byte] ^= uint8_t(1 << bit);
      EXPECT_EQ(decode_batch(f.data(), f.size(), kKey, batch), Verdict::kForged)
          << byte << ":" << bit;
    }
  }
  // A join message with records, a flow batch without, a type this version does not know.
  auto counted = d;
  counted[7] = 1;
  EXPECT_EQ(decode_batch(counted.data(), counted.size(), kKey, batch), Verdict::kMalformed);
  for (uint8_t type : {0, 4, 255}) {
    auto other = d;
    other[5] = type;
    EXPECT_EQ(decode_batch(other.data(), other.size(), kKey, batch), Verdict::kMalformed) << type;
  }
  auto empty_flows = d;
  empty_flows[5] = kTypeFlows;
  EXPECT_EQ(decode_batch(empty_flows.data(), empty_flows.size(), kKey, batch), Verdict::kMalformed);
}

TEST(SyncJoin, SharesTheSendersSequenceAndItsReplayWindow) {
  Batcher b(9, kKey, 500, 20);
  std::vector<uint8_t> out(kMaxMessageBytes);
  ReplayGuard guard(30'000);
  const uint64_t now = 1'000'000;
  Batch batch;
  out.resize(b.seal_signal(kTypeJoinRequest, now, out.data()));
  ASSERT_EQ(decode_batch(out.data(), out.size(), kKey, batch), Verdict::kAccepted);
  EXPECT_EQ(batch.header, (BatchHeader{9, 500, now}));
  EXPECT_EQ(guard.admit(batch.header, now), Verdict::kAccepted);
  const std::vector<uint8_t> request = out;
  // Replayed: refused.
  EXPECT_EQ(guard.admit(batch.header, now), Verdict::kReplayed);
  // A flow batch after it takes the next number, then the done.
  out.resize(kMaxMessageBytes);
  b.add(record(1), 0);
  out.resize(b.seal(now, out.data()));
  ASSERT_EQ(decode_batch(out.data(), out.size(), kKey, batch), Verdict::kAccepted);
  EXPECT_EQ(batch.header.sequence, 501u);
  EXPECT_EQ(guard.admit(batch.header, now), Verdict::kAccepted);
  out.resize(kMaxMessageBytes);
  out.resize(b.seal_signal(kTypeJoinDone, now, out.data()));
  ASSERT_EQ(decode_batch(out.data(), out.size(), kKey, batch), Verdict::kAccepted);
  EXPECT_EQ(batch.type, kTypeJoinDone);
  EXPECT_EQ(batch.header.sequence, 502u);
  EXPECT_EQ(guard.admit(batch.header, now), Verdict::kAccepted);
  // The old request again, after newer ones: still refused.
  ASSERT_EQ(decode_batch(request.data(), request.size(), kKey, batch), Verdict::kAccepted);
  EXPECT_EQ(guard.admit(batch.header, now), Verdict::kReplayed);
}

TEST(ReplayGuard, SequenceWindow) {
  ReplayGuard guard(30'000);
  const uint64_t now = 1'000'000;
  EXPECT_EQ(guard.admit({1, 100, now}, now), Verdict::kAccepted);
  EXPECT_EQ(guard.admit({1, 100, now}, now), Verdict::kReplayed);
  EXPECT_EQ(guard.admit({1, 102, now}, now), Verdict::kAccepted);
  EXPECT_EQ(guard.admit({1, 101, now}, now), Verdict::kAccepted);  // late, not seen yet
  EXPECT_EQ(guard.admit({1, 101, now}, now), Verdict::kReplayed);
  EXPECT_EQ(guard.admit({1, 200, now}, now), Verdict::kAccepted);
  EXPECT_EQ(guard.admit({1, 137, now}, now), Verdict::kAccepted);  // 63 behind: in the window
  EXPECT_EQ(guard.admit({1, 136, now}, now), Verdict::kReplayed);  // 64 behind: too old
  // Another sender has its own window.
  EXPECT_EQ(guard.admit({2, 100, now}, now), Verdict::kAccepted);
  EXPECT_EQ(guard.admit({2, 100, now}, now), Verdict::kReplayed);
}

TEST(ReplayGuard, ClockWindow) {
  ReplayGuard guard(30'000);
  const uint64_t now = 1'000'000;
  EXPECT_EQ(guard.admit({1, 1, now - 30'001}, now), Verdict::kStale);
  EXPECT_EQ(guard.admit({1, 2, now + 30'001}, now), Verdict::kStale);
  EXPECT_EQ(guard.admit({1, 3, now - 30'000}, now), Verdict::kAccepted);
  EXPECT_EQ(guard.admit({1, 4, now + 30'000}, now), Verdict::kAccepted);
}

TEST(ReplayGuard, BoundedSenders) {
  ReplayGuard guard(30'000);
  for (uint32_t node = 0; node < ReplayGuard::kMaxSenders; ++node)
    EXPECT_EQ(guard.admit({node, 1, 5}, 5), Verdict::kAccepted);
  EXPECT_EQ(guard.admit({999, 1, 5}, 5), Verdict::kReplayed);
  EXPECT_EQ(guard.admit({3, 2, 5}, 5), Verdict::kAccepted);
}

TEST(Batcher, SealsFullOrDueBatches) {
  Batcher batcher(9, kKey, 500, 50);
  uint8_t out[kMaxMessageBytes];
  EXPECT_EQ(batcher.seal(1, out), 0u);
  for (uint16_t i = 0; i + 1u < kMaxRecords; ++i) EXPECT_FALSE(batcher.add(record(i), 1000 + i));
  EXPECT_TRUE(batcher.add(record(99), 1020));
  size_t n = batcher.seal(777, out);
  ASSERT_EQ(n, kHeaderBytes + kMaxRecords * kRecordBytes + kMacBytes);
  Batch batch;
  ASSERT_EQ(decode_batch(out, n, kKey, batch), Verdict::kAccepted);
  EXPECT_EQ(batch.header, (BatchHeader{9, 500, 777}));
  EXPECT_EQ(batch.records[15], record(99));

  EXPECT_FALSE(batcher.add(record(1), 2000));
  EXPECT_FALSE(batcher.due(2049));
  EXPECT_TRUE(batcher.due(2050));
  n = batcher.seal(778, out);
  ASSERT_EQ(decode_batch(out, n, kKey, batch), Verdict::kAccepted);
  EXPECT_EQ(batch.header.sequence, 501u);
  EXPECT_EQ(batch.count, 1);
  EXPECT_FALSE(batcher.due(5000));
}

TEST(RateCap, SecondsWorthOfTokens) {
  RateCap cap(10);
  int taken = 0;
  for (int i = 0; i < 20; ++i) taken += cap.take(1000);
  EXPECT_EQ(taken, 10);
  EXPECT_FALSE(cap.take(1099));
  EXPECT_TRUE(cap.take(1100));  // 100 ms: one more
  EXPECT_FALSE(cap.take(1100));
  taken = 0;
  for (int i = 0; i < 20; ++i) taken += cap.take(60'000);
  EXPECT_EQ(taken, 10);  // never more than a second's worth
}

NatSyncRecord nat_record(uint16_t local_port) {
  NatSyncRecord r;
  r.vip = VipKey{ip("10.0.0.101"), 80, 6, 0};
  r.forward.src = ip("192.0.2.7");
  r.forward.dst = ip("10.0.0.101");
  r.forward.src_port = 40000;
  r.forward.dst_port = 80;
  r.forward.protocol = 6;
  r.reply.src = ip("10.0.0.2");
  r.reply.dst = ip("10.0.0.50");
  r.reply.src_port = 80;
  r.reply.dst_port = local_port;
  r.reply.protocol = 6;
  r.backend = ip("10.0.0.2");
  r.client_mac = MacAddress{{0x02, 0, 0, 0, 0, 0x01}};
  r.fullnat = true;
  r.state = FlowState::kTcpEstablished;
  r.age_ms = 1500;
  return r;
}

std::vector<uint8_t> encode_nat(const BatchHeader& h, const std::vector<NatSyncRecord>& records) {
  std::vector<uint8_t> out(kMaxMessageBytes);
  out.resize(encode_nat_batch(h, records, kKey, out.data()));
  return out;
}

TEST(SyncMessage, NatRecordExactBytes) {
  const auto d = encode_nat({7, 1, 2}, {nat_record(2001)});
  ASSERT_EQ(d.size(), kHeaderBytes + kNatRecordBytes + kMacBytes);
  EXPECT_EQ(hex(d.data() + 4, 4), "01040001");  // version 1, type 4 (NAT), one record
  EXPECT_EQ(hex(d.data() + kHeaderBytes, kNatRecordBytes),
            "00000000000000000000ffff0a000065"
            "0050"
            "06"
            "01"
            "00000000000000000000ffffc0000207"
            "00000000000000000000ffff0a000065"
            "9c40"
            "0050"
            "06"
            "01"  // fullnat
            "0000"
            "00000000000000000000ffff0a000002"
            "000005dc"
            "00000000000000000000ffff0a000032"  // the answers' destination: the local address
            "07d1"                              // the local port
            "0050"                              // the backend's port
            "020000000001"                      // the client's MAC
            "0000");
}

TEST(SyncMessage, NatRecordsRoundTrip) {
  std::vector<NatSyncRecord> records;
  for (uint16_t i = 0; i < kMaxNatRecords; ++i) records.push_back(nat_record(uint16_t(2000 + i)));
  records[3].fullnat = false;
  records[3].reply.dst = records[3].forward.src;
  records[3].reply.dst_port = records[3].forward.src_port;
  records[5].forward.protocol = records[5].reply.protocol = 17;
  records[5].vip.protocol = 17;
  records[5].state = FlowState::kUdp;
  const BatchHeader h{9, 42, 1700000000000ull};
  const auto d = encode_nat(h, records);
  ASSERT_EQ(d.size(), kHeaderBytes + kMaxNatRecords * kNatRecordBytes + kMacBytes);
  EXPECT_EQ(d.size(), kMaxMessageBytes);
  EXPECT_EQ(d.size(), 1356u);
  Batch b;
  ASSERT_EQ(decode_batch(d.data(), d.size(), kKey, b), Verdict::kAccepted);
  EXPECT_EQ(b.type, kTypeNat);
  EXPECT_EQ(b.header, h);
  ASSERT_EQ(b.count, kMaxNatRecords);
  for (size_t i = 0; i < records.size(); ++i) EXPECT_EQ(b.nat_records[i], records[i]) << i;
}

TEST(SyncMessage, NatBatchesRefused) {
  const auto d = encode_nat({1, 1, 1}, {nat_record(2000), nat_record(2001)});
  Batch b;
  for (size_t n = 0; n < d.size(); ++n) {
    const Verdict v = decode_batch(d.data(), n, kKey, b);
    EXPECT_EQ(v, Verdict::kTruncated) << n;
  }
  auto corrupt = [&](size_t at, uint8_t value) {
    std::vector<uint8_t> c = d;
    c[at] = value;
    // Re-signed: what is refused is the field, not the MAC.
    const size_t signed_length = c.size() - kMacBytes;
    const Mac mac = hmac_sha256(kKey, c.data(), signed_length);
    std::copy(mac.begin(), mac.end(), c.begin() + long(signed_length));
    return decode_batch(c.data(), c.size(), kKey, b);
  };
  const size_t second = kHeaderBytes + kNatRecordBytes;
  EXPECT_EQ(corrupt(second + 57, 2), Verdict::kMalformed);   // neither nat nor fullnat
  EXPECT_EQ(corrupt(second + 56, 1), Verdict::kMalformed);   // not TCP or UDP
  EXPECT_EQ(corrupt(second + 106, 1), Verdict::kMalformed);  // padding not zero
  EXPECT_EQ(corrupt(second + 19, 9), Verdict::kMalformed);   // no such state
  EXPECT_EQ(corrupt(7, 13), Verdict::kMalformed);            // over kMaxNatRecords
  EXPECT_EQ(corrupt(5, 5), Verdict::kMalformed);             // no such type
  EXPECT_EQ(corrupt(second + 100, 0x04), Verdict::kAccepted);
  EXPECT_EQ(b.nat_records[1].client_mac.bytes[0], 0x04);
  std::vector<uint8_t> forged = d;
  forged[kHeaderBytes + 97] ^= 1;
  EXPECT_EQ(decode_batch(forged.data(), forged.size(), kKey, b), Verdict::kForged);
}

}  // namespace
}  // namespace sluice::sync
