// SPDX-License-Identifier: BSD-3-Clause
// Cost per packet of the forwarding rewrites on a TCP SYN (58-byte IPv4 / 78-byte IPv6
// frame). Each iteration first restores the frame from a pristine copy; BM_ResetOnly
// measures that restore alone so it can be subtracted.
#include <benchmark/benchmark.h>

#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "frame_buffer.h"  // tests/lib
#include "net/wire.h"
#include "packet/encap.h"
#include "packet_builder.h"

namespace sluice {
namespace {

using testing_support::Packet;

// 198.51.100.10:40000 -> 203.0.113.5:80 SYN with MSS (and the IPv6 equivalent): kSyn4 and
// kSyn6 of tests/unit/rewrite_test.cc.
std::vector<uint8_t> syn(bool v4) {
  Packet p;
  p.eth({2, 0, 0, 0, 0, 2}, {2, 0, 0, 0, 0, 1});
  if (v4)
    p.ipv4("198.51.100.10", "203.0.113.5", {.tos = 0x2a, .ttl = 57, .id = 0x10e1, .frag = 0});
  else
    p.ipv6("2001:db8:1::10", "2001:db8:2::5", {.tclass = 0x2a, .flow = 0x12345, .hop_limit = 57});
  return p
      .tcp(40000, 80, wire::kTcpSyn,
           {.seq = 1000, .ack = 0, .window = 0xfaf0, .options = {2, 4, 5, 0xb4}})
      .bytes();
}

// Mbuf-like: 128 bytes of headroom (RTE_PKTMBUF_HEADROOM) in a 2 KiB buffer.
struct Fixture {
  static constexpr uint32_t kHeadroom = 128;
  alignas(64) std::array<uint8_t, 2048> storage{};
  std::vector<uint8_t> pristine;
  ParsedPacket parsed;
  OuterHeader ipip;
  OuterHeader gue;
  PacketBuffer buf;

  Fixture(bool inner_v4, bool outer_v4)
      : pristine(syn(inner_v4)), parsed(testing_support::describe(pristine)) {
    // The per-flow source prefixes a deployment would use.
    const IpPrefix source = *IpPrefix::parse(outer_v4 ? "10.0.0.0/24" : "2001:db8:ff:1::/64");
    const IpAddress backend = *IpAddress::parse(outer_v4 ? "10.1.0.20" : "2001:db8:ff::20");
    ipip = make_outer_header(false, source, backend, 1500);
    gue = make_outer_header(true, source, backend, 1500);
  }
  void reset() {
    std::memcpy(storage.data() + kHeadroom, pristine.data(), pristine.size());
    buf.data = storage.data() + kHeadroom;
    buf.length = uint32_t(pristine.size());
    buf.headroom = kHeadroom;
    buf.tailroom = uint32_t(storage.size() - kHeadroom - pristine.size());
  }
};

template <class Rewrite>
void run(benchmark::State& state, Fixture& f, Rewrite rewrite) {
  for (auto _ : state) {
    f.reset();
    benchmark::DoNotOptimize(rewrite(f));
    benchmark::ClobberMemory();
  }
  if (f.buf.length < f.pristine.size()) state.SkipWithError("rewrite failed");
}

void BM_ResetOnly(benchmark::State& state) {
  Fixture f(true, true);
  run(state, f, [](Fixture& x) { return x.buf.data; });
}
const MacAddress kOurs{{2, 0, 0, 0, 0, 2}};
const MacAddress kBackend{{2, 0, 0, 0, 0, 3}};
constexpr uint32_t kFlowHash = 0x9e3779b9;

void BM_DsrL2(benchmark::State& state) {
  Fixture f(true, true);
  run(state, f, [](Fixture& x) {
    rewrite_dsr_l2(x.buf, L2Rewrite{kOurs, kBackend});
    return x.buf.data;
  });
}
void BM_Ipip4in4(benchmark::State& state) {
  Fixture f(true, true);
  run(state, f,
      [](Fixture& x) { return encapsulate(x.buf, x.parsed, kOurs, kBackend, x.ipip, kFlowHash); });
}
void BM_Ipip6in6(benchmark::State& state) {
  Fixture f(false, false);
  run(state, f,
      [](Fixture& x) { return encapsulate(x.buf, x.parsed, kOurs, kBackend, x.ipip, kFlowHash); });
}
void BM_GueV4(benchmark::State& state) {
  Fixture f(true, true);
  run(state, f,
      [](Fixture& x) { return encapsulate(x.buf, x.parsed, kOurs, kBackend, x.gue, kFlowHash); });
}
void BM_GueV6(benchmark::State& state) {
  Fixture f(false, false);
  run(state, f,
      [](Fixture& x) { return encapsulate(x.buf, x.parsed, kOurs, kBackend, x.gue, kFlowHash); });
}
BENCHMARK(BM_ResetOnly);
BENCHMARK(BM_DsrL2);
BENCHMARK(BM_Ipip4in4);
BENCHMARK(BM_Ipip6in6);
BENCHMARK(BM_GueV4);
BENCHMARK(BM_GueV6);

}  // namespace
}  // namespace sluice

BENCHMARK_MAIN();
