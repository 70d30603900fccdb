// SPDX-License-Identifier: BSD-3-Clause
// Local responders, neighbor packet builders and neighbor learning against exact bytes.
// Expected frames were produced once with scapy 2.5 (checksums computed by scapy) and
// pasted here as hex.
#include "packet/responder.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "frame_buffer.h"
#include "net/wire.h"
#include "packet/neighbor_packets.h"
#include "packet/parser.h"
#include "packet_builder.h"

namespace sluice {
namespace {

// Us: 02:00:00:00:00:02, 192.0.2.1 and 2001:db8::1. Client: 02:00:00:00:00:0a, 192.0.2.10
// and 2001:db8::10.
constexpr char kArpRequest[] =
    "ffffffffffff02000000000a0806000108000604000102000000000ac000020a000000000000c00002010000"
    "00000000000000000000000000000000";
constexpr char kArpReply[] =
    "02000000000a02000000000208060001080006040002020000000002c000020102000000000ac000020a0000"
    "00000000000000000000000000000000";
constexpr char kArpRequestVlan[] =
    "ffffffffffff02000000000a810000070806000108000604000102000000000ac000020a000000000000c000"
    "02010000000000000000000000000000";
constexpr char kArpReplyVlan[] =
    "02000000000a0200000000028100000708060001080006040002020000000002c000020102000000000ac000"
    "020a0000000000000000000000000000";
constexpr char kArpProbe[] =
    "ffffffffffff02000000000a0806000108000604000102000000000a00000000000000000000c00002010000"
    "00000000000000000000000000000000";
constexpr char kArpProbeReply[] =
    "02000000000a02000000000208060001080006040002020000000002c000020102000000000a000000000000"
    "00000000000000000000000000000000";
constexpr char kEcho4[] =
    "02000000000202000000000a080045000030030940003d01b6b8c000020ac00002010800de3212340001736c"
    "756963652d70696e672d7061796c6f616421";
constexpr char kEcho4Reply[] =
    "02000000000a020000000002080045000030030940004001b3b8c0000201c000020a0000e63212340001736c"
    "756963652d70696e672d7061796c6f616421";
constexpr char kEcho4VlanPadded[] =
    "02000000000202000000000a8100000708004500001cffff0000ff0137d5c000020ac00002010800f807fff7"
    "ffff00000000000000000000";
constexpr char kEcho4VlanReply[] =
    "02000000000a0200000000028100000708004500001cffff00004001f6d5c0000201c000020a00000008fff7"
    "ffff";
constexpr char kEcho6[] =
    "02000000000202000000000a86dd6000000000143a3d20010db800000000000000000000001020010db80000"
    "000000000000000000018000c7a812340001736c756963652d70696e6736";
constexpr char kEcho6Reply[] =
    "02000000000a02000000000286dd6000000000143a4020010db800000000000000000000000120010db80000"
    "000000000000000000108100c6a812340001736c756963652d70696e6736";
constexpr char kNs[] =
    "3333ff00000102000000000a86dd6000000000203aff20010db8000000000000000000000010ff0200000000"
    "000000000001ff00000187001c110000000020010db8000000000000000000000001010102000000000a";
constexpr char kNsWithNonce[] =
    "3333ff00000102000000000a86dd6000000000283aff20010db8000000000000000000000010ff0200000000"
    "000000000001ff000001870004fc0000000020010db8000000000000000000000001010102000000000a0e01"
    "010203040506";
constexpr char kNa[] =
    "02000000000a02000000000286dd6000000000203aff20010db800000000000000000000000120010db80000"
    "0000000000000000001088008a646000000020010db80000000000000000000000010201020000000002";
constexpr char kNsUnicastVlan[] =
    "02000000000202000000000a8100000786dd6000000000183aff20010db80000000000000000000000102001"
    "0db80000000000000000000000018700ef6f0000000020010db8000000000000000000000001";
constexpr char kNaUnicastVlan[] =
    "02000000000a0200000000028100000786dd6000000000203aff20010db80000000000000000000000012001"
    "0db800000000000000000000001088008a646000000020010db8000000000000000000000001020102000000"
    "0002";
constexpr char kNsDad[] =
    "3333ff00000102000000000a86dd6000000000183aff00000000000000000000000000000000ff0200000000"
    "000000000001ff00000187004ced0000000020010db8000000000000000000000001";
constexpr char kNaDad[] =
    "33330000000102000000000286dd6000000000203aff20010db8000000000000000000000001ff0200000000"
    "000000000000000000018800f9292000000020010db80000000000000000000000010201020000000002";
constexpr char kNsHopLimit64[] =
    "3333ff00000102000000000a86dd6000000000203a4020010db8000000000000000000000010ff0200000000"
    "000000000001ff00000187001c110000000020010db8000000000000000000000001010102000000000a";
constexpr char kBuiltArpRequest[] =
    "ffffffffffff02000000000208060001080006040001020000000002c0000201000000000000c000020a0000"
    "00000000000000000000000000000000";
constexpr char kBuiltArpRequestVlan[] =
    "ffffffffffff0200000000028100006408060001080006040001020000000002c0000201000000000000c000"
    "020a0000000000000000000000000000";
constexpr char kBuiltGarp[] =
    "ffffffffffff02000000000208060001080006040001020000000002c0000201000000000000c00002010000"
    "00000000000000000000000000000000";
constexpr char kBuiltNs[] =
    "3333ffcdef1002000000000286dd6000000000203aff20010db8000000000000000000000001ff0200000000"
    "000000000001ffcdef108700916a0000000020010db80000000000010002abcdef100101020000000002";
constexpr char kBuiltNsDadVlan[] =
    "3333ffcdef100200000000028100006486dd6000000000183aff00000000000000000000000000000000ff02"
    "00000000000000000001ffcdef108700c22f0000000020010db80000000000010002abcdef10";
constexpr char kBuiltUnsolicitedNaVlan[] =
    "3333000000010200000000028100006486dd6000000000203aff20010db8000000000000000000000001ff02"
    "00000000000000000000000000018800f9292000000020010db8000000000000000000000001020102000000"
    "0002";
constexpr char kBuiltUnsolicitedNa[] =
    "33330000000102000000000286dd6000000000203aff20010db8000000000000000000000001ff0200000000"
    "000000000000000000018800f9292000000020010db80000000000000000000000010201020000000002";

using testing_support::addr;
using testing_support::Bytes;
using testing_support::describe;
using testing_support::from_hex;
using testing_support::Packet;
using testing_support::TestFrame;

const MacAddress kOurs{{2, 0, 0, 0, 0, 2}};
const MacAddress kClient{{2, 0, 0, 0, 0, 0x0a}};

// kNs (the client's solicitation for our 2001:db8::1) built with one field changed and its
// checksum right, so that only the change under test can make it invalid.
struct NsFields {
  const char* source = "2001:db8::10";
  const char* target = "2001:db8::1";
  uint8_t code = 0;
  uint8_t option_length = 1;  // of the source link-layer address option, in 8-byte units
};
std::vector<uint8_t> solicitation(const NsFields& f) {
  return Packet()
      .eth({0x33, 0x33, 0xff, 0, 0, 0x01}, kClient.bytes)
      .ipv6(f.source, "ff02::1:ff00:1", {.hop_limit = 255})
      .icmp(wire::kIcmpv6NeighborSolicitation, f.code)
      .payload(addr(f.target))
      .nd_option(wire::kNdOptionSourceLinkAddr, kClient.bytes, f.option_length)
      .bytes();
}
const IpAddress kOurV4 = *IpAddress::parse("192.0.2.1");
const IpAddress kOurV6 = *IpAddress::parse("2001:db8::1");

bool is_ours(const IpAddress& a) { return a == kOurV4 || a == kOurV6; }
bool nothing_is_ours(const IpAddress&) { return false; }
bool everything_is_ours(const IpAddress&) { return true; }

// Runs a responder on `input`; expects `expected` bytes, or the frame untouched if null.
template <class Responder>
void expect_answer(const char* input, Responder respond, const char* expected,
                   uint32_t tailroom = 128) {
  const auto in = from_hex(input);
  TestFrame frame(in, 128, tailroom);
  const PacketBuffer before = frame.buf;
  const bool answered = respond(frame.buf, describe(in));
  if (expected) {
    EXPECT_TRUE(answered);
    EXPECT_EQ(frame.bytes(), from_hex(expected));
  } else {
    EXPECT_FALSE(answered);
    EXPECT_EQ(frame.bytes(), in);
    EXPECT_EQ(frame.buf.length, before.length);
  }
  EXPECT_EQ(frame.buf.data, before.data);
}

auto arp = [](PacketBuffer& b, const ParsedPacket& p) { return answer_arp(b, p, kOurs, is_ours); };
auto arp_none = [](PacketBuffer& b, const ParsedPacket& p) {
  return answer_arp(b, p, kOurs, nothing_is_ours);
};
auto echo = [](PacketBuffer& b, const ParsedPacket& p) { return answer_icmp_echo(b, p, kOurs); };
auto ns = [](PacketBuffer& b, const ParsedPacket& p) {
  return answer_neighbor_solicitation(b, p, kOurs, is_ours);
};
auto ns_none = [](PacketBuffer& b, const ParsedPacket& p) {
  return answer_neighbor_solicitation(b, p, kOurs, nothing_is_ours);
};

// ---------------------------------------------------------------------------------------
// ARP

TEST(AnswerArp, RequestForOurAddressBecomesReply) {
  expect_answer(kArpRequest, arp, kArpReply);
  expect_answer(kArpRequestVlan, arp, kArpReplyVlan);
}

TEST(AnswerArp, ProbeFromZeroAddressIsAnsweredToZero) {
  expect_answer(kArpProbe, arp, kArpProbeReply);
}

TEST(AnswerArp, LeavesOtherArpUntouched) {
  expect_answer(kArpRequest, arp_none, nullptr);  // not our address
  expect_answer(kArpReply, arp, nullptr);         // a reply asks nothing
  expect_answer(kBuiltGarp, arp, nullptr);        // an announcement asks nothing
  expect_answer(kEcho4, arp, nullptr);            // not ARP
  auto truncated = from_hex(kArpRequest);
  truncated.resize(14 + 27);
  TestFrame frame(truncated);
  EXPECT_FALSE(answer_arp(frame.buf, describe(truncated), kOurs, is_ours));
}

TEST(AnswerArp, CallsThePredicateWithTheTargetAddress) {
  const auto in = from_hex(kArpRequest);
  TestFrame frame(in);
  IpAddress asked;
  answer_arp(frame.buf, describe(in), kOurs, [&](const IpAddress& a) {
    asked = a;
    return false;
  });
  EXPECT_EQ(asked, kOurV4);
}

// ---------------------------------------------------------------------------------------
// ICMP echo

TEST(AnswerIcmpEcho, V4RequestBecomesReply) { expect_answer(kEcho4, echo, kEcho4Reply); }

TEST(AnswerIcmpEcho, V4InVlanWithPaddingLosesThePadding) {
  expect_answer(kEcho4VlanPadded, echo, kEcho4VlanReply);
}

TEST(AnswerIcmpEcho, V6RequestBecomesReply) { expect_answer(kEcho6, echo, kEcho6Reply); }

TEST(AnswerIcmpEcho, LeavesOtherPacketsUntouched) {
  expect_answer(kEcho4Reply, echo, nullptr);
  expect_answer(kEcho6Reply, echo, nullptr);
  expect_answer(kNs, echo, nullptr);
  expect_answer(kArpRequest, echo, nullptr);
}

// ---------------------------------------------------------------------------------------
// Neighbor solicitation -> advertisement

TEST(AnswerNeighborSolicitation, MulticastSolicitationGetsSolicitedOverrideAdvertisement) {
  expect_answer(kNs, ns, kNa);
}

TEST(AnswerNeighborSolicitation, TrailingOptionsAreDropped) {
  expect_answer(kNsWithNonce, ns, kNa);
}

TEST(AnswerNeighborSolicitation, UnicastWithoutOptionInVlanGrowsByTheOption) {
  expect_answer(kNsUnicastVlan, ns, kNaUnicastVlan);
  // Without the 8 bytes of tailroom the frame cannot hold the answer.
  expect_answer(kNsUnicastVlan, ns, nullptr, 7);
}

TEST(AnswerNeighborSolicitation, DuplicateAddressDetectionIsAnsweredToAllNodes) {
  expect_answer(kNsDad, ns, kNaDad);
}

TEST(AnswerNeighborSolicitation, RejectsWhatRfc4861Rejects) {
  expect_answer(kNsHopLimit64, ns, nullptr);
  expect_answer(kNs, ns_none, nullptr);        // target not ours
  ASSERT_EQ(solicitation({}), from_hex(kNs));  // each variant differs from kNs in one field
  auto bad_checksum = from_hex(kNs);
  bad_checksum[14 + 40 + 2] ^= 1;
  auto bad_code = solicitation({.code = 1});
  auto zero_length_option = solicitation({.option_length = 0});
  auto multicast_target = solicitation({.target = "ff01:db8::1"});
  auto dad_with_option = solicitation({.source = "::"});
  for (const auto& in :
       {bad_checksum, bad_code, zero_length_option, multicast_target, dad_with_option}) {
    TestFrame frame(in);
    EXPECT_FALSE(answer_neighbor_solicitation(frame.buf, describe(in), kOurs, everything_is_ours));
    EXPECT_EQ(frame.bytes(), in);
  }
  // Shorter than 24 bytes of ICMPv6: kNsDad without the last byte of its target.
  Bytes target = addr("2001:db8::1");
  target.pop_back();
  const auto short_ns = Packet()
                            .eth({0x33, 0x33, 0xff, 0, 0, 0x01}, kClient.bytes)
                            .ipv6("::", "ff02::1:ff00:1", {.hop_limit = 255})
                            .icmp(wire::kIcmpv6NeighborSolicitation)
                            .payload(target)
                            .bytes();
  ParsedPacket parsed = describe(short_ns);
  TestFrame frame(short_ns);
  EXPECT_FALSE(answer_neighbor_solicitation(frame.buf, parsed, kOurs, is_ours));
  expect_answer(kNa, ns, nullptr);  // an advertisement is not a solicitation
}

// ---------------------------------------------------------------------------------------
// Builders

template <class Build>
void expect_built(Build build, const char* expected) {
  const auto want = from_hex(expected);
  std::array<uint8_t, 128> out{};
  const uint32_t n = build(out.data(), uint32_t(out.size()));
  ASSERT_EQ(n, want.size());
  EXPECT_EQ(std::vector<uint8_t>(out.data(), out.data() + n), want);
  // One byte short: nothing written.
  std::array<uint8_t, 128> small{};
  EXPECT_EQ(build(small.data(), n - 1), 0u);
  EXPECT_EQ(small, (std::array<uint8_t, 128>{}));
}

const IpAddress kClientV4 = *IpAddress::parse("192.0.2.10");
const IpAddress kNsTarget = *IpAddress::parse("2001:db8::1:2:abcd:ef10");

TEST(BuildNeighborPackets, ArpRequest) {
  expect_built(
      [](uint8_t* o, uint32_t c) { return build_arp_request(o, c, kOurs, kOurV4, kClientV4); },
      kBuiltArpRequest);
  expect_built(
      [](uint8_t* o, uint32_t c) { return build_arp_request(o, c, kOurs, kOurV4, kClientV4, 100); },
      kBuiltArpRequestVlan);
}

TEST(BuildNeighborPackets, GratuitousArp) {
  expect_built([](uint8_t* o, uint32_t c) { return build_gratuitous_arp(o, c, kOurs, kOurV4); },
               kBuiltGarp);
}

TEST(BuildNeighborPackets, NeighborSolicitationToSolicitedNodeGroup) {
  expect_built(
      [](uint8_t* o, uint32_t c) {
        return build_neighbor_solicitation(o, c, kOurs, kOurV6, kNsTarget);
      },
      kBuiltNs);
  expect_built(
      [](uint8_t* o, uint32_t c) {
        return build_neighbor_solicitation(o, c, kOurs, IpAddress{}, kNsTarget, 100);
      },
      kBuiltNsDadVlan);
}

TEST(BuildNeighborPackets, UnsolicitedAdvertisement) {
  expect_built([](uint8_t* o, uint32_t c) { return build_unsolicited_na(o, c, kOurs, kOurV6); },
               kBuiltUnsolicitedNa);
  expect_built(
      [](uint8_t* o, uint32_t c) { return build_unsolicited_na(o, c, kOurs, kOurV6, 100); },
      kBuiltUnsolicitedNaVlan);
}

// ---------------------------------------------------------------------------------------
// Learning

std::optional<NeighborBinding> learn(const char* hex) {
  const auto f = from_hex(hex);
  return learn_neighbor(f.data(), uint32_t(f.size()), describe(f));
}

void expect_binding(const char* hex, const IpAddress& ip, const MacAddress& mac) {
  const auto b = learn(hex);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->ip, ip);
  EXPECT_EQ(b->mac, mac);
}

TEST(LearnNeighbor, FromArpRequestAndReplySenders) {
  expect_binding(kArpRequest, kClientV4, kClient);
  expect_binding(kArpRequestVlan, kClientV4, kClient);
  expect_binding(kArpReply, kOurV4, kOurs);
  expect_binding(kBuiltGarp, kOurV4, kOurs);
}

TEST(LearnNeighbor, FromAdvertisementTargetLinkLayerOption) {
  expect_binding(kNa, kOurV6, kOurs);
  expect_binding(kBuiltUnsolicitedNaVlan, kOurV6, kOurs);
  expect_binding(kNaDad, kOurV6, kOurs);
}

TEST(LearnNeighbor, FromSolicitationSourceLinkLayerOption) {
  expect_binding(kNs, *IpAddress::parse("2001:db8::10"), kClient);
  expect_binding(kNsWithNonce, *IpAddress::parse("2001:db8::10"), kClient);
}

TEST(LearnNeighbor, NothingFromTheRest) {
  EXPECT_FALSE(learn(kArpProbe));       // sender 0.0.0.0
  EXPECT_FALSE(learn(kNsDad));          // source ::
  EXPECT_FALSE(learn(kNsUnicastVlan));  // no source link-layer option
  EXPECT_FALSE(learn(kNsHopLimit64));   // may come from off link
  EXPECT_FALSE(learn(kEcho4));
  EXPECT_FALSE(learn(kEcho6));
  EXPECT_FALSE(learn(kBuiltNsDadVlan));  // from ::, no option
  auto multicast_mac = from_hex(kArpRequest);
  multicast_mac[14 + 8] = 0x01;
  EXPECT_FALSE(learn_neighbor(multicast_mac.data(), uint32_t(multicast_mac.size()),
                              describe(multicast_mac)));
  auto truncated = from_hex(kNa);
  truncated.resize(truncated.size() - 1);
  EXPECT_FALSE(learn_neighbor(truncated.data(), uint32_t(truncated.size()), describe(truncated)));
}

}  // namespace
}  // namespace sluice
