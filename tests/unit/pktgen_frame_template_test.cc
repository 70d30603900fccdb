// SPDX-License-Identifier: BSD-3-Clause
// sluice-pktgen's frames: the template patched for flow i is, byte for byte, the frame the
// test packet builder writes for flow i's addresses, ports and stamp (checksums computed
// from scratch there), for every family, protocol and kind.
#include <gtest/gtest.h>

#include <vector>

#include "flow_cursor.h"
#include "flow_spec.h"
#include "frame_template.h"
#include "net/ip_address.h"
#include "packet_builder.h"

namespace sluice::pktgen {
namespace {

using testing_support::Bytes;
using testing_support::Packet;
using testing_support::TcpOpts;

constexpr testing_support::Mac kSmac{0x02, 0, 0, 0, 0, 0x20};
constexpr testing_support::Mac kDmac{0x02, 0, 0, 0, 0, 0x10};

Bytes stamp(uint32_t flow, uint64_t tsc, size_t payload_length) {
  Bytes b(payload_length, 0);
  wire::store_be32(b.data(), kStampMagic);
  wire::store_be32(b.data() + 4, flow);
  wire::store_be64(b.data() + 8, tsc);
  return b;
}

std::string address_plus(const IpAddress& base, uint32_t n) {
  IpAddress a = base;
  wire::store_be32(&a.bytes[12], wire::load_be32(&a.bytes[12]) + n);
  return a.to_string();
}

// Flow i's frame as the builder writes it.
Bytes expected(const FlowSpec& s, uint32_t flow, uint64_t tsc) {
  const std::string src = address_plus(s.src, flow / s.ports);
  const uint16_t sport = uint16_t(s.sport + flow % s.ports);
  Packet p;
  p.eth(kDmac, kSmac);
  if (s.ipv6())
    p.ipv6(src, s.dst.to_string());
  else
    p.ipv4(src, s.dst.to_string());
  size_t headers = wire::kEthHeaderLen + (s.ipv6() ? wire::kIpv6HeaderLen : wire::kIpv4HeaderLen);
  if (s.protocol == Protocol::kTcp) {
    if (s.kind == Kind::kSyn)
      p.tcp(sport, s.dport, wire::kTcpSyn, TcpOpts{.seq = 1000, .ack = 0});
    else
      p.tcp(sport, s.dport);
    headers += wire::kTcpMinHeaderLen;
  } else {
    p.udp(sport, s.dport);
    headers += wire::kUdpHeaderLen;
  }
  p.payload(stamp(flow, tsc, s.size - headers));
  return p.bytes();
}

void expect_every_flow_matches(const char* spec_text, uint64_t tsc0) {
  SCOPED_TRACE(spec_text);
  const FlowSpec s = *parse_flow_spec(spec_text).spec;
  const FrameTemplate t = build_template(s);
  ASSERT_EQ(t.length, s.size);
  FlowCursor cursor(s, t.first, 0, 1);
  // Two rounds: the cursor wraps to flow 0.
  for (uint32_t i = 0; i < 2 * s.flows; ++i) {
    const uint32_t flow = i % s.flows;
    const uint64_t tsc = tsc0 + i * 0x0001000100010001ull;
    std::vector<uint8_t> frame(t.bytes.begin(), t.bytes.begin() + t.length);
    ASSERT_EQ(cursor.current().flow, flow);
    write_flow(frame.data(), t, cursor.current(), tsc);
    cursor.advance();
    ASSERT_EQ(frame, expected(s, flow, tsc)) << "flow " << flow;
  }
}

TEST(PktgenFrameTemplate, TemplateIsFlowZeroWithAZeroStamp) {
  const FlowSpec s = *parse_flow_spec("proto=tcp,dst=10.0.0.100,dport=80").spec;
  const FrameTemplate t = build_template(s);
  EXPECT_EQ(Bytes(t.bytes.begin(), t.bytes.begin() + t.length), expected(s, 0, 0));
}

TEST(PktgenFrameTemplate, UdpOverIpv4WithoutChecksum) {
  expect_every_flow_matches("dst=198.18.0.100,flows=300,ports=7", 0xfedcba9876543210ull);
}
TEST(PktgenFrameTemplate, UdpOverIpv6) {
  expect_every_flow_matches("dst=fd00::100,src=fd00:1::1:fff0,flows=300,ports=7,size=200",
                            0xffffffffffff0000ull);
}
TEST(PktgenFrameTemplate, TcpEstablishedOverIpv4) {
  expect_every_flow_matches("proto=tcp,dst=10.0.0.100,dport=80,flows=500,sport=65500,ports=36", 1);
}
TEST(PktgenFrameTemplate, TcpSynOverIpv6) {
  expect_every_flow_matches("proto=tcp,kind=syn,dst=fd00::100,dport=443,flows=257,ports=16", 42);
}
TEST(PktgenFrameTemplate, TcpSynOverIpv4AcrossAnOctet) {
  expect_every_flow_matches("proto=tcp,kind=syn,dst=10.0.0.100,src=10.1.0.250,flows=40,ports=3",
                            0x8000000000000000ull);
}

// The TX pools hold frames patched by earlier sends: patching over one gives the same frame
// as patching a fresh copy of the template.
TEST(PktgenFrameTemplate, PatchingAnEarlierFrameEqualsPatchingTheTemplate) {
  const FlowSpec s = *parse_flow_spec("proto=tcp,dst=fd00::100,flows=5000,ports=100").spec;
  const FrameTemplate t = build_template(s);
  std::vector<uint8_t> reused(t.bytes.begin(), t.bytes.begin() + t.length);
  FlowCursor cursor(s, t.first, 0, 1);
  for (uint32_t i = 0; i < 3000; ++i) {
    write_flow(reused.data(), t, cursor.current(), 0x1122334455667788ull * i);
    cursor.advance();
  }
  FlowFields f = cursor.current();
  write_flow(reused.data(), t, f, 7);
  EXPECT_EQ(reused, expected(s, 3000, 7));
}

TEST(PktgenFlowCursor, LcoresShareTheSetInOrder) {
  const FlowSpec s = *parse_flow_spec("dst=10.0.0.1,flows=10,ports=3").spec;
  const FrameTemplate t = build_template(s);
  FlowCursor a(s, t.first, 0, 3), b(s, t.first, 2, 3);
  std::vector<uint32_t> flows_a, flows_b;
  for (int i = 0; i < 7; ++i) {
    flows_a.push_back(a.current().flow);
    flows_b.push_back(b.current().flow);
    a.advance();
    b.advance();
  }
  EXPECT_EQ(flows_a, (std::vector<uint32_t>{0, 3, 6, 9, 2, 5, 8}));
  EXPECT_EQ(flows_b, (std::vector<uint32_t>{2, 5, 8, 1, 4, 7, 0}));
  // flow 8: the third source address (8 / 3 = 2), port 1024 + 8 % 3
  FlowCursor c(s, t.first, 8, 1);
  EXPECT_EQ(c.current().src_low32, t.first.src_low32 + 2);
  EXPECT_EQ(c.current().sport, 1026);
}

}  // namespace
}  // namespace sluice::pktgen
