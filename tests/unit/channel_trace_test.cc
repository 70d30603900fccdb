// SPDX-License-Identifier: BSD-3-Clause
// The payloads of kTrace/kTraceResult and kConns/kConnsResult: their exact text, round
// trips, and refusals that name the field.
#include <gtest/gtest.h>

#include "channel/conns.h"
#include "channel/fields.h"
#include "channel/trace.h"

namespace sluice::channel {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

TraceResult sample_trace() {
  TraceResult r;
  r.port = "lan0";
  r.length = 54;
  r.packet = "ipv6";
  r.flow = TraceFlow{6, ip("2001:db8:ff::1"), 40000, ip("2001:db8::102"), 443};
  r.tcp_flags = "S";
  r.hash = 4000000000u;
  r.vip = "gue6";
  r.mode = "gue";
  r.worker = 1;
  r.lcore = 3;
  r.worker_by = "handoff";
  r.flow_table = "hit";
  r.entry_backend = "2001:db8::41";
  r.entry_state = "established";
  r.entry_idle_ms = 12;
  r.maglev_slot = 17;
  r.maglev_size = 65537;
  r.maglev_backend = "2001:db8::41";
  r.backend = "2001:db8::41";
  r.verdict = "forward";
  r.counters = {"forwarded", "flow_hits"};
  r.output = std::string("\x02\x00\xff", 3);
  r.output_source_mac = MacAddress{{2, 0, 0, 0, 0, 0x10}};
  r.output_destination_mac = MacAddress{{2, 0, 0, 0, 0x0a, 0x41}};
  r.outer = TraceFlow{17, ip("fd00::1"), 40001, ip("2001:db8::41"), 7777};
  return r;
}

TEST(ChannelTrace, RequestIsTextFields) {
  TraceRequest r;
  r.port = "lan0";
  r.tuple = TraceFlow{6, ip("192.0.2.1"), 40000, ip("10.0.0.100"), 80};
  r.tcp_flags = 0x02;
  EXPECT_EQ(encode_trace_request(r), "port lan0\ntuple tcp 192.0.2.1 40000 10.0.0.100 80 S\n");
  std::string error;
  EXPECT_EQ(decode_trace_request(encode_trace_request(r), error), r);

  TraceRequest f;
  f.frame = std::string("\x00\x01\xfe", 3);
  EXPECT_EQ(encode_trace_request(f), "frame 0001fe\n");
  EXPECT_EQ(decode_trace_request("frame 0001FE\n", error), f);
  TraceRequest udp;
  udp.tuple = TraceFlow{17, ip("2001:db8::1"), 53, ip("2001:db8::2"), 53};
  EXPECT_EQ(encode_trace_request(udp), "tuple udp 2001:db8::1 53 2001:db8::2 53 -\n");
  EXPECT_EQ(decode_trace_request(encode_trace_request(udp), error), udp);
}

TEST(ChannelTrace, BadRequestsAreRefusedWithTheReason) {
  std::string error;
  EXPECT_FALSE(decode_trace_request("port lan0\n", error));
  EXPECT_EQ(error, "trace request: neither a tuple nor a frame");
  EXPECT_FALSE(decode_trace_request("frame 0g\n", error));
  EXPECT_EQ(error, "trace request: the frame is not hex digits in pairs");
  EXPECT_FALSE(decode_trace_request("tuple tcp 192.0.2.1 70000 10.0.0.1 80 S\n", error));
  EXPECT_EQ(error, "trace request: bad tuple 'tcp 192.0.2.1 70000 10.0.0.1 80 S'");
  EXPECT_FALSE(decode_trace_request("tuple tcp 192.0.2.1 7 10.0.0.1 80 X\n", error));
}

TEST(ChannelTrace, ResultRoundTripsAndSkipsUnknownFields) {
  const TraceResult r = sample_trace();
  const std::string text = encode_trace_result(r);
  EXPECT_EQ(text,
            "port lan0\nlength 54\npacket ipv6\n"
            "flow tcp 2001:db8:ff::1 40000 2001:db8::102 443\ntcp_flags S\nhash 4000000000\n"
            "vip gue6\nmode gue\nworker 1 3 handoff\nflow_table hit\n"
            "entry 2001:db8::41 established 12\nmaglev 17 65537 2001:db8::41\n"
            "backend 2001:db8::41\nverdict forward\ncounter forwarded\ncounter flow_hits\n"
            "output 0200ff\noutput_macs 02:00:00:00:00:10 02:00:00:00:0a:41\n"
            "outer udp fd00::1 40001 2001:db8::41 7777\n");
  std::string error;
  EXPECT_EQ(decode_trace_result(text, error), r) << error;
  EXPECT_EQ(decode_trace_result("someday a new field\n" + text, error), r);

  TraceResult e;
  e.error = "no port named 'wan9'";
  EXPECT_EQ(encode_trace_result(e), "error no port named 'wan9'\n");
  EXPECT_EQ(decode_trace_result(encode_trace_result(e), error), e);

  EXPECT_FALSE(decode_trace_result("port lan0\n", error));
  EXPECT_EQ(error, "trace result: no verdict");
  EXPECT_FALSE(decode_trace_result("verdict drop\nworker one 3 rss\n", error));
  EXPECT_EQ(error, "trace result: bad field 'worker one 3 rss'");
}

TEST(ChannelTrace, FlagLettersAndProtocolNames) {
  EXPECT_EQ(tcp_flag_letters(0x12), "SA");
  EXPECT_EQ(tcp_flag_letters(0x11), "FA");
  EXPECT_EQ(tcp_flags_from_letters("FSRPAU"), 0x3f);
  EXPECT_FALSE(tcp_flags_from_letters("SX"));
  EXPECT_EQ(protocol_name(58), "ipv6-icmp");
  EXPECT_EQ(protocol_name(4), "4");
  EXPECT_EQ(protocol_number("4"), 4);
  EXPECT_EQ(protocol_number("udp"), 17);
  EXPECT_FALSE(protocol_number("sctp"));
}

TEST(ChannelConns, RequestAndResultAreTextFields) {
  ConnsRequest q{.vip = "www", .limit = 5};
  EXPECT_EQ(encode_conns_request(q), "vip www\nlimit 5\n");
  std::string error;
  EXPECT_EQ(decode_conns_request(encode_conns_request(q), error), q);
  EXPECT_FALSE(decode_conns_request("vip www\nlimit 10001\n", error));
  EXPECT_EQ(error, "conns request: limit '10001' is not in 1..10000");
  EXPECT_FALSE(decode_conns_request("limit 3\n", error));
  EXPECT_EQ(error, "conns request: no VIP");

  ConnsResult r;
  r.vip = "www";
  r.flows = 3;
  r.backends = {{ip("10.0.0.21"), 2}, {ip("2001:db8::21"), 1}};
  r.rows = {{6, ip("192.0.2.1"), 40000, 80, ip("10.0.0.21"), 0, "established", 15}};
  const std::string text = encode_conns_result(r);
  EXPECT_EQ(text,
            "vip www\nflows 3\nbackend 10.0.0.21 2\nbackend 2001:db8::21 1\n"
            "conn tcp 192.0.2.1 40000 80 10.0.0.21 0 established 15\n");
  EXPECT_EQ(decode_conns_result(text, error), r) << error;
  EXPECT_FALSE(decode_conns_result("vip www\nconn tcp 192.0.2.1\n", error));
  EXPECT_EQ(error, "conns result: bad field 'conn tcp 192.0.2.1'");

  // A fullnat connection: the local address and port its backend sees.
  r.rows.push_back(
      {6, ip("192.0.2.2"), 40001, 80, ip("10.0.0.21"), 1, "syn", 0, ip("10.0.0.50"), 2001});
  const std::string nat_text = encode_conns_result(r);
  EXPECT_EQ(nat_text,
            "vip www\nflows 3\nbackend 10.0.0.21 2\nbackend 2001:db8::21 1\n"
            "conn tcp 192.0.2.1 40000 80 10.0.0.21 0 established 15\n"
            "conn tcp 192.0.2.2 40001 80 10.0.0.21 1 syn 0 10.0.0.50 2001\n");
  EXPECT_EQ(decode_conns_result(nat_text, error), r) << error;
  EXPECT_FALSE(decode_conns_result(
      "vip www\nconn tcp 192.0.2.2 40001 80 10.0.0.21 1 syn 0 10.0.0.50\n", error));
}

TEST(ChannelFields, AValueIsOneLine) {
  EXPECT_EQ(FieldWriter().add("error", "first\nsecond").take(), "error first\n");
  auto fields = read_fields("a 1\n\nb\nc x y\n");
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[1].name, "b");
  EXPECT_EQ(fields[1].value, "");
  EXPECT_EQ(fields[2].value, "x y");
  EXPECT_EQ(to_hex("\x01\xab"), "01ab");
  EXPECT_FALSE(from_hex("abc"));
}

}  // namespace
}  // namespace sluice::channel
