// SPDX-License-Identifier: BSD-3-Clause
// sluice-pktgen's flow spec: defaults, every key, every error message.
#include <gtest/gtest.h>

#include "flow_spec.h"

namespace sluice::pktgen {
namespace {

FlowSpec parse_ok(const char* text) {
  FlowSpecResult r = parse_flow_spec(text);
  EXPECT_TRUE(r.spec) << r.error;
  return r.spec.value_or(FlowSpec{});
}

std::string parse_error(const char* text) {
  FlowSpecResult r = parse_flow_spec(text);
  EXPECT_FALSE(r.spec);
  return r.error;
}

TEST(PktgenFlowSpec, DefaultsForUdpOverIpv4) {
  const FlowSpec s = parse_ok("dst=198.18.0.100");
  EXPECT_EQ(to_string(s),
            "proto=udp,flows=1,src=198.18.1.1,dst=198.18.0.100,sport=1024,ports=1,dport=9,"
            "size=60,smac=02:00:00:00:00:20,dmac=02:00:00:00:00:10");
  EXPECT_EQ(s.kind, Kind::kDatagram);
}

TEST(PktgenFlowSpec, EveryKey) {
  const FlowSpec s = parse_ok(
      "proto=tcp,kind=syn,flows=1000000,src=fd00:1::10,dst=fd00::100,sport=2000,ports=50000,"
      "dport=80,size=128,smac=02:00:00:00:00:aa,dmac=02:00:00:00:00:bb");
  EXPECT_EQ(to_string(s),
            "proto=tcp,kind=syn,flows=1000000,src=fd00:1::10,dst=fd00::100,sport=2000,"
            "ports=50000,dport=80,size=128,smac=02:00:00:00:00:aa,dmac=02:00:00:00:00:bb");
  EXPECT_TRUE(s.ipv6());
  EXPECT_EQ(s.source_addresses(), 20u);
}

TEST(PktgenFlowSpec, TcpIsEstablishedUnlessSaidAndPortsDefaultToTheFlowsThatFit) {
  const FlowSpec s = parse_ok("proto=tcp,flows=16777216,dst=10.0.0.100,dport=80");
  EXPECT_EQ(s.kind, Kind::kEstablished);
  EXPECT_EQ(s.ports, 65536u - 1024);
  EXPECT_EQ(s.source_addresses(), 261u);  // 16777216 / 64512, rounded up
  EXPECT_EQ(s.size, 70);                  // 14 + 20 + 20 + the 16-byte stamp
  EXPECT_EQ(parse_ok("proto=udp,dst=fd00::1").size, 78);
  EXPECT_EQ(parse_ok("proto=tcp,dst=fd00::1").size, 90);
  EXPECT_EQ(parse_ok("flows=10,dst=10.0.0.1").ports, 10u);
}

TEST(PktgenFlowSpec, Errors) {
  EXPECT_EQ(parse_error("flows=10"), "flow spec: dst (the destination address) is required");
  EXPECT_EQ(parse_error("dst=10.0.0.1,flows=0"),
            "flow spec: flows=0: not a number from 1 to 16777216");
  EXPECT_EQ(parse_error("dst=10.0.0.1,flows=16777217"),
            "flow spec: flows=16777217: not a number from 1 to 16777216");
  EXPECT_EQ(parse_error("dst=10.0.0.1,flows=1x"),
            "flow spec: flows=1x: not a number from 1 to 16777216");
  EXPECT_EQ(parse_error("dst=10.0.0.1,proto=icmp"), "flow spec: proto=icmp: allowed: udp, tcp");
  EXPECT_EQ(parse_error("dst=10.0.0.1,proto=tcp,kind=fin"),
            "flow spec: kind=fin: allowed: established, syn");
  EXPECT_EQ(parse_error("dst=10.0.0.1,kind=syn"), "flow spec: kind is for proto=tcp only");
  EXPECT_EQ(parse_error("dst=10.0.0.256"),
            "flow spec: dst=10.0.0.256: not an IPv4 or IPv6 address");
  EXPECT_EQ(parse_error("dst=10.0.0.1,src=fd00::1"),
            "flow spec: src fd00::1 and dst 10.0.0.1 are not of one family");
  EXPECT_EQ(parse_error("dst=10.0.0.1,sport=0"),
            "flow spec: sport=0: not a number from 1 to 65535");
  EXPECT_EQ(parse_error("dst=10.0.0.1,sport=65000,ports=1000"),
            "flow spec: ports=1000 from sport=65000 passes port 65535");
  EXPECT_EQ(parse_error("dst=10.0.0.1,src=255.255.255.255,flows=2,ports=1"),
            "flow spec: 2 source addresses from src=255.255.255.255 overflow its last 32 bits "
            "(the part that varies)");
  EXPECT_EQ(parse_error("dst=10.0.0.1,proto=tcp,size=69"),
            "flow spec: size=69: the headers and the stamp need 70 bytes");
  EXPECT_EQ(parse_error("dst=10.0.0.1,size=1515"),
            "flow spec: size=1515: not a number from 1 to 1514");
  EXPECT_EQ(parse_error("dst=10.0.0.1,dmac=02:00"),
            "flow spec: dmac=02:00: not a MAC address (02:00:00:00:00:10)");
  EXPECT_EQ(parse_error("dst=10.0.0.1,color=red"),
            "flow spec: unknown key 'color'; allowed: proto, kind, flows, src, dst, sport, dport, "
            "ports, size, smac, dmac");
  EXPECT_EQ(parse_error("dst=10.0.0.1,flows"), "flow spec: 'flows' is not key=value");
}

}  // namespace
}  // namespace sluice::pktgen
