// SPDX-License-Identifier: BSD-3-Clause
#include <gtest/gtest.h>

#include "channel/message.h"
#include "config/config_loader.h"
#include "config/config_writer.h"

namespace sluice {
namespace {

using channel::Decoder;
using channel::Message;
using channel::MessageType;

TEST(Channel, EncodesTheDocumentedHeader) {
  std::string bytes = channel::encode(MessageType::kStateApplied, "generation 7");
  ASSERT_EQ(bytes.size(), 12u + 12u);
  EXPECT_EQ(bytes.substr(0, 12), std::string("SLC1\x00\x04\x00\x02\x00\x00\x00\x0c", 12));
  EXPECT_EQ(bytes.substr(12), "generation 7");
}

TEST(Channel, DecodesAcrossArbitraryChunks) {
  std::string stream = channel::encode(MessageType::kDesiredState, "[[vip]]\n") +
                       channel::encode(MessageType::kGetStats, "");
  Decoder d;
  std::vector<Message> got;
  std::string error;
  for (char c : stream) {
    d.feed(&c, 1);
    Message m;
    while (d.next(m, error) == Decoder::Status::kMessage) got.push_back(m);
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].type, MessageType::kDesiredState);
  EXPECT_EQ(got[0].payload, "[[vip]]\n");
  EXPECT_EQ(got[1].type, MessageType::kGetStats);
  EXPECT_EQ(got[1].payload, "");
}

TEST(Channel, RejectsBadMagicVersionAndLength) {
  std::string error;
  Message m;
  Decoder a;
  a.feed("HTTP/1.1 200", 12);
  EXPECT_EQ(a.next(m, error), Decoder::Status::kError);
  EXPECT_EQ(error, "not a sluice channel message (bad magic)");
  Decoder b;
  std::string v1 = channel::encode(MessageType::kGetStats, "");
  v1[5] = 1;
  b.feed(v1.data(), v1.size());
  EXPECT_EQ(b.next(m, error), Decoder::Status::kError);
  EXPECT_EQ(error, "channel version 1 not supported (this side speaks 4)");
  Decoder c;
  std::string huge = channel::encode(MessageType::kGetStats, "");
  huge[8] = 0x7f;
  c.feed(huge.data(), huge.size());
  EXPECT_EQ(c.next(m, error), Decoder::Status::kError);
  EXPECT_EQ(error, "message of 2130706432 bytes exceeds the limit of 67108864");
}

TEST(ConfigWriter, VipsRoundTripThroughTheLoader) {
  auto base = config::parse_config(R"([[port]]
name = "lan0"
device = "net_null0"
addresses = ["10.0.0.10/24", "2001:db8::10/64"]
[[vip]]
name = "www"
address = "10.0.0.100"
protocol = "tcp"
port = 80
mode = "dsr-l2"
hash = "source"
mss_clamp = 1400
  [[vip.backend]]
  address = "10.0.0.21"
  weight = 3
  [[vip.backend]]
  address = "10.0.0.22"
  state = "drain"
[[vip]]
name = "api"
address = "2001:db8::100"
protocol = "udp"
port = 0
mode = "gue"
gue_port = 7000
hash = "source-destination"
maglev_table_size = 251
encap_source = "172.16.0.0/16"
encap_source6 = "fd00::/64"
  [[vip.backend]]
  address = "192.0.2.7"
  [[vip.backend]]
  address = "2001:db8:5::7"
  state = "maint"
)",
                                   "t.toml");
  ASSERT_TRUE(base.config);
  std::string text = config::vips_to_toml(base.config->vips);
  auto again = config::parse_vip_update(text, "update", *base.config);
  ASSERT_TRUE(again.config) << again.errors[0].to_string() << "\n" << text;
  EXPECT_EQ(again.config->vips, base.config->vips);
}

}  // namespace
}  // namespace sluice
