// SPDX-License-Identifier: BSD-3-Clause
// parse_frame() cost per frame over an RX-sized burst of prepared frames, and
// frame_owners()': what a worker pays per frame it receives on a port with flow handoff.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "packet/parser.h"
#include "pipeline/flow_owner.h"

namespace sluice {
namespace {

using namespace wire;

constexpr size_t kBurst = 32;
constexpr size_t kFrameRoom = 128;  // stride between frames, like mbuf data rooms

struct Burst {
  alignas(64) std::array<std::array<uint8_t, kFrameRoom>, kBurst> frames{};
  std::array<uint32_t, kBurst> lengths{};
};

enum class Shape { kTcp4, kTcp6, kVlanTcp4 };

// One TCP ACK with 32 bytes of payload from client i to the VIP port 80.
uint32_t build(Shape shape, uint32_t i, uint8_t* f) {
  uint32_t at = kEthHeaderLen;
  f[0] = 0x02;
  f[6] = 0x02;
  uint16_t ethertype = shape == Shape::kTcp6 ? kEtherTypeIpv6 : kEtherTypeIpv4;
  if (shape == Shape::kVlanTcp4) {
    store_be16(f + kEthTypeOffset, kEtherTypeVlan);
    store_be16(f + at, 10);
    at += kVlanTagLen;
  }
  store_be16(f + at - 2, ethertype);
  constexpr uint32_t kPayload = 32;
  uint32_t l4;
  if (shape == Shape::kTcp6) {
    f[at] = 0x60;
    store_be16(f + at + 4, uint16_t(kTcpMinHeaderLen + kPayload));
    f[at + 6] = kProtoTcp;
    f[at + 7] = 64;
    f[at + 8] = 0x20;
    f[at + 9] = 0x01;
    store_be32(f + at + 20, i);  // source 2001::<i>
    f[at + 24] = 0x20;
    f[at + 25] = 0x01;
    f[at + 39] = 100;
    l4 = at + kIpv6HeaderLen;
  } else {
    f[at] = 0x45;
    store_be16(f + at + 2, uint16_t(kIpv4HeaderLen + kTcpMinHeaderLen + kPayload));
    store_be16(f + at + 6, kIpv4FlagDontFragment);
    f[at + 8] = 64;
    f[at + 9] = kProtoTcp;
    store_be32(f + at + 12, 0xc6336400u + i);  // 198.51.100.<i>
    store_be32(f + at + 16, 0x0a000064u);      // 10.0.0.100
    l4 = at + kIpv4HeaderLen;
  }
  store_be16(f + l4, uint16_t(40000 + i));
  store_be16(f + l4 + 2, 80);
  f[l4 + 12] = 5 << 4;
  f[l4 + 13] = kTcpAck;
  return l4 + kTcpMinHeaderLen + kPayload;
}

void BM_ParseBurst(benchmark::State& state, Shape shape) {
  Burst burst;
  for (uint32_t i = 0; i < kBurst; ++i) burst.lengths[i] = build(shape, i, burst.frames[i].data());
  std::array<ParsedPacket, kBurst> out;
  for (auto _ : state) {
    for (size_t i = 0; i < kBurst; ++i)
      parse_frame(burst.frames[i].data(), burst.lengths[i], out[i]);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  if (out[kBurst - 1].kind == PacketKind::kDrop) state.SkipWithError("frame did not parse");
  const double frames = double(state.iterations()) * kBurst;
  state.SetItemsProcessed(int64_t(frames));
  state.counters["per_frame"] =
      benchmark::Counter(frames, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

constexpr std::array<uint16_t, 2> kTwoWorkers{0, 1};

void BM_FrameOwnerBurst(benchmark::State& state, Shape shape) {
  Burst burst;
  std::array<PacketBuffer, kBurst> buffers;
  for (uint32_t i = 0; i < kBurst; ++i)
    buffers[i] =
        PacketBuffer{burst.frames[i].data(), build(shape, i, burst.frames[i].data()), 0, 0};
  std::array<ParsedPacket, kBurst> parsed;
  std::array<uint16_t, kBurst> owners;
  for (auto _ : state) {
    frame_owners(buffers.data(), kBurst, kTwoWorkers, 0, parsed.data(), owners.data());
    benchmark::DoNotOptimize(owners.data());
    benchmark::ClobberMemory();
  }
  uint32_t to_worker1 = 0;
  for (uint16_t o : owners) to_worker1 += o;
  if (to_worker1 == 0 || to_worker1 == kBurst) state.SkipWithError("one worker owns every flow");
  const double frames = double(state.iterations()) * kBurst;
  state.SetItemsProcessed(int64_t(frames));
  state.counters["per_frame"] =
      benchmark::Counter(frames, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

BENCHMARK_CAPTURE(BM_ParseBurst, tcp_ipv4, Shape::kTcp4);
BENCHMARK_CAPTURE(BM_ParseBurst, tcp_ipv6, Shape::kTcp6);
BENCHMARK_CAPTURE(BM_ParseBurst, vlan_tcp_ipv4, Shape::kVlanTcp4);
BENCHMARK_CAPTURE(BM_FrameOwnerBurst, tcp_ipv4, Shape::kTcp4);
BENCHMARK_CAPTURE(BM_FrameOwnerBurst, tcp_ipv6, Shape::kTcp6);

}  // namespace
}  // namespace sluice

BENCHMARK_MAIN();
