// SPDX-License-Identifier: BSD-3-Clause
// bird's `show protocols` read into sessions (controlplane/bird/protocols.h), on replies
// captured from a real bird 2.0.12 in each state a session goes through.
#include <gtest/gtest.h>

#include "bird/protocols.h"
#include "bird_captures.h"

namespace sluice::bird {
namespace {

using testing::capture;
using testing::replies_of;

// The `show protocols` reply of a capture (the greeting comes first).
ProtocolsParse parse_capture(const std::string& name, size_t index = 1) {
  std::vector<Reply> r = replies_of(capture(name));
  EXPECT_GT(r.size(), index);
  return r.size() > index ? parse_protocols(r[index]) : ProtocolsParse{};
}

TEST(BirdProtocols, EstablishedAndNoRouteToHost) {
  ProtocolsParse p = parse_capture("established.txt");
  EXPECT_EQ(p.error, "");
  EXPECT_EQ(p.protocols,
            (std::vector<ProtocolStatus>{
                {.name = "bfd1", .proto = "BFD", .state = "up", .since = "03:18:03.041"},
                {.name = "router1",
                 .proto = "BGP",
                 .state = "up",
                 .since = "03:18:07.443",
                 .session = "Established"},
                {.name = "router2",
                 .proto = "BGP",
                 .state = "start",
                 .since = "03:18:03.041",
                 .session = "Active",
                 .last_error = "Socket: No route to host"}}))
      << "device and kernel protocols are left out";
}

TEST(BirdProtocols, ThePeerStoppedListening) {
  ProtocolsParse p = parse_capture("connection_refused.txt");
  EXPECT_EQ(p.error, "");
  ASSERT_EQ(p.protocols.size(), 3u);
  EXPECT_EQ(p.protocols[1], (ProtocolStatus{.name = "router1",
                                            .proto = "BGP",
                                            .state = "start",
                                            .since = "03:18:34.624",
                                            .session = "Active",
                                            .last_error = "Socket: Connection refused"}));
  EXPECT_EQ(p.protocols[2], (ProtocolStatus{.name = "router2",
                                            .proto = "BGP",
                                            .state = "start",
                                            .since = "03:18:34.566",
                                            .session = "Active",
                                            .last_error = "Socket: No route to host"}));
}

TEST(BirdProtocols, BfdTookTheSessionDown) {
  ProtocolsParse p = parse_capture("bfd_down.txt");
  EXPECT_EQ(p.error, "");
  ASSERT_EQ(p.protocols.size(), 3u);
  EXPECT_EQ(p.protocols[1], (ProtocolStatus{.name = "router1",
                                            .proto = "BGP",
                                            .state = "start",
                                            .since = "03:19:08.806",
                                            .session = "Idle",
                                            .last_error = "Error: BFD session down"}));
}

// `timeformat protocol iso long`: since has a date and a time. A protocol that is down
// shows its error without a session state; a name longer than its column.
TEST(BirdProtocols, IsoLongTimesLongNamesAndDownProtocols) {
  ProtocolsParse p = parse_capture("iso_long.txt");
  EXPECT_EQ(p.error, "");
  EXPECT_EQ(p.protocols,
            (std::vector<ProtocolStatus>{
                {.name = "bfd1", .proto = "BFD", .state = "up", .since = "2026-12-02 03:19:16"},
                {.name = "router1",
                 .proto = "BGP",
                 .state = "down",
                 .since = "2026-12-02 03:19:16",
                 .last_error = "Error: No listening socket"},
                {.name = "a_long_router_name",
                 .proto = "BGP",
                 .state = "down",
                 .since = "2026-12-02 03:19:16"}}));
}

TEST(BirdProtocols, ADisabledProtocolIsDown) {
  ProtocolsParse p = parse_capture("conversation.txt", 2);
  EXPECT_EQ(p.error, "");
  ASSERT_EQ(p.protocols.size(), 3u);
  EXPECT_EQ(p.protocols[2],
            (ProtocolStatus{
                .name = "router2", .proto = "BGP", .state = "down", .since = "03:20:48.034"}));
}

TEST(BirdProtocols, WhatIsNotAProtocolTable) {
  std::vector<Reply> conversation = replies_of(capture("conversation.txt"));
  ASSERT_EQ(conversation.size(), 6u);
  EXPECT_EQ(parse_protocols(conversation[5]).error,
            "bird answered '9001 syntax error, unexpected CF_SYM_UNDEFINED'");
  EXPECT_EQ(parse_protocols(conversation[1]).error, "unexpected line 'router2: disabled' (code 9)");
  EXPECT_EQ(parse_protocols(conversation[0]).error,
            "unexpected line 'BIRD 2.0.12 ready.' (code 1)");
  EXPECT_EQ(parse_protocols(conversation[3]).error,
            "unexpected line '  BGP state:          Down' (code 1006)");
  auto error_of = [](const std::string& bytes) {
    std::vector<Reply> r = replies_of(bytes);
    return r.size() == 1 ? parse_protocols(r[0]).error : "not one reply";
  };
  EXPECT_EQ(error_of("0000 \n"), "no protocol table in the answer");
  EXPECT_EQ(error_of("2002-Name Proto Table State Since Info Extra\n0000 \n"),
            "unexpected header 'Name Proto Table State Since Info Extra'");
  EXPECT_EQ(error_of("1002-router1 BGP --- up 03:18:07.443 Established\n0000 \n"),
            "unexpected line 'router1 BGP --- up 03:18:07.443 Established' (code 1002)")
      << "a row before the header";
  EXPECT_EQ(error_of("2002-Name Proto Table State Since Info\n1002-router1 BGP ---\n0000 \n"),
            "unexpected row 'router1 BGP ---'");
  EXPECT_EQ(error_of("2002-Name Proto Table State Since Info\n0000 \n"), "") << "no protocol";
}

TEST(BirdProtocols, Greeting) {
  EXPECT_EQ(parse_greeting(replies_of("0001 BIRD 2.0.12 ready.\n")[0]), "2.0.12");
  EXPECT_EQ(parse_greeting(replies_of("0001 BIRD 3.0.0 ready.\n")[0]), "3.0.0");
  EXPECT_EQ(parse_greeting(replies_of("0000 BIRD 2.0.12 ready.\n")[0]), std::nullopt);
  EXPECT_EQ(parse_greeting(replies_of("0001 bird 2.0.12 ready.\n")[0]), std::nullopt);
  EXPECT_EQ(parse_greeting(replies_of("0001 BIRD 2.0.12\n")[0]), std::nullopt);
  EXPECT_EQ(parse_greeting(replies_of("0001-BIRD 2.0.12 ready.\n0000 \n")[0]), std::nullopt);
}

}  // namespace
}  // namespace sluice::bird
