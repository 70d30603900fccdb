// SPDX-License-Identifier: BSD-3-Clause
// BIRD's control-socket protocol (controlplane/bird/reply.h) on real captured replies, cut
// anywhere, and on what is not the protocol.
#include <gtest/gtest.h>

#include "bird/reply.h"
#include "bird_captures.h"

namespace sluice::bird {
namespace {

using testing::capture;
using testing::replies_of;

TEST(BirdReply, GreetingThenShowProtocols) {
  std::vector<Reply> r = replies_of(capture("established.txt"));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].lines, (std::vector<ReplyLine>{{1, "BIRD 2.0.12 ready."}}));
  EXPECT_EQ(r[1].lines,
            (std::vector<ReplyLine>{
                {2002, "Name       Proto      Table      State  Since         Info"},
                {1002, "device1    Device     ---        up     03:18:03.041  "},
                {1002, "sluice_table4 Kernel     sluice4    up     03:18:03.041  "},
                {1002, "bfd1       BFD        ---        up     03:18:03.041  "},
                {1002, "router1    BGP        ---        up     03:18:07.443  Established   "},
                {1002,
                 "router2    BGP        ---        start  03:18:03.041  Active        "
                 "Socket: No route to host"},
                {0, ""}}));
  EXPECT_EQ(r[1].end_code(), 0);
  EXPECT_FALSE(r[1].failed());
}

TEST(BirdReply, OneByteAtATime) {
  const std::string bytes = capture("conversation.txt");
  ReplyReader reader;
  std::vector<Reply> got;
  Reply r;
  for (char c : bytes) {
    ASSERT_TRUE(reader.feed(std::string_view(&c, 1)));
    while (reader.next(r)) got.push_back(r);
  }
  std::vector<Reply> whole = replies_of(bytes);
  ASSERT_EQ(got.size(), whole.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].lines, whole[i].lines) << i;
}

// disable, show protocols, show protocols all (continuations, a blank one), enable, and a
// command bird cannot parse: every reply ends at its code followed by a space.
TEST(BirdReply, EndCodesOfAConversation) {
  std::vector<Reply> r = replies_of(capture("conversation.txt"));
  ASSERT_EQ(r.size(), 6u);
  std::vector<uint16_t> ends;
  for (const Reply& reply : r) ends.push_back(reply.end_code());
  EXPECT_EQ(ends, (std::vector<uint16_t>{1, 0, 0, 0, 0, 9001}));
  EXPECT_EQ(r[1].lines, (std::vector<ReplyLine>{{9, "router2: disabled"}, {0, ""}}));
  ASSERT_EQ(r[3].lines.size(), 14u);
  EXPECT_EQ(r[3].lines[2], (ReplyLine{1006, "  BGP state:          Down"}));
  EXPECT_EQ(r[3].lines[3], (ReplyLine{1006, "    Neighbor address: 10.99.0.2"}));
  EXPECT_EQ(r[3].lines[12], (ReplyLine{1006, ""}));
  EXPECT_TRUE(r[5].failed());
  EXPECT_EQ(r[5].end_line(), "9001 syntax error, unexpected CF_SYM_UNDEFINED");
  EXPECT_FALSE(r[4].failed());
  EXPECT_EQ(r[4].end_line(), "0000 ");
}

TEST(BirdReply, SpontaneousPrintoutsBelongToNoReply) {
  std::vector<Reply> r = replies_of(
      "+2024-06-01 12:00:00 <INFO> Reconfigured\n0011-router2: enabled\n"
      "+2024-06-01 12:00:01 <INFO> router2: Starting\n0000 \n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].lines, (std::vector<ReplyLine>{{11, "router2: enabled"}, {0, ""}}));
}

TEST(BirdReply, APartialLineWaitsForItsEnd) {
  ReplyReader reader;
  Reply r;
  ASSERT_TRUE(reader.feed("0001 BIRD 2.0.12 re"));
  EXPECT_FALSE(reader.next(r));
  ASSERT_TRUE(reader.feed("ady.\n1002-a"));
  ASSERT_TRUE(reader.next(r));
  EXPECT_EQ(r.lines, (std::vector<ReplyLine>{{1, "BIRD 2.0.12 ready."}}));
  EXPECT_FALSE(reader.next(r)) << "a reply is complete only at its end code";
}

TEST(BirdReply, WhatIsNotTheProtocol) {
  auto error_of = [](std::string_view bytes) {
    ReplyReader reader;
    EXPECT_FALSE(reader.feed(bytes)) << bytes;
    EXPECT_FALSE(reader.feed("0000 \n")) << "a broken stream stays broken";
    return reader.error();
  };
  EXPECT_EQ(error_of("HTTP/1.1 400 Bad Request\r\n"),
            "not BIRD's CLI protocol: line 'HTTP/1.1 400 Bad Request?' has no 4-digit code");
  EXPECT_EQ(error_of(" router1 BGP\n"),
            "not BIRD's CLI protocol: continuation line ' router1 BGP' opens a reply");
  EXPECT_EQ(error_of("12345 five digits\n"),
            "not BIRD's CLI protocol: line '12345 five digits' has no 4-digit code");
  EXPECT_EQ(error_of("0000\n"), "not BIRD's CLI protocol: line '0000' has no 4-digit code");
  EXPECT_EQ(error_of("\n"), "not BIRD's CLI protocol: line '' has no 4-digit code");
  EXPECT_EQ(error_of("1002-\x01\xff" + std::string(100, 'x') + "\n0000 \n0000\n"),
            "not BIRD's CLI protocol: line '0000' has no 4-digit code");
  EXPECT_EQ(error_of("0001 " + std::string(ReplyReader::kMaxLine, 'x')),
            "not BIRD's CLI protocol: a line of more than 65536 bytes");
  std::string huge;
  for (size_t i = 0; huge.size() <= ReplyReader::kMaxReply; ++i)
    huge += "1002-router" + std::to_string(i) + " BGP --- up 03:18:03.041 Established\n";
  EXPECT_EQ(error_of(huge), "not BIRD's CLI protocol: a reply of more than 4194304 bytes");
}

TEST(BirdReply, QuotedForAnErrorMessage) {
  EXPECT_EQ(quoted_text("a\tb\xc3\xa9"),
            "'a?b?"
            "?'");
  EXPECT_EQ(quoted_text(std::string(81, 'y')), "'" + std::string(80, 'y') + "...'");
}

}  // namespace
}  // namespace sluice::bird
