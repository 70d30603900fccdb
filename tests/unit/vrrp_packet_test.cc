// SPDX-License-Identifier: BSD-3-Clause
// The VRRPv3 advert codec against byte vectors made once with scapy
// (scapy.layers.vrrp.VRRPv3, which checksums IPv4 with the pseudo-header), and every
// reason decode() discards a message for.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "packet_builder.h"
#include "vrrp/packet.h"

namespace sluice::vrrp {
namespace {

using testing_support::from_hex;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

// IP(src="10.0.0.2", dst="224.0.0.18", ttl=255) /
// VRRPv3(vrid=51, priority=200, adv=100, ipcount=2, addrlist=["10.0.0.100", "10.0.0.101"])
const char* kV4 = "3133c802006407080a0000640a000065";
// The same message checksummed without the pseudo-header (RFC 9568 5.2.8 form).
const char* kV4MessageOnly = "3133c8020064f19c0a0000640a000065";
// As kV4 with res=15: the reserved bits set.
const char* kV4Reserved = "3133c802f06417070a0000640a000065";
// IP(src="10.0.0.3", dst="224.0.0.18") / VRRPv3(vrid=1, priority=0, adv=4095,
// ipcount=1, addrlist=["192.0.2.1"]): a resignation at the largest interval.
const char* kV4Resign = "310100010fff126bc0000201";
// IPv6(src="fe80::2", dst="ff02::12", hlim=255) /
// VRRPv3(vrid=51, priority=100, adv=100, ipcount=2, addrlist=["fe80::1", "2001:db8::100"])
const char* kV6 =
    "3133640200643efbfe80000000000000000000000000000120010db8000000000000000000000100";
// The same without the pseudo-header: never valid for IPv6.
const char* kV6MessageOnly =
    "3133640200643d2bfe80000000000000000000000000000120010db8000000000000000000000100";

ReceivedIp v4_ip(const char* src = "10.0.0.2") { return {ip(src), multicast_group_v4(), 255}; }
ReceivedIp v6_ip() { return {ip("fe80::2"), multicast_group_v6(), 255}; }

Advert v4_advert() { return Advert{51, 200, 100, {ip("10.0.0.100"), ip("10.0.0.101")}}; }
Advert v6_advert() { return Advert{51, 100, 100, {ip("fe80::1"), ip("2001:db8::100")}}; }

TEST(VrrpPacket, Groups) {
  EXPECT_EQ(multicast_group_v4().to_string(), "224.0.0.18");
  EXPECT_EQ(multicast_group_v6().to_string(), "ff02::12");
}

TEST(VrrpPacket, DecodesScapyV4) {
  DecodeResult r = decode(from_hex(kV4), v4_ip());
  ASSERT_TRUE(r.ok()) << r.text();
  EXPECT_EQ(r.advert, v4_advert());
  EXPECT_EQ(r.checksum, ChecksumForm::kPseudoHeader);
  EXPECT_EQ(r.text(), "ok");
}

TEST(VrrpPacket, EncodesScapyV4ByteForByte) {
  EXPECT_EQ(encode(v4_advert(), ip("10.0.0.2"), multicast_group_v4()), from_hex(kV4));
  EXPECT_EQ(encode(v4_advert(), ip("10.0.0.2"), multicast_group_v4(), ChecksumForm::kMessageOnly),
            from_hex(kV4MessageOnly));
}

// IPv4: decode() takes the form the instance is configured for and no other. A peer in
// the other form cannot hear this node either (keepalived 2.2.7 checks its own form only),
// so taking its adverts would make a one-way link: a split brain when this node outranks
// it. The other form is named in the error, for the log.
TEST(VrrpPacket, AcceptsOnlyTheConfiguredChecksumFormForIpv4) {
  DecodeResult r = decode(from_hex(kV4MessageOnly), v4_ip(), ChecksumForm::kMessageOnly);
  ASSERT_TRUE(r.ok()) << r.text();
  EXPECT_EQ(r.checksum, ChecksumForm::kMessageOnly);
  EXPECT_EQ(r.advert, v4_advert());

  r = decode(from_hex(kV4MessageOnly), v4_ip());  // the default: pseudo-header
  EXPECT_EQ(r.error, DecodeError::kOtherChecksumForm);
  EXPECT_EQ(r.text(),
            "IPv4 checksum in the other form (message-only, RFC 9568 5.2.8; expected "
            "pseudo-header, RFC 5798 5.2.8)");
  r = decode(from_hex(kV4), v4_ip(), ChecksumForm::kMessageOnly);
  EXPECT_EQ(r.error, DecodeError::kOtherChecksumForm);
  EXPECT_EQ(r.text(),
            "IPv4 checksum in the other form (pseudo-header, RFC 5798 5.2.8; expected "
            "message-only, RFC 9568 5.2.8)");
  // Right in neither form: a bad checksum, whatever the configured form.
  std::vector<uint8_t> broken = from_hex(kV4);
  broken[7] ^= 1;
  EXPECT_EQ(decode(broken, v4_ip(), ChecksumForm::kMessageOnly).error, DecodeError::kBadChecksum);
}

// IPv6 has one form (RFC 9568 5.2.8: the RFC 8200 pseudo-header): the argument is ignored.
TEST(VrrpPacket, Ipv6IgnoresTheConfiguredChecksumForm) {
  DecodeResult r = decode(from_hex(kV6), v6_ip(), ChecksumForm::kMessageOnly);
  ASSERT_TRUE(r.ok()) << r.text();
  EXPECT_EQ(r.checksum, ChecksumForm::kPseudoHeader);
  EXPECT_EQ(decode(from_hex(kV6MessageOnly), v6_ip(), ChecksumForm::kMessageOnly).error,
            DecodeError::kBadChecksum);
}

TEST(VrrpPacket, IgnoresReservedBits) {
  DecodeResult r = decode(from_hex(kV4Reserved), v4_ip());
  ASSERT_TRUE(r.ok()) << r.text();
  EXPECT_EQ(r.advert.max_adver_int_cs, 100);
}

TEST(VrrpPacket, ResignAtTheLargestInterval) {
  DecodeResult r = decode(from_hex(kV4Resign), v4_ip("10.0.0.3"));
  ASSERT_TRUE(r.ok()) << r.text();
  EXPECT_EQ(r.advert, (Advert{1, 0, 4095, {ip("192.0.2.1")}}));
  EXPECT_EQ(encode(r.advert, ip("10.0.0.3"), multicast_group_v4()), from_hex(kV4Resign));
}

TEST(VrrpPacket, DecodesAndEncodesScapyV6) {
  DecodeResult r = decode(from_hex(kV6), v6_ip());
  ASSERT_TRUE(r.ok()) << r.text();
  EXPECT_EQ(r.advert, v6_advert());
  EXPECT_EQ(r.checksum, ChecksumForm::kPseudoHeader);
  EXPECT_EQ(encode(v6_advert(), ip("fe80::2"), multicast_group_v6()), from_hex(kV6));
  // The form argument cannot make an IPv6 message without its pseudo-header.
  EXPECT_EQ(encode(v6_advert(), ip("fe80::2"), multicast_group_v6(), ChecksumForm::kMessageOnly),
            from_hex(kV6));
}

TEST(VrrpPacket, RejectsTheMessageOnlyChecksumForIpv6) {
  DecodeResult r = decode(from_hex(kV6MessageOnly), v6_ip());
  EXPECT_EQ(r.error, DecodeError::kBadChecksum);
  EXPECT_EQ(r.text(), "bad checksum (0x3d2b on the wire)");
}

TEST(VrrpPacket, PseudoHeaderCoversTheAddresses) {
  // Unicast peers: the checksum is over the real destination.
  IpAddress peer = ip("10.0.0.3");
  std::vector<uint8_t> m = encode(v4_advert(), ip("10.0.0.2"), peer);
  EXPECT_TRUE(decode(m, {ip("10.0.0.2"), peer, 255}).ok());
  EXPECT_EQ(decode(m, {ip("10.0.0.2"), multicast_group_v4(), 255}).error,
            DecodeError::kBadChecksum);
  EXPECT_EQ(decode(m, {ip("10.0.0.9"), peer, 255}).error, DecodeError::kBadChecksum);
  EXPECT_EQ(decode(from_hex(kV6), {ip("fe80::9"), multicast_group_v6(), 255}).error,
            DecodeError::kBadChecksum);
}

TEST(VrrpPacket, RoundTripsEveryField) {
  Advert a{255, 254, 4095, {}};
  for (uint32_t i = 1; i <= 255; ++i) a.addresses.push_back(IpAddress::v4(0x0a000000 + i));
  std::vector<uint8_t> m = encode(a, ip("10.0.0.1"), multicast_group_v4());
  EXPECT_EQ(m.size(), 8u + 255 * 4);
  DecodeResult r = decode(m, v4_ip("10.0.0.1"));
  ASSERT_TRUE(r.ok()) << r.text();
  EXPECT_EQ(r.advert, a);
}

TEST(VrrpPacket, WrongVersion) {
  std::vector<uint8_t> m = from_hex(kV4);
  m[0] = 0x21;  // VRRPv2
  DecodeResult r = decode(m, v4_ip());
  EXPECT_EQ(r.error, DecodeError::kWrongVersion);
  EXPECT_EQ(r.text(), "version is not 3 (got 2)");
}

TEST(VrrpPacket, WrongType) {
  std::vector<uint8_t> m = from_hex(kV4);
  m[0] = 0x32;
  EXPECT_EQ(decode(m, v4_ip()).error, DecodeError::kWrongType);
  EXPECT_EQ(decode(m, v4_ip()).text(), "type is not 1 (ADVERTISEMENT) (got 2)");
}

TEST(VrrpPacket, BadChecksum) {
  std::vector<uint8_t> m = from_hex(kV4);
  m[15] ^= 0x01;  // 10.0.0.101 -> 10.0.0.100
  DecodeResult r = decode(m, v4_ip());
  EXPECT_EQ(r.error, DecodeError::kBadChecksum);
  EXPECT_EQ(r.text(), "bad checksum (0x0708 on the wire)");
  m = from_hex(kV6);
  m[7] ^= 0xff;
  EXPECT_EQ(decode(m, v6_ip()).error, DecodeError::kBadChecksum);
}

TEST(VrrpPacket, Truncated) {
  std::vector<uint8_t> m = from_hex(kV4);
  m.resize(7);
  DecodeResult r = decode(m, v4_ip());
  EXPECT_EQ(r.error, DecodeError::kTruncated);
  EXPECT_EQ(r.text(), "shorter than the 8-byte VRRP header (7 bytes)");
  EXPECT_EQ(decode({}, v4_ip()).error, DecodeError::kTruncated);
}

TEST(VrrpPacket, CountAndLengthMustAgree) {
  std::vector<uint8_t> m = from_hex(kV4);
  m.resize(12);  // count 2, one address
  DecodeResult r = decode(m, v4_ip());
  EXPECT_EQ(r.error, DecodeError::kLengthMismatch);
  EXPECT_EQ(r.text(), "length does not match the address count (count 2, 12 bytes)");

  m = from_hex(kV4);
  m[3] = 3;  // count 3, two addresses
  EXPECT_EQ(decode(m, v4_ip()).error, DecodeError::kLengthMismatch);

  m = from_hex(kV4);
  m.insert(m.end(), {0, 0, 0, 0, 0, 0, 0, 0});  // VRRPv2-style trailing authentication data
  EXPECT_EQ(decode(m, v4_ip()).error, DecodeError::kLengthMismatch);

  // An IPv4-sized message arriving over IPv6.
  EXPECT_EQ(decode(from_hex(kV4), v6_ip()).error, DecodeError::kLengthMismatch);
}

TEST(VrrpPacket, NoAddresses) {
  std::vector<uint8_t> m = encode(Advert{1, 100, 100, {}}, ip("10.0.0.2"), multicast_group_v4());
  EXPECT_EQ(decode(m, v4_ip()).error, DecodeError::kNoAddresses);
}

TEST(VrrpPacket, ZeroInterval) {
  std::vector<uint8_t> m =
      encode(Advert{1, 100, 0, {ip("10.0.0.100")}}, ip("10.0.0.2"), multicast_group_v4());
  EXPECT_EQ(decode(m, v4_ip()).error, DecodeError::kZeroInterval);
}

TEST(VrrpPacket, TtlMustBe255) {
  ReceivedIp r = v4_ip();
  r.ttl = 254;  // forwarded once: not from this link
  EXPECT_EQ(decode(from_hex(kV4), r).error, DecodeError::kBadTtl);
  EXPECT_EQ(decode(from_hex(kV4), r).text(),
            "TTL/hop limit is not 255 (RFC 5798 5.1.1.3, 5.1.2.3) (got 254)");
  ReceivedIp r6 = v6_ip();
  r6.ttl = 1;
  EXPECT_EQ(decode(from_hex(kV6), r6).error, DecodeError::kBadTtl);
}

TEST(VrrpPacket, FamiliesMustAgree) {
  EXPECT_EQ(decode(from_hex(kV4), {ip("10.0.0.2"), multicast_group_v6(), 255}).error,
            DecodeError::kFamilyMismatch);
}

TEST(VrrpPacket, ChecksumOfAGoodMessageIsZero) {
  std::vector<uint8_t> m = from_hex(kV4);
  EXPECT_EQ(checksum(m, ip("10.0.0.2"), multicast_group_v4(), ChecksumForm::kPseudoHeader), 0);
  EXPECT_NE(checksum(m, ip("10.0.0.2"), multicast_group_v4(), ChecksumForm::kMessageOnly), 0);
  EXPECT_STREQ(checksum_form_name(ChecksumForm::kMessageOnly), "message-only");
}

}  // namespace
}  // namespace sluice::vrrp
