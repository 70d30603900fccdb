// SPDX-License-Identifier: BSD-3-Clause
#include "packet/mss_clamp.h"

#include <gtest/gtest.h>

#include "frame_buffer.h"
#include "net/wire.h"
#include "packet/checksum.h"
#include "packet_builder.h"

namespace sluice {
namespace {

using testing_support::Bytes;
using testing_support::describe;
using testing_support::Packet;
using testing_support::TcpOpts;
using testing_support::TestFrame;

constexpr uint32_t kTcpAt = 14 + 20;

Bytes syn4(const Bytes& options, const std::string& payload = "") {
  Packet p;
  p.eth()
      .ipv4("192.0.2.1", "10.0.0.100")
      .tcp(40000, 80, wire::kTcpSyn, TcpOpts{.options = options});
  if (!payload.empty()) p.payload(payload);
  return p.bytes();
}

Bytes syn6(const Bytes& options) {
  return Packet()
      .eth()
      .ipv6("2001:db8::1", "2001:db8::100")
      .tcp(40000, 80, wire::kTcpSyn, TcpOpts{.options = options})
      .bytes();
}

// Clamps the frame's SYN to `max_mss`; the frame after, and whether it changed.
std::pair<Bytes, bool> clamp(const Bytes& frame, uint16_t max_mss) {
  TestFrame f(frame);
  const bool lowered = clamp_mss(f.buf, describe(frame), max_mss);
  return {f.bytes(), lowered};
}

bool tcp_checksum_right_v4(const Bytes& f) {
  const uint8_t* ip = f.data() + 14;
  return checksum::sum(f.data() + kTcpAt, uint32_t(f.size() - kTcpAt),
                       checksum::pseudo_header_v4(ip + 12, ip + 16, wire::kProtoTcp,
                                                  uint32_t(f.size() - kTcpAt))) == 0xffff;
}

TEST(MssClamp, LowersALargerMssAndKeepsTheChecksumRight) {
  const Bytes before = syn4({2, 4, 0x05, 0xb4});  // MSS 1460
  auto [after, lowered] = clamp(before, 1400);
  EXPECT_TRUE(lowered);
  EXPECT_EQ(after, syn4({2, 4, 0x05, 0x78}));  // the builder's own checksum of MSS 1400
  EXPECT_TRUE(tcp_checksum_right_v4(after));
}

TEST(MssClamp, AnMssAtAnOddOffsetIsLoweredWithTheChecksumRight) {
  const Bytes before = syn4({1, 2, 4, 0x23, 0x00, 0, 0, 0});  // NOP, MSS 8960, EOL
  auto [after, lowered] = clamp(before, 1400);
  EXPECT_TRUE(lowered);
  EXPECT_EQ(after, syn4({1, 2, 4, 0x05, 0x78, 0, 0, 0}));
  EXPECT_TRUE(tcp_checksum_right_v4(after));
}

TEST(MssClamp, WithPayloadAndOverIpv6) {
  auto [v4, lowered4] = clamp(syn4({2, 4, 0x05, 0xb4}, "odd"), 1220);
  EXPECT_TRUE(lowered4);
  EXPECT_EQ(v4, syn4({2, 4, 0x04, 0xc4}, "odd"));
  auto [v6, lowered6] = clamp(syn6({1, 1, 1, 1, 2, 4, 0x05, 0xa0}), 1380);
  EXPECT_TRUE(lowered6);
  EXPECT_EQ(v6, syn6({1, 1, 1, 1, 2, 4, 0x05, 0x64}));
}

TEST(MssClamp, NeverRaisesNorInserts) {
  for (const Bytes& frame : {syn4({2, 4, 0x05, 0x78}),  // equal
                             syn4({2, 4, 0x02, 0x18}),  // 536
                             syn4({}),                  // no options
                             syn4({1, 3, 3, 7})}) {     // window scale only
    auto [after, lowered] = clamp(frame, 1400);
    EXPECT_FALSE(lowered);
    EXPECT_EQ(after, frame);
  }
}

TEST(MssClamp, EveryMssOptionIsLowered) {
  auto [after, lowered] = clamp(syn4({2, 4, 0x05, 0xb4, 2, 4, 0x23, 0x00}), 1400);
  EXPECT_TRUE(lowered);
  EXPECT_EQ(after, syn4({2, 4, 0x05, 0x78, 2, 4, 0x05, 0x78}));
}

TEST(MssClamp, AMalformedOptionEndsTheWalk) {
  for (const Bytes& options : {Bytes{8, 0, 2, 4, 0x05, 0xb4, 0, 0},     // length 0
                               Bytes{8, 1, 2, 4, 0x05, 0xb4, 0, 0},     // length 1
                               Bytes{1, 1, 1, 8, 9, 0, 0, 0},           // past the header
                               Bytes{1, 1, 1, 1, 1, 1, 1, 2},           // kind, no length
                               Bytes{2, 5, 0x05, 0xb4, 0, 0, 0, 0},     // MSS of length 5
                               Bytes{0, 0, 0, 0, 2, 4, 0x05, 0xb4}}) {  // after the end
    const Bytes frame = syn4(options);
    auto [after, lowered] = clamp(frame, 1400);
    EXPECT_FALSE(lowered);
    EXPECT_EQ(after, frame);
  }
}

}  // namespace
}  // namespace sluice
