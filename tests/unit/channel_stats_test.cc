// SPDX-License-Identifier: BSD-3-Clause
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

#include "channel/stats.h"

namespace sluice {
namespace {

using channel::decode_stats;
using channel::encode_stats;
using channel::Stats;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

// "00 0a ff" -> the three bytes; spaces are for the reader.
std::string from_hex(std::string_view hex) {
  std::string out;
  int high = -1;
  for (char c : hex) {
    if (c == ' ') continue;
    int v = c <= '9' ? c - '0' : c - 'a' + 10;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(char(high << 4 | v));
      high = -1;
    }
  }
  return out;
}

Stats sample() {
  Stats s;
  s.generation = 42;
  s.counters = {{"rx_packets", 1000}, {"active_flows", 0}, {"drop_not_for_us", UINT64_MAX}};
  s.vips.push_back(
      {"www", {10, 2000, 3}, {{ip("10.0.0.21"), {4, 500, 1}}, {ip("10.0.0.22"), {6, 1500, 2}}}, 7});
  s.vips.push_back({"dns6", {1, 80, 1}, {{ip("2001:db8::31"), {1, 80, 1}}}});
  s.vips.push_back({"idle", {}, {}});
  s.workers.push_back({1, 250'000, 1000, 4000, 3, 1 << 20, 0, 0});
  s.workers.push_back({2, channel::kBusyPpmScale, UINT64_MAX, UINT64_MAX, 1 << 20, 1 << 20, 17, 5});
  return s;
}

std::string decode_error(std::string_view payload) {
  std::string error;
  auto stats = decode_stats(payload, error);
  EXPECT_FALSE(stats) << "decoded what should be refused";
  return error;
}

TEST(ChannelStats, EncodesTheDocumentedLayout) {
  Stats s;
  s.generation = 7;
  s.counters = {{"rx", 1}};
  s.vips.push_back({"w", {1, 2, 3}, {{ip("10.0.0.21"), {4, 5, 6}}}, 9});
  s.workers.push_back({3, 500'000, 10, 20, 30, 40, 50, 60});
  EXPECT_EQ(encode_stats(s), from_hex("0000000000000007"                   // generation
                                      "00000001 02 7278 0000000000000001"  // "rx" 1
                                      "00000001 01 77"                     // VIP "w"
                                      "0000000000000001 0000000000000002 0000000000000003"
                                      "0000000000000009"  // syns_not_admitted
                                      "00000001 00000000000000000000ffff0a000015"  // 10.0.0.21
                                      "0000000000000004 0000000000000005 0000000000000006"
                                      "00000001 00000003 0007a120"         // worker on lcore 3, 50%
                                      "000000000000000a 0000000000000014"  // busy, loop cycles
                                      "000000000000001e 0000000000000028"  // flows, capacity
                                      "0000000000000032 000000000000003c"));  // failures, evictions
}

TEST(ChannelStats, RoundTrips) {
  for (const Stats& s : {sample(), Stats{}}) {
    std::string error;
    auto back = decode_stats(encode_stats(s), error);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(*back, s);
  }
}

TEST(ChannelStats, EveryTruncationIsAnError) {
  std::string whole = encode_stats(sample());
  for (size_t length = 0; length < whole.size(); ++length)
    EXPECT_EQ(decode_error(std::string_view(whole).substr(0, length)).rfind("stats payload: ", 0),
              0u)
        << "cut at " << length;
}

TEST(ChannelStats, ErrorsNameTheFieldAndTheByte) {
  EXPECT_EQ(decode_error(""), "stats payload: generation at byte 0 needs 8 bytes, 0 remain");
  Stats one;
  one.counters = {{"rx_packets", 1}};
  EXPECT_EQ(decode_error(encode_stats(one).substr(0, 22)),
            "stats payload: counter 1 name at byte 13 needs 10 bytes, 9 remain");
  Stats idle;
  idle.vips.push_back({"www", {}, {}});
  EXPECT_EQ(decode_error(encode_stats(idle).substr(0, 54)),
            "stats payload: VIP 'www' backend count at byte 52 needs 4 bytes, 2 remain");
  Stats named;
  named.vips.push_back({"a-very-long-vip-name", {}, {}});
  EXPECT_EQ(decode_error(encode_stats(named).substr(0, 65)),
            "stats payload: VIP 'a-very-long-vip-name' syns_not_admitted at byte 61 needs 8 "
            "bytes, 4 remain");
  // A cut that leaves fewer bytes than the entries announced is caught at the count.
  std::string whole = encode_stats(sample());
  EXPECT_EQ(decode_error(whole.substr(0, 30)),
            "stats payload: counter count 3 at byte 8 is more than the 18 remaining bytes can "
            "hold");
  EXPECT_EQ(decode_error(whole.substr(0, whole.find("www") + 3 + 24 + 8 + 4 + 40 + 39)),
            "stats payload: VIP 'www' backend count 2 at byte 116 is more than the 79 remaining "
            "bytes can hold");
  EXPECT_EQ(decode_error(whole.substr(0, whole.size() - 57)),
            "stats payload: worker count 2 at byte " + std::to_string(whole.size() - 116) +
                " is more than the 55 remaining bytes can hold");
  EXPECT_EQ(decode_error(whole + "xyz"), "stats payload: 3 bytes after the last worker, at byte " +
                                             std::to_string(whole.size()));
}

TEST(ChannelStats, ABusyShareOverOneIsRefused) {
  Stats s;
  s.workers.push_back({1, channel::kBusyPpmScale + 1, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(decode_error(encode_stats(s)),
            "stats payload: worker 0 busy_ppm 1000001 at byte 24 is more than 1000000");
}

TEST(ChannelStats, ForgedCountsAreRefusedBeforeAnyAllocation) {
  EXPECT_EQ(decode_error(from_hex("0000000000000001 ffffffff 00")),
            "stats payload: counter count 4294967295 at byte 8 is more than the 1 remaining "
            "bytes can hold");
  EXPECT_EQ(decode_error(from_hex("0000000000000001 00000000 00000002" + std::string(58, '0'))),
            "stats payload: VIP count 2 at byte 12 is more than the 29 remaining bytes can hold");
  Stats s;
  s.vips.push_back({"w", {}, {}});
  std::string payload = encode_stats(s);
  payload[payload.size() - 5] = 1;  // one backend announced, none there
  EXPECT_EQ(decode_error(payload),
            "stats payload: VIP 'w' backend count 1 at byte 50 is more than the 4 remaining "
            "bytes can hold");
  s.vips.clear();
  payload = encode_stats(s);
  payload[payload.size() - 1] = 2;  // two workers announced, none there
  EXPECT_EQ(decode_error(payload),
            "stats payload: worker count 2 at byte 16 is more than the 0 remaining bytes can "
            "hold");
}

TEST(ChannelStats, NamesArePrintableWithoutSpaces) {
  EXPECT_EQ(decode_error(from_hex("0000000000000001 00000001 00 0000000000000000 00000000")),
            "stats payload: counter 1 name at byte 12 is empty");
  EXPECT_EQ(decode_error(from_hex("0000000000000001 00000001 03 612062 0000000000000000 00000000")),
            "stats payload: counter 1 name at byte 12 has byte 0x20 at position 2; allowed: "
            "printable ASCII without spaces");
  EXPECT_EQ(
      decode_error(from_hex("0000000000000001 00000000 00000001 02 77ff" + std::string(72, '0'))),
      "stats payload: VIP 1 name at byte 16 has byte 0xff at position 2; allowed: "
      "printable ASCII without spaces");
}

TEST(ChannelStats, AnOverlongNameIsCutSoThePayloadStaysWellFormed) {
  Stats s;
  s.counters = {{std::string(300, 'a'), 5}};
  std::string error;
  auto back = decode_stats(encode_stats(s), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->counters[0].first, std::string(channel::kMaxStatsNameLength, 'a'));
  EXPECT_EQ(back->counters[0].second, 5u);
}

// Whatever decodes is exactly what encodes back: there is one encoding per Stats.
void expect_refused_or_canonical(const std::string& payload) {
  std::string error;
  if (auto s = decode_stats(payload, error))
    EXPECT_EQ(encode_stats(*s), payload);
  else
    EXPECT_FALSE(error.empty());
}

TEST(ChannelStats, EveryByteChangedIsRefusedOrDecodesCanonically) {
  std::string whole = encode_stats(sample());
  for (size_t i = 0; i < whole.size(); ++i)
    for (int v : {0x00, 0x01, 0x20, 0x7f, 0xff}) {
      std::string changed = whole;
      changed[i] = char(v);
      expect_refused_or_canonical(changed);
    }
}

TEST(ChannelStats, GarbageIsRefusedNeverACrash) {
  std::mt19937 rng(14);
  for (int i = 0; i < 20000; ++i) {
    std::string payload(rng() % 160, '\0');
    for (char& c : payload) c = char(rng() % 4 ? rng() % 4 : rng());  // small counts often
    expect_refused_or_canonical(payload);
  }
}

}  // namespace
}  // namespace sluice
