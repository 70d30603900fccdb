// SPDX-License-Identifier: BSD-3-Clause
// Forwarding rewrites and checksums against exact bytes. Expected frames were produced
// once with scapy 2.5 (checksums computed by scapy) and pasted here as hex.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <set>
#include <string_view>
#include <vector>

#include "flow/hash.h"
#include "frame_buffer.h"
#include "packet/checksum.h"
#include "packet/encap.h"
#include "packet/parser.h"
#include "packet_builder.h"

namespace sluice {
namespace {

// Client 198.51.100.10:40000 -> VIP 203.0.113.5:80 (and 2001:db8:1::10 -> 2001:db8:2::5),
// TCP SYN with MSS, DSCP/ECN 0x2a, from router 02::01 to us 02::02. Backend MAC 02::03.
// Outer 10.0.0.7 -> 10.1.0.20 and 2001:db8:ff::7 -> 2001:db8:ff::20; flow hash 0xfffabcde,
// so flow label 0xabcde and GUE 65533 -> 6080.
constexpr char kSyn4[] =
    "0200000000020200000000010800452a002c10e1000039060a7ec633640acb0071059c400050000003e80000"
    "00006002faf096790000020405b4";
constexpr char kSyn4Vlan[] =
    "020000000002020000000001810000640800452a002c10e1000039060a7ec633640acb0071059c4000500000"
    "03e8000000006002faf096790000020405b4";
constexpr char kSyn6[] =
    "02000000000202000000000186dd62a123450018063920010db800010000000000000000001020010db80002"
    "000000000000000000059c400050000003e8000000006002faf0a1330000020405b4";
constexpr char kSyn6Vlan[] =
    "0200000000020200000000018100006486dd62a123450018063920010db80001000000000000000000102001"
    "0db80002000000000000000000059c400050000003e8000000006002faf0a1330000020405b4";
constexpr char kUdp4Padded[] =
    "02000000000202000000000108004500001e0001000039111b8bc633640acb00710513880035000a1d706869"
    "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
constexpr char kDsrSyn4[] =
    "0200000000030200000000020800452a002c10e1000039060a7ec633640acb0071059c400050000003e80000"
    "00006002faf096790000020405b4";
constexpr char kDsrSyn6[] =
    "02000000000302000000000286dd62a123450018063920010db800010000000000000000001020010db80002"
    "000000000000000000059c400050000003e8000000006002faf0a1330000020405b4";
constexpr char kDsrSyn4Vlan[] =
    "020000000003020000000002810000640800452a002c10e1000039060a7ec633640acb0071059c4000500000"
    "03e8000000006002faf096790000020405b4";
constexpr char kIpip4in4[] =
    "0200000000030200000000020800452a004000004000400426750a0000070a010014452a002c10e100003906"
    "0a7ec633640acb0071059c400050000003e8000000006002faf096790000020405b4";
constexpr char kIpip6in6[] =
    "02000000000302000000000286dd62aabcde0040294020010db800ff0000000000000000000720010db800ff"
    "0000000000000000002062a123450018063920010db800010000000000000000001020010db8000200000000"
    "0000000000059c400050000003e8000000006002faf0a1330000020405b4";
constexpr char kIpip4in6Vlan[] =
    "0200000000030200000000028100006486dd62aabcde002c044020010db800ff000000000000000000072001"
    "0db800ff00000000000000000020452a002c10e1000039060a7ec633640acb0071059c400050000003e80000"
    "00006002faf096790000020405b4";
constexpr char kIpip6in4[] =
    "0200000000030200000000020800452a0054000040004029263c0a0000070a01001462a12345001806392001"
    "0db800010000000000000000001020010db80002000000000000000000059c400050000003e8000000006002"
    "faf0a1330000020405b4";
constexpr char kIpipUdp4Unpadded[] =
    "02000000000302000000000208004500003200004000400426ad0a0000070a0100144500001e000100003911"
    "1b8bc633640acb00710513880035000a1d706869";
constexpr char kGue4[] =
    "0200000000030200000000020800452a004800004000401126600a0000070a010014fffd17c000340000452a"
    "002c10e1000039060a7ec633640acb0071059c400050000003e8000000006002faf096790000020405b4";
constexpr char kGue6[] =
    "02000000000302000000000286dd62aabcde0048114020010db800ff0000000000000000000720010db800ff"
    "00000000000000000020fffd17c00048fdef62a123450018063920010db800010000000000000000001020010d"
    "b80002000000000000000000059c400050000003e8000000006002faf0a1330000020405b4";
constexpr char kGue4in6Vlan[] =
    "0200000000030200000000028100006486dd62aabcde0034114020010db800ff000000000000000000072001"
    "0db800ff00000000000000000020fffd17c00034f093452a002c10e1000039060a7ec633640acb0071059c4000"
    "50000003e8000000006002faf096790000020405b4";

using testing_support::describe;
using testing_support::from_hex;
using testing_support::Mac;
using testing_support::Packet;
using testing_support::TestFrame;

const MacAddress kOurs{{2, 0, 0, 0, 0, 2}};
const Mac kRouter{2, 0, 0, 0, 0, 1};
const MacAddress kBackend{{2, 0, 0, 0, 0, 3}};

constexpr uint32_t kFlowHash = 0xfffabcde;  // only the low 20 bits may show in the flow label

OuterHeader outer_header(bool gue, bool outer_v4, uint16_t mtu = 1500) {
  const char* source = outer_v4 ? "10.0.0.7/32" : "2001:db8:ff::7/128";
  const char* backend = outer_v4 ? "10.1.0.20" : "2001:db8:ff::20";
  return make_outer_header(gue, *IpPrefix::parse(source), *IpAddress::parse(backend), mtu);
}

DropReason encap(PacketBuffer& frame, const ParsedPacket& parsed, bool gue, bool outer_v4,
                 uint16_t mtu = 1500) {
  return encapsulate(frame, parsed, kOurs, kBackend, outer_header(gue, outer_v4, mtu), kFlowHash);
}

// ---------------------------------------------------------------------------------------
// Checksums

TEST(Checksum, Rfc1071Example) {
  // RFC 1071 section 3: 0001 f203 f4f5 f6f7 sums to ddf2.
  const uint8_t data[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(checksum::sum(data, 8), 0xddf2);
  EXPECT_EQ(checksum::finish(checksum::sum(data, 8)), 0x220d);
  // Any split at an even offset gives the same sum.
  EXPECT_EQ(checksum::sum(data + 2, 6, checksum::sum(data, 2)), 0xddf2);
  // An odd tail is padded with a zero byte.
  const uint8_t padded[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0x00};
  EXPECT_EQ(checksum::sum(data, 7), checksum::sum(padded, 8));
}

TEST(Checksum, Ipv4HeaderMatchesScapyAndIgnoresTheStoredField) {
  auto f = from_hex(kSyn4);
  uint8_t* ip = &f[wire::kEthHeaderLen];
  EXPECT_EQ(checksum::ipv4_header(ip, 20), wire::load_be16(ip + 10));
  ip[10] = 0x12;
  EXPECT_EQ(checksum::ipv4_header(ip, 20), 0x0a7e);
}

TEST(Checksum, TransportMatchesScapyForBothFamilies) {
  auto f4 = from_hex(kSyn4);
  uint8_t* ip4 = &f4[wire::kEthHeaderLen];
  uint8_t* tcp4 = ip4 + 20;
  const uint16_t want4 = wire::load_be16(tcp4 + 16);
  wire::store_be16(tcp4 + 16, 0);
  EXPECT_EQ(checksum::transport_v4(ip4, tcp4, 24, wire::kProtoTcp), want4);

  auto f6 = from_hex(kSyn6);
  uint8_t* ip6 = &f6[wire::kEthHeaderLen];
  uint8_t* tcp6 = ip6 + 40;
  EXPECT_TRUE(checksum::transport_v6_valid(ip6, tcp6, 24, wire::kProtoTcp));
  const uint16_t want6 = wire::load_be16(tcp6 + 16);
  wire::store_be16(tcp6 + 16, 0);
  EXPECT_EQ(checksum::transport_v6(ip6, tcp6, 24, wire::kProtoTcp), want6);
  EXPECT_FALSE(checksum::transport_v6_valid(ip6, tcp6, 24, wire::kProtoTcp));
}

TEST(Checksum, IncrementalUpdateEqualsRecomputation) {
  auto f = from_hex(kSyn4);
  uint8_t* ip = &f[wire::kEthHeaderLen];
  uint32_t seed = 1;
  for (int i = 0; i < 10000; ++i) {
    seed = mix32(seed + uint32_t(i));
    const uint16_t check = wire::load_be16(ip + 10);
    // A 16-bit word (TTL/protocol) and a 32-bit word (the destination address).
    const uint16_t old16 = wire::load_be16(ip + 8);
    const uint16_t new16 = uint16_t(seed);
    wire::store_be16(ip + 8, new16);
    const uint16_t after16 = checksum::update16(check, old16, new16);
    ASSERT_EQ(after16, checksum::ipv4_header(ip, 20)) << i;
    const uint32_t old32 = wire::load_be32(ip + 16);
    const uint32_t new32 = mix32(seed);
    wire::store_be32(ip + 16, new32);
    const uint16_t after32 = checksum::update32(after16, old32, new32);
    ASSERT_EQ(after32, checksum::ipv4_header(ip, 20)) << i;
    wire::store_be16(ip + 10, after32);
  }
}

// ---------------------------------------------------------------------------------------
// Forwarding modes: fixture table of input, mode, outer family, expected output.

enum class Mode { kDsrL2, kIpip, kGue };

struct RewriteCase {
  const char* description;
  const char* input;
  Mode mode;
  bool outer_v4;
  const char* expected;
};

const RewriteCase kRewriteCases[] = {
    {"dsr-l2 IPv4", kSyn4, Mode::kDsrL2, true, kDsrSyn4},
    {"dsr-l2 IPv6", kSyn6, Mode::kDsrL2, false, kDsrSyn6},
    {"dsr-l2 IPv4 in VLAN 100", kSyn4Vlan, Mode::kDsrL2, true, kDsrSyn4Vlan},
    {"ipip 4in4", kSyn4, Mode::kIpip, true, kIpip4in4},
    {"ipip 6in6", kSyn6, Mode::kIpip, false, kIpip6in6},
    {"ipip 4in6 in VLAN 100 (EtherType after the tag becomes IPv6)", kSyn4Vlan, Mode::kIpip, false,
     kIpip4in6Vlan},
    {"ipip 6in4", kSyn6, Mode::kIpip, true, kIpip6in4},
    {"ipip drops the 16 bytes of frame padding", kUdp4Padded, Mode::kIpip, true, kIpipUdp4Unpadded},
    {"gue IPv4 outer, UDP checksum 0", kSyn4, Mode::kGue, true, kGue4},
    {"gue IPv6 outer, UDP checksum computed", kSyn6, Mode::kGue, false, kGue6},
    {"gue 4in6 in VLAN 100", kSyn4Vlan, Mode::kGue, false, kGue4in6Vlan},
};

class RewriteTable : public testing::TestWithParam<RewriteCase> {};

TEST_P(RewriteTable, ProducesExactBytes) {
  const RewriteCase& c = GetParam();
  SCOPED_TRACE(c.description);
  const auto input = from_hex(c.input);
  TestFrame frame(input);
  const ParsedPacket parsed = describe(input);
  DropReason result = DropReason::count;
  if (c.mode == Mode::kDsrL2)
    rewrite_dsr_l2(frame.buf, L2Rewrite{kOurs, kBackend});
  else
    result = encap(frame.buf, parsed, c.mode == Mode::kGue, c.outer_v4);
  EXPECT_EQ(result, DropReason::count);
  EXPECT_EQ(frame.bytes(), from_hex(c.expected));
  EXPECT_EQ(frame.buf.headroom + frame.buf.length + frame.buf.tailroom, frame.storage.size());
}

INSTANTIATE_TEST_SUITE_P(Encap, RewriteTable, testing::ValuesIn(kRewriteCases),
                         [](const testing::TestParamInfo<RewriteCase>& info) {
                           return "case" + std::to_string(info.index);
                         });

TEST(Encap, OuterPacketOfExactlyMtuPassesOneMoreIsTooBig) {
  const auto input = from_hex(kSyn4);  // 44-byte IP packet
  const ParsedPacket parsed = describe(input);
  struct Limit {
    bool gue;
    bool outer_v4;
    uint16_t fits;
  };
  for (Limit l : {Limit{false, true, 64}, Limit{false, false, 84}, Limit{true, true, 72},
                  Limit{true, false, 92}}) {
    TestFrame too_big(input);
    EXPECT_EQ(encap(too_big.buf, parsed, l.gue, l.outer_v4, uint16_t(l.fits - 1)),
              DropReason::too_big);
    EXPECT_EQ(too_big.bytes(), input);
    EXPECT_EQ(too_big.buf.headroom, 128u);
    TestFrame fits(input);
    EXPECT_EQ(encap(fits.buf, parsed, l.gue, l.outer_v4, l.fits), DropReason::count);
    EXPECT_EQ(fits.buf.length, wire::kEthHeaderLen + l.fits);
  }
}

TEST(Encap, ShortHeadroomLeavesTheFrameUntouched) {
  const auto input = from_hex(kUdp4Padded);  // with padding, which must stay too
  const ParsedPacket parsed = describe(input);
  struct Need {
    bool gue;
    bool outer_v4;
    uint32_t headroom;
  };
  for (Need n : {Need{false, true, 20}, Need{false, false, 40}, Need{true, true, 28},
                 Need{true, false, 48}}) {
    auto run = [&](PacketBuffer& b) { return encap(b, parsed, n.gue, n.outer_v4); };
    TestFrame short_frame(input, n.headroom - 1);
    const PacketBuffer before = short_frame.buf;
    EXPECT_EQ(run(short_frame.buf), DropReason::no_headroom);
    EXPECT_EQ(short_frame.bytes(), input);
    EXPECT_EQ(short_frame.buf.data, before.data);
    EXPECT_EQ(short_frame.buf.headroom, before.headroom);
    EXPECT_EQ(short_frame.buf.tailroom, before.tailroom);
    TestFrame exact(input, n.headroom);
    EXPECT_EQ(run(exact.buf), DropReason::count);
    EXPECT_EQ(exact.buf.headroom, 0u);
  }
}

// GUE over IPv6 takes the inner segment's sum from its TCP/UDP checksum; whatever the
// inner packet, the outer UDP checksum must verify over the bytes actually sent.
bool outer_udp6_checksum_valid(const TestFrame& f) {
  const uint8_t* ip6 = f.buf.data + describe(f.bytes()).l3_offset;
  const uint8_t* udp = ip6 + wire::kIpv6HeaderLen;
  return checksum::transport_v6_valid(ip6, udp, wire::load_be16(udp + 4), wire::kProtoUdp);
}

// An ICMP echo request with the IPv4 header of kSyn4.
std::vector<uint8_t> icmp_echo4() {
  return Packet()
      .eth(kOurs.bytes, kRouter)
      .ipv4("198.51.100.10", "203.0.113.5", {.tos = 0x2a, .ttl = 57, .id = 0x10e1, .frag = 0})
      .icmp(wire::kIcmpEchoRequest, 0, 0x12340001)
      .payload("ping")
      .bytes();
}

// kSyn6 with a hop-by-hop options header (PadN) before its TCP header.
std::vector<uint8_t> with_hop_by_hop6() {
  return Packet()
      .eth(kOurs.bytes, kRouter)
      .ipv6("2001:db8:1::10", "2001:db8:2::5", {.tclass = 0x2a, .flow = 0x12345, .hop_limit = 57})
      .ext(wire::kProtoHopByHop, {1, 4, 0, 0, 0, 0})
      .tcp(40000, 80, wire::kTcpSyn,
           {.seq = 1000, .ack = 0, .window = 0xfaf0, .options = {2, 4, 5, 0xb4}})
      .bytes();
}

TEST(Encap, GueOverIpv6ChecksumVerifiesForEveryInnerPacket) {
  std::vector<uint8_t> udp_no_checksum = from_hex(kUdp4Padded);
  udp_no_checksum[wire::kEthHeaderLen + 20 + 6] = 0;
  udp_no_checksum[wire::kEthHeaderLen + 20 + 7] = 0;
  std::vector<uint8_t> padded6 = from_hex(kSyn6);
  padded6.insert(padded6.end(), 10, 0xee);
  const struct {
    const char* name;
    std::vector<uint8_t> frame;
  } cases[] = {
      {"TCP over IPv4", from_hex(kSyn4)},
      {"TCP over IPv6", from_hex(kSyn6)},
      {"TCP over IPv6, padded frame", padded6},
      {"TCP over IPv4 in a VLAN", from_hex(kSyn4Vlan)},
      {"UDP over IPv4, padded frame", from_hex(kUdp4Padded)},
      {"UDP over IPv4 without a checksum", udp_no_checksum},
      {"ICMP echo over IPv4", icmp_echo4()},
      {"TCP over IPv6 after a hop-by-hop header", with_hop_by_hop6()},
  };
  for (const auto& c : cases) {
    const ParsedPacket parsed = describe(c.frame);
    ASSERT_NE(parsed.kind, PacketKind::kDrop) << c.name;
    TestFrame f(c.frame);
    ASSERT_EQ(encap(f.buf, parsed, true, false), DropReason::count) << c.name;
    EXPECT_TRUE(outer_udp6_checksum_valid(f)) << c.name;
  }
}

TEST(Encap, GueOverIpv6CarriesAnInnerChecksumErrorIntoTheOuterOne) {
  std::vector<uint8_t> bad = from_hex(kSyn4);
  bad[wire::kEthHeaderLen + 20 + 16] ^= 0x01;  // the TCP checksum, now wrong
  TestFrame f(bad);
  ASSERT_EQ(encap(f.buf, describe(bad), true, false), DropReason::count);
  EXPECT_FALSE(outer_udp6_checksum_valid(f));
}

// ---------------------------------------------------------------------------------------
// Per-flow outer source address and GUE port

TEST(EncapSourceAddress, V4Slash16KeepsThePrefixAndTakesHostBitsFromTheHash) {
  const IpPrefix prefix = *IpPrefix::parse("10.5.0.0/16");
  EXPECT_EQ(encap_source_address(prefix, 0x12345678), *IpAddress::parse("10.5.86.120"));
  EXPECT_EQ(encap_source_address(prefix, 0), *IpAddress::parse("10.5.0.1"));
  EXPECT_EQ(encap_source_address(prefix, 0xabcd0000), *IpAddress::parse("10.5.0.1"));
  EXPECT_EQ(encap_source_address(prefix, 0xffff), *IpAddress::parse("10.5.255.254"));
  // Host bits already set in the configured address are replaced.
  EXPECT_EQ(encap_source_address(*IpPrefix::parse("10.5.3.4/16"), 0x12345678),
            *IpAddress::parse("10.5.86.120"));
  std::set<IpAddress> seen;
  for (uint32_t i = 0; i < 4096; ++i) {
    const IpAddress a = encap_source_address(prefix, mix32(i));
    ASSERT_TRUE(a.is_v4());
    ASSERT_TRUE(prefix.contains(a)) << a.to_string();
    ASSERT_NE(a.v4_host_order() & 0xffff, 0u);
    ASSERT_NE(a.v4_host_order() & 0xffff, 0xffffu);
    seen.insert(a);
  }
  EXPECT_GT(seen.size(), 3900u);
}

TEST(EncapSourceAddress, V6Slash64VariesTheWholeInterfaceIdentifier) {
  const IpPrefix prefix = *IpPrefix::parse("2001:db8:ff:1::/64");
  const IpAddress a = encap_source_address(prefix, 0x12345678);
  const IpAddress b = encap_source_address(prefix, 0x12345679);
  EXPECT_TRUE(prefix.contains(a));
  EXPECT_EQ(wire::load_be32(&a.bytes[12]), 0x12345678u);
  EXPECT_EQ(wire::load_be32(&a.bytes[8]), mix32(0x12345678));
  EXPECT_NE(std::memcmp(&a.bytes[8], &b.bytes[8], 4), 0);  // upper half varies too
  EXPECT_EQ(encap_source_address(prefix, 0), *IpAddress::parse("2001:db8:ff:1::1"));
  std::set<IpAddress> seen;
  for (uint32_t i = 0; i < 4096; ++i) {
    const IpAddress x = encap_source_address(prefix, mix32(i));
    ASSERT_FALSE(x.is_v4());
    ASSERT_TRUE(prefix.contains(x)) << x.to_string();
    seen.insert(x);
  }
  EXPECT_EQ(seen.size(), 4096u);
}

TEST(EncapSourceAddress, EdgePrefixLengths) {
  const IpPrefix host = *IpPrefix::parse("10.0.0.7/32");
  EXPECT_EQ(encap_source_address(host, 0xdeadbeef), host.address);
  const IpPrefix host6 = *IpPrefix::parse("2001:db8::7/128");
  EXPECT_EQ(encap_source_address(host6, 0xdeadbeef), host6.address);
  // /31 (RFC 3021): the one address whose host bit is not zero.
  const IpPrefix p31 = *IpPrefix::parse("10.0.0.6/31");
  EXPECT_EQ(encap_source_address(p31, 0), *IpAddress::parse("10.0.0.7"));
  EXPECT_EQ(encap_source_address(p31, 1), *IpAddress::parse("10.0.0.7"));
  // /48: 80 host bits, the top 16 of which stay zero.
  const IpPrefix p48 = *IpPrefix::parse("2001:db8:ff::/48");
  const IpAddress a = encap_source_address(p48, 0x12345678);
  EXPECT_TRUE(p48.contains(a));
  EXPECT_EQ(a.bytes[6], 0);
  EXPECT_EQ(a.bytes[7], 0);
  EXPECT_EQ(wire::load_be32(&a.bytes[12]), 0x12345678u);
}

// The outer header built per packet from the per-backend one carries the per-flow source
// address, flow label and GUE port, and checksums that verify, for any prefix and hash.
TEST(Encap, PerFlowFieldsFollowTheFlowHashWithValidChecksums) {
  const char* kPrefixes[] = {"10.0.0.7/32",        "10.0.0.6/31",      "10.5.3.4/16",
                             "192.0.2.0/24",       "0.0.0.0/0",        "2001:db8:ff::7/128",
                             "2001:db8:ff:1::/64", "2001:db8:ff::/48", "2001:db8::ff00/120"};
  for (const char* text : kPrefixes) {
    const IpPrefix source = *IpPrefix::parse(text);
    const bool outer_v4 = source.address.is_v4();
    const IpAddress backend = *IpAddress::parse(outer_v4 ? "10.1.0.20" : "2001:db8:ff::20");
    for (bool gue : {false, true}) {
      const OuterHeader outer = make_outer_header(gue, source, backend, 1500, 7000);
      for (uint32_t i = 0; i < 2000; ++i) {
        const uint32_t hash = mix32(i);
        const auto input = from_hex(i % 2 ? kSyn4 : kSyn6);
        TestFrame f(input);
        const ParsedPacket parsed = describe(input);
        ASSERT_EQ(encapsulate(f.buf, parsed, kOurs, kBackend, outer, hash), DropReason::count);
        const uint8_t* ip = f.buf.data + wire::kEthHeaderLen;
        const uint8_t* l4 = ip + outer.ip_length;
        const IpAddress want = encap_source_address(source, hash);
        SCOPED_TRACE(std::string(text) + (gue ? " gue" : " ipip") + " hash " +
                     std::to_string(hash));
        if (outer_v4) {
          ASSERT_EQ(IpAddress::v4_from_wire(ip + 12), want);
          ASSERT_EQ(IpAddress::v4_from_wire(ip + 16), backend);
          ASSERT_EQ(checksum::sum(ip, wire::kIpv4HeaderLen), 0xffff);
          ASSERT_EQ(ip[9], gue ? wire::kProtoUdp : i % 2 ? wire::kProtoIpip : wire::kProtoIpv6);
        } else {
          ASSERT_EQ(IpAddress::v6_from_wire(ip + 8), want);
          ASSERT_EQ(IpAddress::v6_from_wire(ip + 24), backend);
          ASSERT_EQ(wire::load_be32(ip) & 0xfffff, hash & 0xfffff);
          ASSERT_EQ(ip[6], gue ? wire::kProtoUdp : i % 2 ? wire::kProtoIpip : wire::kProtoIpv6);
          if (gue) {
            ASSERT_TRUE(
                checksum::transport_v6_valid(ip, l4, wire::load_be16(l4 + 4), wire::kProtoUdp));
          }
        }
        if (gue) {
          ASSERT_EQ(wire::load_be16(l4), gue_source_port(hash));
          ASSERT_EQ(wire::load_be16(l4 + 2), 7000);
        }
      }
    }
  }
}

TEST(GueSourcePort, StaysInTheEphemeralRange) {
  EXPECT_EQ(gue_source_port(0), 32768);
  EXPECT_EQ(gue_source_port(0xffffffff), 65535);
  std::set<uint16_t> seen;
  for (uint32_t i = 0; i < 100000; ++i) {
    const uint16_t port = gue_source_port(mix32(i));
    ASSERT_GE(port, 32768);
    seen.insert(port);
  }
  EXPECT_GT(seen.size(), 30000u);
}

}  // namespace
}  // namespace sluice
