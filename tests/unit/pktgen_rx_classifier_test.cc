// SPDX-License-Identifier: BSD-3-Clause
// sluice-pktgen's receive side: the backend and the stamp of what sluice sends back in
// each forwarding mode (DSR by L2 rewrite, IP-in-IP, GUE), of a frame sent back as it
// came (testpmd io), and of frames without a stamp.
#include <gtest/gtest.h>

#include "flow_spec.h"
#include "frame_template.h"
#include "packet_builder.h"
#include "rx_classifier.h"
#include "summary.h"

namespace sluice::pktgen {
namespace {

using testing_support::Bytes;
using testing_support::Packet;

constexpr testing_support::Mac kBackendMac{0x02, 0, 0, 0, 0, 0x31};
constexpr testing_support::Mac kOurMac{0x02, 0, 0, 0, 0, 0x10};

// A client frame of flow 77 stamped with TSC 123456789, as sluice-pktgen sends it: the
// IP packet alone (the Ethernet header cut off) or the whole frame.
Bytes client_frame(const char* spec_text, bool ip_only) {
  const FlowSpec s = *parse_flow_spec(spec_text).spec;
  const FrameTemplate t = build_template(s);
  Bytes f(t.bytes.begin(), t.bytes.begin() + t.length);
  FlowFields fields = t.first;
  fields.flow = 77;
  write_flow(f.data(), t, fields, 123456789);
  if (ip_only) f.erase(f.begin(), f.begin() + wire::kEthHeaderLen);
  return f;
}

Received classified(const Bytes& frame, uint16_t gue_port = 6080) {
  Received r;
  EXPECT_TRUE(classify(frame.data(), uint32_t(frame.size()), gue_port, r));
  return r;
}

void expect_stamp(const Received& r) {
  EXPECT_TRUE(r.stamped);
  EXPECT_EQ(r.flow, 77u);
  EXPECT_EQ(r.tsc, 123456789u);
}

TEST(PktgenRxClassifier, SentBackAsItCameCountsForItsDestinationMac) {
  for (const char* spec :
       {"dst=10.0.0.100", "proto=tcp,dst=fd00::100", "proto=tcp,kind=syn,dst=10.0.0.1"}) {
    SCOPED_TRACE(spec);
    const Received r = classified(client_frame(spec, false));
    EXPECT_EQ(backend_name(r.backend), "mac:02:00:00:00:00:10");
    expect_stamp(r);
  }
}

TEST(PktgenRxClassifier, DsrL2CountsForTheBackendMacBehindVlanTags) {
  Bytes ip = client_frame("proto=tcp,dst=10.0.0.100", true);
  Packet p;
  p.eth(kBackendMac, kOurMac).vlan(10).ethertype(wire::kEtherTypeIpv4).payload(ip);
  const Received r = classified(p.bytes());
  EXPECT_EQ(backend_name(r.backend), "mac:02:00:00:00:00:31");
  expect_stamp(r);
}

TEST(PktgenRxClassifier, IpipCountsForTheTunnelDestination) {
  const Bytes inner4 = client_frame("proto=tcp,dst=10.0.0.100", true);
  Packet p4;
  p4.eth(kBackendMac, kOurMac).ipv4("10.0.0.1", "10.0.1.7").proto(wire::kProtoIpip).payload(inner4);
  Received r = classified(p4.bytes());
  EXPECT_EQ(backend_name(r.backend), "ip:10.0.1.7");
  expect_stamp(r);

  const Bytes inner6 = client_frame("dst=fd00::100", true);
  Packet p6;
  p6.eth(kBackendMac, kOurMac).ipv6("fd00::1", "fd00:1::7").proto(wire::kProtoIpv6).payload(inner6);
  r = classified(p6.bytes());
  EXPECT_EQ(backend_name(r.backend), "ip:fd00:1::7");
  expect_stamp(r);
}

TEST(PktgenRxClassifier, GueCountsForTheTunnelDestinationOnItsPortOnly) {
  const Bytes inner = client_frame("proto=tcp,kind=syn,dst=fd00::100", true);
  Packet p;
  p.eth(kBackendMac, kOurMac).ipv6("fd00::1", "fd00:1::9").udp(40000, 6080).payload(inner);
  Received r = classified(p.bytes());
  EXPECT_EQ(backend_name(r.backend), "ip:fd00:1::9");
  expect_stamp(r);
  // another port: plain UDP whose payload is no stamp
  r = classified(p.bytes(), 6081);
  EXPECT_EQ(backend_name(r.backend), "mac:02:00:00:00:00:31");
  EXPECT_FALSE(r.stamped);
}

TEST(PktgenRxClassifier, FramesWithoutAStampCountForTheirMacOnly) {
  Packet arp;
  arp.eth(kBackendMac, kOurMac).arp();
  Received r = classified(arp.bytes());
  EXPECT_EQ(backend_name(r.backend), "mac:02:00:00:00:00:31");
  EXPECT_FALSE(r.stamped);

  Packet other;
  other.eth(kBackendMac, kOurMac).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).payload(16, 0);
  EXPECT_FALSE(classified(other.bytes()).stamped);

  // a stamp cut short, a fragment: not read
  Bytes cut = client_frame("dst=10.0.0.100", false);
  cut.resize(cut.size() - 1);
  EXPECT_FALSE(classified(cut).stamped);
  Bytes fragment = client_frame("dst=10.0.0.100", false);
  fragment[wire::kEthHeaderLen + 6] |= 0x20;  // more fragments
  EXPECT_FALSE(classified(fragment).stamped);

  Received runt;
  const uint8_t short_frame[13] = {};
  EXPECT_FALSE(classify(short_frame, sizeof short_frame, 6080, runt));
}

}  // namespace
}  // namespace sluice::pktgen
