// SPDX-License-Identifier: BSD-3-Clause
// parse_frame() cost per frame over an RX-sized burst of prepared frames, and
// frame_owners()': what a worker pays per frame it receives on a port with flow handoff.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "packet/parser.h"
#include "packet_builder.h"  // tests/lib
#include "pipeline/flow_owner.h"

namespace sluice {
namespace {

using namespace wire;
using testing_support::Packet;

constexpr size_t kBurst = 32;
constexpr size_t kFrameRoom = 128;  // stride between frames, like mbuf data rooms

struct Burst {
  alignas(64) std::array<std::array<uint8_t, kFrameRoom>, kBurst> frames{};
  std::array<uint32_t, kBurst> lengths{};
};

enum class Shape { kTcp4, kTcp6, kVlanTcp4 };

// One TCP ACK with 32 bytes of payload from client i to the VIP port 80, copied to `f`.
uint32_t build(Shape shape, uint32_t i, uint8_t* f) {
  Packet p;
  p.eth({0x02, 0, 0, 0, 0, 0}, {0x02, 0, 0, 0, 0, 0});
  if (shape == Shape::kVlanTcp4) p.vlan(10);
  if (shape == Shape::kTcp6) {
    char source[32];
    std::snprintf(source, sizeof source, "2001::%x", i);
    p.ipv6(source, "2001::64");
  } else {
    p.ipv4("198.51.100." + std::to_string(i), "10.0.0.100");
  }
  const std::vector<uint8_t> frame = p.tcp(uint16_t(40000 + i), 80, kTcpAck).payload(32, 0).bytes();
  std::memcpy(f, frame.data(), frame.size());
  return uint32_t(frame.size());
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
