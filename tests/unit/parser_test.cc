// SPDX-License-Identifier: BSD-3-Clause
#include "packet/parser.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "packet_builder.h"

namespace sluice {

void PrintTo(PacketKind kind, std::ostream* os) {
  static constexpr const char* kNames[] = {"kDrop", "kIpv4", "kIpv6", "kArp", "kOther"};
  *os << kNames[size_t(kind)];
}
void PrintTo(DropReason reason, std::ostream* os) {
  *os << (reason == DropReason::count ? "none" : kDropReasons[size_t(reason)].name);
}
void PrintTo(const FlowKey& key, std::ostream* os) {
  *os << key.src.to_string() << ":" << key.src_port << " -> " << key.dst.to_string() << ":"
      << key.dst_port << " proto " << int(key.protocol);
}

namespace {

using namespace wire;
using testing_support::Bytes;
using testing_support::ipv4_nops;
using testing_support::Packet;

constexpr uint8_t kTcpUrg = 0x20;
constexpr uint8_t kTcpEce = 0x40;
constexpr uint8_t kTcpCwr = 0x80;
constexpr uint8_t kProtoGre = 47;
constexpr uint8_t kProtoSctp = 132;
constexpr uint16_t kEtherTypeLldp = 0x88cc;

IpAddress ip(const char* text) { return IpAddress::parse(text).value(); }

FlowKey key(const char* src, const char* dst, uint16_t src_port, uint16_t dst_port,
            uint8_t protocol) {
  FlowKey k;
  k.src = ip(src);
  k.dst = ip(dst);
  k.src_port = src_port;
  k.dst_port = dst_port;
  k.protocol = protocol;
  return k;
}

// Parses from an exactly-sized heap copy, so AddressSanitizer catches any overread.
ParsedPacket parse(const std::vector<uint8_t>& frame) {
  std::vector<uint8_t> copy(frame.begin(), frame.end());
  ParsedPacket out;
  parse_frame(copy.data(), uint32_t(copy.size()), out);
  return out;
}
ParsedPacket parse(const Packet& frame) { return parse(frame.bytes()); }

constexpr uint32_t kEth = kEthHeaderLen;
constexpr uint32_t kV4 = kEth + kIpv4HeaderLen;  // L4 offset of a plain IPv4 frame
constexpr uint32_t kV6 = kEth + kIpv6HeaderLen;

Packet tcp4() { return Packet().eth().ipv4("10.0.0.1", "10.0.0.100").tcp(1234, 80, kTcpSyn); }
Packet tcp6() { return Packet().eth().ipv6("2001:db8::1", "2001:db8::100").tcp(1234, 80, kTcpSyn); }

// --- Ethernet -----------------------------------------------------------------------

TEST(ParseEthernet, TcpOverIpv4) {
  const ParsedPacket p = parse(tcp4().payload(10));
  EXPECT_EQ(p.kind, PacketKind::kIpv4);
  EXPECT_EQ(p.drop, DropReason::count);
  EXPECT_EQ(p.vlan_count, 0);
  EXPECT_EQ(p.l3_offset, kEth);
  EXPECT_EQ(p.l4_offset, kV4);
  EXPECT_EQ(p.l3_length, 20 + 20 + 10);
  EXPECT_EQ(p.tcp_flags, kTcpSyn);
  EXPECT_FALSE(p.icmp_error);
  EXPECT_EQ(p.key, key("10.0.0.1", "10.0.0.100", 1234, 80, kProtoTcp));
}

TEST(ParseEthernet, OneVlanTag) {
  const ParsedPacket p =
      parse(Packet().eth().vlan(10).ipv4("10.0.0.1", "10.0.0.100").tcp(1234, 80, kTcpAck));
  EXPECT_EQ(p.kind, PacketKind::kIpv4);
  EXPECT_EQ(p.vlan_count, 1);
  EXPECT_EQ(p.l3_offset, kEth + 4);
  EXPECT_EQ(p.l4_offset, kV4 + 4);
  EXPECT_EQ(p.l3_length, 40);
  EXPECT_EQ(p.tcp_flags, kTcpAck);
  EXPECT_EQ(p.key, key("10.0.0.1", "10.0.0.100", 1234, 80, kProtoTcp));
}

TEST(ParseEthernet, QinQ) {
  const ParsedPacket p = parse(Packet()
                                   .eth()
                                   .vlan(100, kEtherTypeQinQ)
                                   .vlan(10)
                                   .ipv6("2001:db8::1", "2001:db8::100")
                                   .udp(5353, 53));
  EXPECT_EQ(p.kind, PacketKind::kIpv6);
  EXPECT_EQ(p.vlan_count, 2);
  EXPECT_EQ(p.l3_offset, kEth + 8);
  EXPECT_EQ(p.l4_offset, kV6 + 8);
  EXPECT_EQ(p.l3_length, 48);
  EXPECT_EQ(p.key, key("2001:db8::1", "2001:db8::100", 5353, 53, kProtoUdp));
}

TEST(ParseEthernet, ThirdVlanTagIsOther) {
  const ParsedPacket p =
      parse(Packet().eth().vlan(1, kEtherTypeQinQ).vlan(2).vlan(3).ipv4("10.0.0.1", "10.0.0.2"));
  EXPECT_EQ(p.kind, PacketKind::kOther);
  EXPECT_EQ(p.vlan_count, 2);
  EXPECT_EQ(p.l3_offset, kEth + 8);
}

TEST(ParseEthernet, OtherEthertype) {
  const ParsedPacket p = parse(Packet().eth().ethertype(kEtherTypeLldp).payload(40));
  EXPECT_EQ(p.kind, PacketKind::kOther);
  EXPECT_EQ(p.l3_offset, kEth);
  EXPECT_EQ(p.l3_length, 0);
  EXPECT_EQ(p.key, FlowKey{});
}

TEST(ParseEthernet, TooShort) {
  std::vector<uint8_t> b = tcp4().bytes();
  b.resize(kEth - 1);
  EXPECT_EQ(parse(b).drop, DropReason::l2_truncated);
  EXPECT_EQ(parse(b).kind, PacketKind::kDrop);
}

TEST(ParseEthernet, VlanTagCutShort) {
  std::vector<uint8_t> b = Packet().eth().vlan(7).ipv4("10.0.0.1", "10.0.0.2").bytes();
  b.resize(kEth + 3);
  EXPECT_EQ(parse(b).drop, DropReason::l2_truncated);
}

TEST(ParseEthernet, ResetsOutputBeforeParsing) {
  ParsedPacket p;
  const std::vector<uint8_t> error =
      Packet()
          .eth()
          .vlan(3)
          .ipv4("192.0.2.1", "203.0.113.5")
          .icmp(kIcmpDestUnreachable, kIcmpCodeFragNeeded)
          .quote(Packet().ipv4("10.0.0.100", "203.0.113.5").tcp(80, 40000, kTcpAck))
          .bytes();
  parse_frame(error.data(), uint32_t(error.size()), p);
  ASSERT_TRUE(p.icmp_error);
  const std::vector<uint8_t> arp = Packet().eth().arp().bytes();
  parse_frame(arp.data(), uint32_t(arp.size()), p);
  EXPECT_EQ(p.kind, PacketKind::kArp);
  EXPECT_EQ(p.vlan_count, 0);
  EXPECT_EQ(p.l4_offset, 0);
  EXPECT_EQ(p.l3_length, 0);
  EXPECT_EQ(p.icmp_type, 0);
  EXPECT_EQ(p.icmp_code, 0);
  EXPECT_FALSE(p.icmp_error);
  EXPECT_EQ(p.key, FlowKey{});
}

// --- ARP ----------------------------------------------------------------------------

TEST(ParseArp, EthernetIpv4) {
  const ParsedPacket p = parse(Packet().eth().vlan(5).arp().pad(14));
  EXPECT_EQ(p.kind, PacketKind::kArp);
  EXPECT_EQ(p.vlan_count, 1);
  EXPECT_EQ(p.l3_offset, kEth + 4);
}

TEST(ParseArp, Malformed) {
  const size_t a = kEth;
  std::vector<uint8_t> short_arp = Packet().eth().arp().bytes();
  short_arp.pop_back();
  EXPECT_EQ(parse(short_arp).drop, DropReason::arp_malformed) << "27 bytes";
  EXPECT_EQ(parse(Packet().eth().arp().set16(a + 0, 6)).drop, DropReason::arp_malformed) << "htype";
  EXPECT_EQ(parse(Packet().eth().arp().set16(a + 2, kEtherTypeIpv6)).drop,
            DropReason::arp_malformed)
      << "ptype";
  EXPECT_EQ(parse(Packet().eth().arp().set8(a + 4, 8)).drop, DropReason::arp_malformed) << "hlen";
  EXPECT_EQ(parse(Packet().eth().arp().set8(a + 5, 16)).drop, DropReason::arp_malformed) << "plen";
}

// --- IPv4 ---------------------------------------------------------------------------

TEST(ParseIpv4, Udp) {
  const ParsedPacket p = parse(Packet().eth().ipv4("10.1.2.3", "10.0.0.100").udp(40000, 53));
  EXPECT_EQ(p.kind, PacketKind::kIpv4);
  EXPECT_EQ(p.l4_offset, kV4);
  EXPECT_EQ(p.l3_length, 28);
  EXPECT_EQ(p.tcp_flags, 0);
  EXPECT_EQ(p.key, key("10.1.2.3", "10.0.0.100", 40000, 53, kProtoUdp));
  EXPECT_TRUE(p.key.src.is_v4());
}

TEST(ParseIpv4, Options) {
  const ParsedPacket p =
      parse(Packet().eth().ipv4("10.0.0.1", "10.0.0.100", {.options = ipv4_nops(3)}).udp(1, 2));
  EXPECT_EQ(p.kind, PacketKind::kIpv4);
  EXPECT_EQ(p.l4_offset, kV4 + 12);
  EXPECT_EQ(p.l3_length, 32 + 8);
  EXPECT_EQ(p.key, key("10.0.0.1", "10.0.0.100", 1, 2, kProtoUdp));

  const ParsedPacket max =
      parse(Packet().eth().ipv4("10.0.0.1", "10.0.0.100", {.options = ipv4_nops(10)}).tcp(5, 6, 0));
  EXPECT_EQ(max.kind, PacketKind::kIpv4);
  EXPECT_EQ(max.l4_offset, kEth + 60);
}

TEST(ParseIpv4, FramePaddingIsNotPartOfThePacket) {
  const ParsedPacket p = parse(Packet().eth().ipv4("10.0.0.1", "10.0.0.100").udp(1, 2).pad(18));
  EXPECT_EQ(p.kind, PacketKind::kIpv4);
  EXPECT_EQ(p.l3_length, 28);
}

TEST(ParseIpv4, AllTcpFlags) {
  const uint8_t all = kTcpFin | kTcpSyn | kTcpRst | kTcpPsh | kTcpAck | kTcpUrg | kTcpEce | kTcpCwr;
  ASSERT_EQ(all, 0xff);
  // The NS bit (low bit of byte 12) is not among the reported flags.
  const ParsedPacket p = parse(tcp4().set8(kV4 + 13, all).set8(kV4 + 12, 0x51));
  EXPECT_EQ(p.kind, PacketKind::kIpv4);
  EXPECT_EQ(p.tcp_flags, 0xff);
  EXPECT_EQ(parse(tcp4().set8(kV4 + 13, kTcpFin | kTcpAck)).tcp_flags, kTcpFin | kTcpAck);
}

TEST(ParseIpv4, TcpWithOptions) {
  const ParsedPacket p = parse(Packet()
                                   .eth()
                                   .ipv4("10.0.0.1", "10.0.0.100")
                                   .tcp(1234, 443, kTcpSyn, {.options = Bytes(40, 0)}));
  EXPECT_EQ(p.kind, PacketKind::kIpv4);
  EXPECT_EQ(p.l4_offset, kV4);
  EXPECT_EQ(p.l3_length, 20 + 60);
  EXPECT_EQ(p.key.dst_port, 443);
}

TEST(ParseIpv4, DontFragmentIsNotAFragment) {
  EXPECT_EQ(parse(tcp4().set16(kEth + 6, kIpv4FlagDontFragment)).kind, PacketKind::kIpv4);
}

TEST(ParseIpv4, FirstFragmentIsParsedAsAWholePacket) {
  const ParsedPacket first =
      parse(Packet()
                .eth()
                .ipv4("10.0.0.1", "10.0.0.100", {.id = 0xbeef, .frag = kIpv4FlagMoreFragments})
                .tcp(1234, 80, kTcpSyn));
  EXPECT_EQ(first.kind, PacketKind::kIpv4);
  EXPECT_EQ(first.fragment, Fragment::kFirst);
  EXPECT_EQ(first.fragment_id, 0xbeefu);
  EXPECT_EQ(first.fragment_protocol, kProtoTcp);
  EXPECT_EQ(first.key, key("10.0.0.1", "10.0.0.100", 1234, 80, kProtoTcp));
  EXPECT_EQ(first.tcp_flags, kTcpSyn);
  EXPECT_EQ(first.l4_offset, kV4);
}

TEST(ParseIpv4, LaterFragmentsHaveNoPorts) {
  for (uint16_t frag : {uint16_t(185), uint16_t(kIpv4FlagMoreFragments | 1)}) {
    const ParsedPacket later =
        parse(Packet().eth().ipv4("10.0.0.1", "10.0.0.100", {.id = 7, .frag = frag}).udp(1, 2));
    EXPECT_EQ(later.kind, PacketKind::kIpv4) << frag;
    EXPECT_EQ(later.fragment, Fragment::kLater) << frag;
    EXPECT_EQ(later.fragment_id, 7u);
    EXPECT_EQ(later.fragment_protocol, kProtoUdp);
    EXPECT_EQ(later.key, key("10.0.0.1", "10.0.0.100", 0, 0, kProtoUdp)) << frag;
    EXPECT_EQ(later.l4_offset, kV4);
    EXPECT_EQ(later.l3_length, 20 + 8);
  }
}

TEST(ParseIpv4, FirstFragmentWithoutItsWholeL4Header) {
  // 8 of TCP's 20 bytes: the tiny-fragment trick of RFC 1858 gets no flow.
  const ParsedPacket p = parse(
      Packet()
          .eth()
          .ipv4("10.0.0.1", "10.0.0.100", {.frag = kIpv4FlagMoreFragments, .total_length = 20 + 8})
          .tcp(1234, 80, kTcpSyn)
          .truncate(kV4 + 8));
  EXPECT_EQ(p.kind, PacketKind::kDrop);
  EXPECT_EQ(p.drop, DropReason::l4_truncated);
  EXPECT_EQ(p.fragment, Fragment::kFirst);
}

TEST(ParseIpv4, IcmpEcho) {
  const ParsedPacket p =
      parse(Packet().eth().ipv4("198.51.100.7", "10.0.0.100").icmp(kIcmpEchoRequest).payload(56));
  EXPECT_EQ(p.kind, PacketKind::kIpv4);
  EXPECT_EQ(p.l4_offset, kV4);
  EXPECT_EQ(p.icmp_type, kIcmpEchoRequest);
  EXPECT_EQ(p.icmp_code, 0);
  EXPECT_FALSE(p.icmp_error);
  EXPECT_EQ(p.key, key("198.51.100.7", "10.0.0.100", 0, 0, kProtoIcmp));

  const ParsedPacket reply =
      parse(Packet().eth().ipv4("10.0.0.100", "198.51.100.7").icmp(kIcmpEchoReply));
  EXPECT_EQ(reply.icmp_type, kIcmpEchoReply);
  EXPECT_EQ(reply.key, key("10.0.0.100", "198.51.100.7", 0, 0, kProtoIcmp));
}

TEST(ParseIpv4, OtherProtocolsHaveNoPorts) {
  for (uint8_t proto : {kProtoGre, kProtoEsp, kProtoSctp, kProtoIcmpv6, kProtoVrrp}) {
    const ParsedPacket p =
        parse(Packet().eth().ipv4("10.0.0.1", "10.0.0.100").proto(proto).payload(24, 0xee));
    EXPECT_EQ(p.kind, PacketKind::kIpv4) << int(proto);
    EXPECT_EQ(p.key, key("10.0.0.1", "10.0.0.100", 0, 0, proto)) << int(proto);
    EXPECT_EQ(p.icmp_type, 0) << int(proto);
  }
}

// --- IPv6 ---------------------------------------------------------------------------

TEST(ParseIpv6, Tcp) {
  const ParsedPacket p = parse(tcp6().payload(100));
  EXPECT_EQ(p.kind, PacketKind::kIpv6);
  EXPECT_EQ(p.l3_offset, kEth);
  EXPECT_EQ(p.l4_offset, kV6);
  EXPECT_EQ(p.l3_length, 40 + 20 + 100);
  EXPECT_EQ(p.tcp_flags, kTcpSyn);
  EXPECT_EQ(p.key, key("2001:db8::1", "2001:db8::100", 1234, 80, kProtoTcp));
  EXPECT_FALSE(p.key.src.is_v4());
}

TEST(ParseIpv6, HopByHopDestOptionsAndAtomicFragment) {
  const ParsedPacket p = parse(Packet()
                                   .eth()
                                   .ipv6("2001:db8::1", "2001:db8::100")
                                   .ext(kProtoHopByHop)
                                   .ext(kProtoDestOptions, 16)
                                   .frag6(0, false)
                                   .tcp(1234, 80, kTcpSyn | kTcpEce | kTcpCwr));
  EXPECT_EQ(p.kind, PacketKind::kIpv6);
  EXPECT_EQ(p.l4_offset, kV6 + 8 + 16 + 8);
  EXPECT_EQ(p.l3_length, 40 + 32 + 20);
  EXPECT_EQ(p.tcp_flags, kTcpSyn | kTcpEce | kTcpCwr);
  EXPECT_EQ(p.key, key("2001:db8::1", "2001:db8::100", 1234, 80, kProtoTcp));
}

TEST(ParseIpv6, RoutingAndAuthenticationHeader) {
  const ParsedPacket p = parse(Packet()
                                   .eth()
                                   .ipv6("2001:db8::1", "2001:db8::100")
                                   .ext(kProtoRouting, 24)
                                   .ah(24)
                                   .udp(4000, 4500));
  EXPECT_EQ(p.kind, PacketKind::kIpv6);
  EXPECT_EQ(p.l4_offset, kV6 + 24 + 24);
  EXPECT_EQ(p.key, key("2001:db8::1", "2001:db8::100", 4000, 4500, kProtoUdp));
}

TEST(ParseIpv6, MobilityHipShim6UseTheGenericLength) {
  for (uint8_t type : {kProtoMobility, kProtoHip, kProtoShim6}) {
    const ParsedPacket p =
        parse(Packet().eth().ipv6("2001:db8::1", "2001:db8::100").ext(type, 40).udp(1, 2));
    EXPECT_EQ(p.kind, PacketKind::kIpv6) << int(type);
    EXPECT_EQ(p.l4_offset, kV6 + 40) << int(type);
    EXPECT_EQ(p.key.protocol, kProtoUdp) << int(type);
  }
}

TEST(ParseIpv6, EspAndNoNextHeaderEndTheChain) {
  const ParsedPacket esp = parse(Packet()
                                     .eth()
                                     .ipv6("2001:db8::1", "2001:db8::100")
                                     .ext(kProtoDestOptions)
                                     .proto(kProtoEsp)
                                     .payload(32));
  EXPECT_EQ(esp.kind, PacketKind::kIpv6);
  EXPECT_EQ(esp.l4_offset, kV6 + 8);
  EXPECT_EQ(esp.key, key("2001:db8::1", "2001:db8::100", 0, 0, kProtoEsp));

  const ParsedPacket none = parse(
      Packet().eth().ipv6("2001:db8::1", "2001:db8::100").ext(kProtoHopByHop).proto(kProtoNoNext));
  EXPECT_EQ(none.kind, PacketKind::kIpv6);
  EXPECT_EQ(none.l4_offset, kV6 + 8);
  EXPECT_EQ(none.l3_length, 48);
  EXPECT_EQ(none.key.protocol, kProtoNoNext);
}

TEST(ParseIpv6, Fragments) {
  const ParsedPacket later = parse(Packet()
                                       .eth()
                                       .ipv6("2001:db8::1", "2001:db8::100")
                                       .ext(kProtoHopByHop)
                                       .frag6(185, false, 0x89abcdef)
                                       .proto(kProtoDestOptions)
                                       .payload(64));
  EXPECT_EQ(later.kind, PacketKind::kIpv6);
  EXPECT_EQ(later.fragment, Fragment::kLater);
  EXPECT_EQ(later.fragment_id, 0x89abcdefu);
  EXPECT_EQ(later.fragment_protocol, kProtoDestOptions) << "the fragmentable part's first header";
  EXPECT_EQ(later.key, key("2001:db8::1", "2001:db8::100", 0, 0, kProtoDestOptions));
  EXPECT_EQ(later.l4_offset, kV6 + 8 + 8);
  EXPECT_EQ(later.l3_length, 40 + 16 + 64);

  const ParsedPacket first = parse(Packet()
                                       .eth()
                                       .ipv6("2001:db8::1", "2001:db8::100")
                                       .ext(kProtoHopByHop)
                                       .frag6(0, true, 0x89abcdef)
                                       .ext(kProtoDestOptions)
                                       .tcp(1, 2, kTcpSyn));
  EXPECT_EQ(first.kind, PacketKind::kIpv6);
  EXPECT_EQ(first.fragment, Fragment::kFirst);
  EXPECT_EQ(first.fragment_id, 0x89abcdefu);
  EXPECT_EQ(first.fragment_protocol, kProtoDestOptions);
  EXPECT_EQ(first.key, key("2001:db8::1", "2001:db8::100", 1, 2, kProtoTcp));
  EXPECT_EQ(first.l4_offset, kV6 + 8 + 8 + 8);

  // RFC 7112: the first fragment holds the whole header chain, and one fragment header.
  EXPECT_EQ(parse(Packet()
                      .eth()
                      .ipv6("2001:db8::1", "2001:db8::100", {.payload_length = 8 + 32})
                      .frag6(0, true)
                      .ext(kProtoDestOptions, 64)
                      .udp(1, 2)
                      .truncate(kV6 + 8 + 32))
                .drop,
            DropReason::ipv6_bad_extension);
  EXPECT_EQ(parse(Packet()
                      .eth()
                      .ipv6("2001:db8::1", "2001:db8::100")
                      .frag6(0, true)
                      .frag6(8, true)
                      .payload(16))
                .drop,
            DropReason::ipv6_bad_extension);
}

TEST(ParseIpv6, EightExtensionHeadersAreAllowedNineAreNot) {
  Packet eight = Packet().eth().ipv6("2001:db8::1", "2001:db8::100");
  for (int i = 0; i < 8; ++i) eight.ext(kProtoDestOptions);
  const ParsedPacket p = parse(Packet(eight).udp(1, 2));
  EXPECT_EQ(p.kind, PacketKind::kIpv6);
  EXPECT_EQ(p.l4_offset, kV6 + 64);

  const ParsedPacket nine = parse(Packet(eight).ext(kProtoDestOptions).udp(1, 2));
  EXPECT_EQ(nine.kind, PacketKind::kDrop);
  EXPECT_EQ(nine.drop, DropReason::ipv6_bad_extension);
}

TEST(ParseIpv6, ExtensionLongerThanThePacket) {
  const Packet f = Packet()
                       .eth()
                       .ipv6("2001:db8::1", "2001:db8::100")
                       .ext(kProtoHopByHop, 16)
                       .proto(kProtoNoNext);
  EXPECT_EQ(parse(Packet(f).set8(kV6 + 1, 2)).drop, DropReason::ipv6_bad_extension);
  EXPECT_EQ(parse(Packet(f).set8(kV6 + 1, 1)).kind, PacketKind::kIpv6);
  EXPECT_EQ(parse(Packet()
                      .eth()
                      .ipv6("2001:db8::1", "2001:db8::100")
                      .ah(12)
                      .proto(kProtoNoNext)
                      .set8(kV6 + 1, 2))
                .drop,
            DropReason::ipv6_bad_extension)
      << "AH length counts 4-byte units plus 2";
  // Padding after the packet does not make a too-long header fit.
  EXPECT_EQ(parse(Packet(f).set8(kV6 + 1, 2).pad(32)).drop, DropReason::ipv6_bad_extension);
}

TEST(ParseIpv6, ExtensionHeaderCutShort) {
  // Payload of 4 bytes: not even the 8-byte minimum of the hop-by-hop header.
  const ParsedPacket p = parse(
      Packet().eth().ipv6("2001:db8::1", "2001:db8::100").proto(kProtoHopByHop).payload(4, 0));
  EXPECT_EQ(p.drop, DropReason::ipv6_bad_extension);
  const ParsedPacket frag = parse(
      Packet().eth().ipv6("2001:db8::1", "2001:db8::100").proto(kProtoFragment).payload(6, 0));
  EXPECT_EQ(frag.drop, DropReason::ipv6_bad_extension);
}

TEST(ParseIpv6, IcmpEcho) {
  const ParsedPacket p = parse(
      Packet().eth().ipv6("2001:db8::7", "2001:db8::100").icmp(kIcmpv6EchoRequest).payload(56));
  EXPECT_EQ(p.kind, PacketKind::kIpv6);
  EXPECT_EQ(p.icmp_type, kIcmpv6EchoRequest);
  EXPECT_FALSE(p.icmp_error);
  EXPECT_EQ(p.key, key("2001:db8::7", "2001:db8::100", 0, 0, kProtoIcmpv6));

  const ParsedPacket ns = parse(Packet()
                                    .eth()
                                    .ipv6("fe80::1", "ff02::1:ff00:100")
                                    .icmp(kIcmpv6NeighborSolicitation)
                                    .payload(24));
  EXPECT_EQ(ns.kind, PacketKind::kIpv6);
  EXPECT_EQ(ns.icmp_type, kIcmpv6NeighborSolicitation);
  EXPECT_FALSE(ns.icmp_error);
}

// --- ICMP errors ----------------------------------------------------------------------

// In DSR the backend answers from the VIP: the router's error quotes VIP -> client.
TEST(ParseIcmpError, Ipv4FragNeededQuotingTcpGivesTheClientToVipFlow) {
  const Packet quoted = Packet().ipv4("10.0.0.100", "203.0.113.5").tcp(80, 40000, kTcpAck);
  const ParsedPacket p = parse(Packet()
                                   .eth()
                                   .ipv4("192.0.2.1", "10.0.0.100")
                                   .icmp(kIcmpDestUnreachable, kIcmpCodeFragNeeded)
                                   .quote(quoted, 28));
  EXPECT_EQ(p.kind, PacketKind::kIpv4);
  EXPECT_TRUE(p.icmp_error);
  EXPECT_EQ(p.icmp_type, kIcmpDestUnreachable);
  EXPECT_EQ(p.icmp_code, kIcmpCodeFragNeeded);
  EXPECT_EQ(p.l4_offset, kV4);
  EXPECT_EQ(p.l3_length, 20 + 8 + 28);
  EXPECT_EQ(p.tcp_flags, 0);
  EXPECT_EQ(p.key, key("203.0.113.5", "10.0.0.100", 40000, 80, kProtoTcp));
}

TEST(ParseIcmpError, Ipv4TimeExceededQuotingUdpWithOptions) {
  const Packet quoted =
      Packet().ipv4("10.0.0.100", "203.0.113.5", {.options = ipv4_nops(2)}).udp(53, 5353);
  const ParsedPacket p =
      parse(Packet().eth().ipv4("192.0.2.1", "10.0.0.100").icmp(kIcmpTimeExceeded).quote(quoted));
  EXPECT_TRUE(p.icmp_error);
  EXPECT_EQ(p.icmp_type, kIcmpTimeExceeded);
  EXPECT_EQ(p.key, key("203.0.113.5", "10.0.0.100", 5353, 53, kProtoUdp));
}

TEST(ParseIcmpError, Ipv4AllDestUnreachableCodes) {
  const Packet quoted = Packet().ipv4("10.0.0.100", "203.0.113.5").tcp(80, 40000, kTcpAck);
  for (uint8_t code = 0; code <= 15; ++code) {
    const ParsedPacket p = parse(Packet()
                                     .eth()
                                     .ipv4("192.0.2.1", "10.0.0.100")
                                     .icmp(kIcmpDestUnreachable, code)
                                     .quote(quoted, 28));
    EXPECT_TRUE(p.icmp_error) << int(code);
    EXPECT_EQ(p.icmp_code, code);
    EXPECT_EQ(p.key, key("203.0.113.5", "10.0.0.100", 40000, 80, kProtoTcp)) << int(code);
  }
}

TEST(ParseIcmpError, Ipv4QuotingAPortlessProtocol) {
  const Packet quoted = Packet().ipv4("10.0.0.100", "203.0.113.5").proto(kProtoGre).payload(8);
  const ParsedPacket p = parse(
      Packet().eth().ipv4("192.0.2.1", "10.0.0.100").icmp(kIcmpDestUnreachable, 1).quote(quoted));
  EXPECT_TRUE(p.icmp_error);
  EXPECT_EQ(p.key, key("203.0.113.5", "10.0.0.100", 0, 0, kProtoGre));
}

TEST(ParseIcmpError, Ipv4OtherTypesAreNotErrors) {
  const Packet quoted = Packet().ipv4("10.0.0.100", "203.0.113.5").tcp(80, 40000, kTcpAck);
  for (uint8_t type : {4, 5, 12}) {  // source quench, redirect, parameter problem
    const ParsedPacket p =
        parse(Packet().eth().ipv4("192.0.2.1", "10.0.0.100").icmp(type).quote(quoted, 28));
    EXPECT_EQ(p.kind, PacketKind::kIpv4) << int(type);
    EXPECT_FALSE(p.icmp_error) << int(type);
    EXPECT_EQ(p.key, key("192.0.2.1", "10.0.0.100", 0, 0, kProtoIcmp)) << int(type);
  }
}

TEST(ParseIcmpError, Ipv6PacketTooBigQuotingTcpGivesTheClientToVipFlow) {
  const Packet quoted = Packet().ipv6("2001:db8::100", "2001:db8:ffff::5").tcp(443, 50000, kTcpAck);
  const ParsedPacket p = parse(Packet()
                                   .eth()
                                   .vlan(20)
                                   .ipv6("2001:db8:1::1", "2001:db8::100")
                                   .icmp(kIcmpv6PacketTooBig)
                                   .quote(quoted));
  EXPECT_EQ(p.kind, PacketKind::kIpv6);
  EXPECT_TRUE(p.icmp_error);
  EXPECT_EQ(p.icmp_type, kIcmpv6PacketTooBig);
  EXPECT_EQ(p.l4_offset, kV6 + 4);
  EXPECT_EQ(p.l3_length, 40 + 8 + 60);
  EXPECT_EQ(p.key, key("2001:db8:ffff::5", "2001:db8::100", 50000, 443, kProtoTcp));
}

TEST(ParseIcmpError, Ipv6DestUnreachableAndTimeExceeded) {
  const Packet quoted = Packet().ipv6("2001:db8::100", "2001:db8:ffff::5").udp(53, 5353);
  for (uint8_t type : {kIcmpv6DestUnreachable, kIcmpv6TimeExceeded}) {
    const ParsedPacket p = parse(Packet()
                                     .eth()
                                     .ipv6("2001:db8:1::1", "2001:db8::100")
                                     .ext(kProtoHopByHop)
                                     .icmp(type)
                                     .quote(quoted, 44));
    EXPECT_TRUE(p.icmp_error) << int(type);
    EXPECT_EQ(p.l4_offset, kV6 + 8);
    EXPECT_EQ(p.key, key("2001:db8:ffff::5", "2001:db8::100", 5353, 53, kProtoUdp)) << int(type);
  }
}

TEST(ParseIcmpError, Ipv6QuotingAFirstFragmentGivesItsFlow) {
  // The backend fragmented its reply; the error quotes the first fragment.
  const Packet quoted = Packet()
                            .ipv6("2001:db8::100", "2001:db8:ffff::5")
                            .frag6(0, true, 0x42)
                            .udp(53, 5353)
                            .payload(64);
  const ParsedPacket p = parse(Packet()
                                   .eth()
                                   .ipv6("2001:db8:1::1", "2001:db8::100")
                                   .icmp(kIcmpv6PacketTooBig)
                                   .quote(quoted, 40 + 8 + 8));
  EXPECT_TRUE(p.icmp_error);
  EXPECT_EQ(p.fragment, Fragment::kNone) << "the error itself is whole";
  EXPECT_EQ(p.key, key("2001:db8:ffff::5", "2001:db8::100", 5353, 53, kProtoUdp));
}

TEST(ParseIcmpError, Ipv6QuotingAnExtensionHeaderHasNoPorts) {
  const Packet quoted =
      Packet().ipv6("2001:db8::100", "2001:db8:ffff::5").ext(kProtoDestOptions).tcp(1, 2, 0);
  const ParsedPacket p = parse(Packet()
                                   .eth()
                                   .ipv6("2001:db8:1::1", "2001:db8::100")
                                   .icmp(kIcmpv6PacketTooBig)
                                   .quote(quoted));
  EXPECT_TRUE(p.icmp_error);
  EXPECT_EQ(p.key, key("2001:db8:ffff::5", "2001:db8::100", 0, 0, kProtoDestOptions));
}

// --- Malformed frames, one row per fault ------------------------------------------------

struct MalformedCase {
  const char* description;
  std::vector<uint8_t> frame;
  DropReason expected;
};

std::vector<uint8_t> cut(Packet f, size_t length) {
  std::vector<uint8_t> b = f.bytes();
  b.resize(length);
  return b;
}

std::vector<MalformedCase> malformed_cases() {
  const Packet quoted4 = Packet().ipv4("10.0.0.100", "203.0.113.5").tcp(80, 40000, kTcpAck);
  const Packet quoted6 = Packet().ipv6("2001:db8::100", "2001:db8:ffff::5").tcp(80, 40000, 0);
  auto icmp4_error = [&](size_t quote_len) {
    return Packet()
        .eth()
        .ipv4("192.0.2.1", "10.0.0.100")
        .icmp(kIcmpDestUnreachable, kIcmpCodeFragNeeded)
        .quote(quoted4, quote_len);
  };
  auto icmp6_error = [&](size_t quote_len) {
    return Packet()
        .eth()
        .ipv6("2001:db8:1::1", "2001:db8::100")
        .icmp(kIcmpv6PacketTooBig)
        .quote(quoted6, quote_len);
  };
  const Packet v4 = Packet().eth().ipv4("10.0.0.1", "10.0.0.100");
  const Packet v6 = Packet().eth().ipv6("2001:db8::1", "2001:db8::100");
  return {
      {"13-byte frame", cut(tcp4(), 13), DropReason::l2_truncated},
      {"VLAN tag cut", cut(Packet().eth().vlan(1).ipv4("10.0.0.1", "10.0.0.2"), 16),
       DropReason::l2_truncated},
      {"second VLAN tag cut",
       cut(Packet().eth().vlan(1, kEtherTypeQinQ).vlan(2).ipv4("10.0.0.1", "10.0.0.2"), 20),
       DropReason::l2_truncated},
      {"ARP 27 bytes", cut(Packet().eth().arp(), kEth + 27), DropReason::arp_malformed},
      {"ARP for IPv6", Packet().eth().arp().set16(kEth + 2, kEtherTypeIpv6).bytes(),
       DropReason::arp_malformed},
      {"IPv4 header 19 bytes", cut(tcp4(), kEth + 19), DropReason::ipv4_truncated},
      {"IPv4 options cut", Packet(v4).set8(kEth, 0x4f).udp(1, 2).bytes(),
       DropReason::ipv4_truncated},
      {"IPv4 version 6", tcp4().set8(kEth, 0x65).bytes(), DropReason::ipv4_bad_header},
      {"IPv4 IHL 4", tcp4().set8(kEth, 0x44).bytes(), DropReason::ipv4_bad_header},
      {"IPv4 total length < IHL", tcp4().set16(kEth + 2, 19).bytes(), DropReason::ipv4_bad_length},
      {"IPv4 total length < options",
       Packet(v4).set8(kEth, 0x46).payload(8).set16(kEth + 2, 22).bytes(),
       DropReason::ipv4_bad_length},
      {"IPv4 total length > frame", tcp4().set16(kEth + 2, 41).bytes(),
       DropReason::ipv4_bad_length},
      {"IPv6 header 39 bytes", cut(tcp6(), kEth + 39), DropReason::ipv6_truncated},
      {"IPv6 payload > frame", tcp6().set16(kEth + 4, 21).bytes(), DropReason::ipv6_bad_length},
      {"IPv6 jumbogram", Packet(v6).ext(kProtoHopByHop).udp(1, 2).set16(kEth + 4, 0).bytes(),
       DropReason::ipv6_bad_length},
      {"IPv6 extension too long",
       Packet(v6).ext(kProtoRouting).proto(kProtoNoNext).set8(kV6 + 1, 1).bytes(),
       DropReason::ipv6_bad_extension},
      {"IPv4 first fragment with 7 bytes of UDP",
       Packet(v4).set16(kEth + 6, kIpv4FlagMoreFragments).proto(kProtoUdp).payload(7).bytes(),
       DropReason::l4_truncated},
      {"IPv6 first fragment with 19 bytes of TCP",
       Packet(v6).frag6(0, true).proto(kProtoTcp).payload(19, 0x50).bytes(),
       DropReason::l4_truncated},
      {"TCP 19 bytes", Packet(v4).proto(kProtoTcp).payload(19, 0x50).bytes(),
       DropReason::l4_truncated},
      {"UDP 7 bytes", Packet(v4).proto(kProtoUdp).payload(7).bytes(), DropReason::l4_truncated},
      {"ICMP 7 bytes", Packet(v4).proto(kProtoIcmp).payload(7, 0).bytes(),
       DropReason::l4_truncated},
      {"ICMPv6 7 bytes", Packet(v6).proto(kProtoIcmpv6).payload(7, 0).bytes(),
       DropReason::l4_truncated},
      {"IPv6 TCP 19 bytes", Packet(v6).proto(kProtoTcp).payload(19, 0x50).bytes(),
       DropReason::l4_truncated},
      {"TCP data offset 4", tcp4().set8(kV4 + 12, 0x40).bytes(), DropReason::tcp_bad_offset},
      {"TCP data offset past packet", tcp4().set8(kV4 + 12, 0x60).pad(4).bytes(),
       DropReason::tcp_bad_offset},
      {"IPv6 TCP data offset 0", tcp6().set8(kV6 + 12, 0x00).bytes(), DropReason::tcp_bad_offset},
      {"ICMPv4 error quoting 23 bytes", icmp4_error(23).bytes(), DropReason::icmp_error_malformed},
      {"ICMPv4 error quoting nothing", icmp4_error(0).bytes(), DropReason::icmp_error_malformed},
      {"ICMPv4 error quoting IHL 6 with 24 bytes", icmp4_error(24).set8(kV4 + 8, 0x46).bytes(),
       DropReason::icmp_error_malformed},
      {"ICMPv4 error quoting IHL 3", icmp4_error(28).set8(kV4 + 8, 0x43).bytes(),
       DropReason::icmp_error_malformed},
      {"ICMPv4 error quoting IPv6", icmp4_error(28).set8(kV4 + 8, 0x65).bytes(),
       DropReason::icmp_error_malformed},
      {"ICMPv4 error quoting a later fragment", icmp4_error(28).set16(kV4 + 8 + 6, 10).bytes(),
       DropReason::icmp_error_malformed},
      {"ICMPv6 error quoting 43 bytes", icmp6_error(43).bytes(), DropReason::icmp_error_malformed},
      {"ICMPv6 error quoting IPv4", icmp6_error(60).set8(kV6 + 8, 0x45).bytes(),
       DropReason::icmp_error_malformed},
      {"ICMPv6 error quoting a later fragment",
       Packet()
           .eth()
           .ipv6("2001:db8:1::1", "2001:db8::100")
           .icmp(kIcmpv6PacketTooBig)
           .quote(Packet().ipv6("2001:db8::100", "2001:db8:ffff::5").frag6(4, true).payload(16))
           .bytes(),
       DropReason::icmp_error_malformed},
      {"ICMPv6 error quoting a first fragment cut in its fragment header",
       Packet()
           .eth()
           .ipv6("2001:db8:1::1", "2001:db8::100")
           .icmp(kIcmpv6PacketTooBig)
           .quote(Packet().ipv6("2001:db8::100", "2001:db8:ffff::5").frag6(0, true).udp(1, 2),
                  40 + 8 + 3)
           .bytes(),
       DropReason::icmp_error_malformed},
  };
}

TEST(ParseMalformed, EachFaultGivesItsDropReason) {
  for (const MalformedCase& c : malformed_cases()) {
    const ParsedPacket p = parse(c.frame);
    EXPECT_EQ(p.kind, PacketKind::kDrop) << c.description;
    EXPECT_EQ(p.drop, c.expected) << c.description;
  }
}

TEST(ParseMalformed, TableCoversEveryReasonTheParserProduces) {
  const std::set<DropReason> parser_reasons = {
      DropReason::l2_truncated,    DropReason::arp_malformed,        DropReason::ipv4_truncated,
      DropReason::ipv4_bad_header, DropReason::ipv4_bad_length,      DropReason::ipv6_truncated,
      DropReason::ipv6_bad_length, DropReason::ipv6_bad_extension,   DropReason::l4_truncated,
      DropReason::tcp_bad_offset,  DropReason::icmp_error_malformed,
  };
  std::set<DropReason> covered;
  for (const MalformedCase& c : malformed_cases()) covered.insert(c.expected);
  EXPECT_EQ(covered, parser_reasons);
}

// --- Truncation at every boundary ----------------------------------------------------------

// Cuts the frame at every length; the IP header still announces the full packet.
TEST(ParseTruncation, Ipv4TcpFrameCutAnywhere) {
  const std::vector<uint8_t> full = Packet()
                                        .eth()
                                        .vlan(4)
                                        .ipv4("10.0.0.1", "10.0.0.100", {.options = ipv4_nops(2)})
                                        .tcp(1234, 80, kTcpSyn, {.options = Bytes(12, 0)})
                                        .bytes();
  const uint32_t l3 = kEth + 4;
  ASSERT_EQ(parse(full).kind, PacketKind::kIpv4);
  for (size_t n = 0; n < full.size(); ++n) {
    const ParsedPacket p = parse(std::vector<uint8_t>(full.begin(), full.begin() + n));
    const DropReason expected = n < l3        ? DropReason::l2_truncated
                                : n < l3 + 28 ? DropReason::ipv4_truncated
                                              : DropReason::ipv4_bad_length;
    EXPECT_EQ(p.kind, PacketKind::kDrop) << n;
    EXPECT_EQ(p.drop, expected) << n;
  }
}

TEST(ParseTruncation, Ipv6TcpFrameCutAnywhere) {
  const std::vector<uint8_t> full = Packet()
                                        .eth()
                                        .ipv6("2001:db8::1", "2001:db8::100")
                                        .ext(kProtoHopByHop)
                                        .frag6(0, false)
                                        .tcp(1234, 80, kTcpSyn, {.options = Bytes(4, 0)})
                                        .bytes();
  ASSERT_EQ(parse(full).kind, PacketKind::kIpv6);
  for (size_t n = 0; n < full.size(); ++n) {
    const ParsedPacket p = parse(std::vector<uint8_t>(full.begin(), full.begin() + n));
    const DropReason expected = n < kEth  ? DropReason::l2_truncated
                                : n < kV6 ? DropReason::ipv6_truncated
                                          : DropReason::ipv6_bad_length;
    EXPECT_EQ(p.kind, PacketKind::kDrop) << n;
    EXPECT_EQ(p.drop, expected) << n;
  }
}

// Cuts the frame and rewrites the IP length to match, so the cut reaches the L4 checks.
TEST(ParseTruncation, Ipv4PacketShortenedConsistently) {
  const Packet base = Packet()
                          .eth()
                          .ipv4("10.0.0.1", "10.0.0.100", {.options = ipv4_nops(1)})
                          .tcp(1234, 80, kTcpSyn, {.options = Bytes(4, 0)});
  const size_t full = base.bytes().size();
  const size_t l4 = kV4 + 4;
  for (size_t n = l4; n < full; ++n) {
    const ParsedPacket p = parse(cut(Packet(base).set16(kEth + 2, uint16_t(n - kEth)), n));
    EXPECT_EQ(p.drop, n < l4 + 20 ? DropReason::l4_truncated : DropReason::tcp_bad_offset) << n;
  }
}

TEST(ParseTruncation, Ipv6PacketShortenedConsistently) {
  const Packet base = Packet()
                          .eth()
                          .ipv6("2001:db8::1", "2001:db8::100")
                          .ext(kProtoDestOptions, 16)
                          .ah(12)
                          .udp(1, 2);
  const size_t full = base.bytes().size();
  const size_t l4 = kV6 + 16 + 12;
  for (size_t n = kV6 + 1; n < full; ++n) {
    const ParsedPacket p = parse(cut(Packet(base).set16(kEth + 4, uint16_t(n - kV6)), n));
    EXPECT_EQ(p.drop, n < l4 ? DropReason::ipv6_bad_extension : DropReason::l4_truncated) << n;
  }
}

TEST(ParseTruncation, IcmpErrorShortenedConsistently) {
  const Packet quoted =
      Packet().ipv4("10.0.0.100", "203.0.113.5", {.options = ipv4_nops(1)}).tcp(80, 40000, kTcpAck);
  const Packet base = Packet()
                          .eth()
                          .ipv4("192.0.2.1", "10.0.0.100")
                          .icmp(kIcmpDestUnreachable, kIcmpCodeFragNeeded)
                          .quote(quoted, 28);
  const size_t full = base.bytes().size();
  ASSERT_TRUE(parse(base).icmp_error);
  for (size_t n = kV4; n < full; ++n) {
    const ParsedPacket p = parse(cut(Packet(base).set16(kEth + 2, uint16_t(n - kEth)), n));
    EXPECT_EQ(p.drop, n < kV4 + 8 ? DropReason::l4_truncated : DropReason::icmp_error_malformed)
        << n;
  }
}

// Flips random bytes of valid frames: whatever the verdict, the parser stays inside the
// frame (checked by AddressSanitizer) and reports offsets inside it.
TEST(ParseTruncation, RandomCorruptionStaysInBounds) {
  const std::vector<std::vector<uint8_t>> seeds = {
      tcp4().bytes(),
      tcp6().bytes(),
      Packet()
          .eth()
          .vlan(1, kEtherTypeQinQ)
          .vlan(2)
          .ipv6("2001:db8::1", "2001:db8::100")
          .ext(kProtoHopByHop)
          .ah(16)
          .frag6(0, false)
          .icmp(kIcmpv6PacketTooBig)
          .quote(Packet().ipv6("2001:db8::100", "2001:db8::5").tcp(1, 2, 0))
          .bytes(),
      Packet()
          .eth()
          .ipv4("192.0.2.1", "10.0.0.100", {.options = ipv4_nops(2)})
          .icmp(kIcmpTimeExceeded)
          .quote(Packet().ipv4("10.0.0.100", "203.0.113.5", {.options = ipv4_nops(3)}).udp(1, 2))
          .bytes(),
      Packet().eth().arp().bytes(),
  };
  std::mt19937 rng(12345);
  for (int round = 0; round < 20000; ++round) {
    std::vector<uint8_t> b = seeds[rng() % seeds.size()];
    const int flips = 1 + int(rng() % 4);
    for (int i = 0; i < flips; ++i) b[rng() % b.size()] = uint8_t(rng());
    b.resize(rng() % (b.size() + 1));
    const ParsedPacket p = parse(b);
    if (p.kind == PacketKind::kIpv4 || p.kind == PacketKind::kIpv6) {
      ASSERT_LE(size_t(p.l3_offset) + p.l3_length, b.size()) << round;
      ASSERT_LE(p.l4_offset, p.l3_offset + p.l3_length) << round;
      ASSERT_GE(p.l4_offset, p.l3_offset) << round;
    }
    if (p.kind == PacketKind::kDrop) {
      ASSERT_LT(p.drop, DropReason::count) << round;
    }
  }
}

}  // namespace
}  // namespace sluice
