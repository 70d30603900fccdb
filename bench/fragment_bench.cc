// SPDX-License-Identifier: BSD-3-Clause
// The cost of the fragment path, measured as pipeline_bench measures the whole path:
// Pipeline::process_burst on bursts of 32 frames, against a snapshot of one UDP VIP
// (10.0.0.100:53 or [fd00::100]:53, 100 on-link backends with static MACs), with 64K
// established flows (each flow's whole packet sent once before the runs).
//
// Scenarios (each per forwarding mode, IPv4 and IPv6), 16 datagrams of the flows a burst:
//   Whole      each datagram unfragmented (160 bytes of UDP): the baseline;
//   InOrder    each datagram as its first fragment (UDP header and 64 bytes) then its
//              later one (96 bytes): a flow-table hit, a decision recorded, a decision found;
//   Reversed   the later fragment first: held, then released by the first.
// Each datagram has an identification of its own, so the fragment table (8192 datagrams)
// turns over as it would under steady fragmented traffic.
//
// Frames sit in 2 KiB buffers with 128 bytes of headroom and are restored from a template
// before each burst (client address, port, identification stamped; the IPv4 header
// checksum is left as it is: nothing on the path reads it). The restore is timed alone
// before every run (restore_ns); pipeline_ns = ns_per_frame - restore_ns. CPU time of this
// thread, per frame.
#include <benchmark/benchmark.h>
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "packet_builder.h"  // tests/lib
#include "pipeline/pipeline.h"
#include "state/neighbor_cache.h"
#include "state/state_builder.h"

namespace sluice {
namespace {

using config::ForwardingMode;
using testing_support::Packet;

constexpr uint16_t kBurst = 32;
constexpr uint32_t kHeadroom = 128;
constexpr uint32_t kBufferSize = 2048;
constexpr uint32_t kFlows = 1u << 16;
constexpr uint32_t kStartMs = 1'000;
constexpr uint16_t kFirstPayload = 64;  // after the UDP header: 72 bytes, 9 units
constexpr uint16_t kLaterPayload = 96;

const MacAddress kPortMac{{0x02, 0, 0, 0, 0, 0x10}};

IpAddress ip(const char* text) { return *IpAddress::parse(text); }
IpPrefix prefix(const char* text) { return *IpPrefix::parse(text); }

config::Config make_config(ForwardingMode mode) {
  config::Config c;
  config::Port port;
  port.name = "p0";
  port.device = "net_null0";
  port.addresses = {prefix("10.0.0.10/16"), prefix("fd00::10/64")};
  c.ports.push_back(port);
  for (bool v6 : {false, true}) {
    config::Vip v;
    v.name = v6 ? "dns6" : "dns4";
    v.address = ip(v6 ? "fd00::100" : "10.0.0.100");
    v.protocol = config::kProtocolUdp;
    v.port = 53;
    v.mode = mode;
    v.encap_source = prefix("172.16.0.0/16");
    v.encap_source6 = prefix("2001:db8:ffff::/64");
    for (int i = 1; i <= 100; ++i) {
      const std::string n = std::to_string(i);
      config::Backend b{ip(((v6 ? "fd00::1:" : "10.0.1.") + n).c_str()), 1,
                        config::BackendState::kReady};
      v.backends.push_back(b);
      c.neighbors.push_back(
          {b.address, MacAddress{{0x02, 0, 0, 0, uint8_t(v6 ? 6 : 4), uint8_t(i)}}});
    }
    c.vips.push_back(v);
  }
  return c;
}

enum class Kind { kWhole, kFirst, kLater };

// A frame of one kind with its client fields zero, and where they go.
struct Template {
  std::vector<uint8_t> frame;
  uint32_t src = 0, sport = 0, id = 0;  // offsets; 0: none (a later fragment, a whole packet)
  bool v6 = false;
};

Template make_template(bool v6, Kind kind) {
  Template t;
  t.v6 = v6;
  const uint32_t l3 = wire::kEthHeaderLen;
  t.src = l3 + (v6 ? 8 : 12);
  if (kind != Kind::kWhole) t.id = v6 ? l3 + wire::kIpv6HeaderLen + 4 : l3 + 4;
  const uint32_t l4 =
      l3 + (v6 ? wire::kIpv6HeaderLen + wire::kIpv6FragmentHeaderLen : wire::kIpv4HeaderLen);
  Packet p;
  p.eth(kPortMac.bytes);
  const uint16_t later_units = (wire::kUdpHeaderLen + kFirstPayload) / 8;
  if (v6) {
    p.ipv6("::", "fd00::100");
    if (kind != Kind::kWhole) p.frag6(kind == Kind::kFirst ? 0 : later_units, kind == Kind::kFirst);
  } else {
    const uint16_t frag = kind == Kind::kWhole   ? 0
                          : kind == Kind::kFirst ? wire::kIpv4FlagMoreFragments
                                                 : later_units;
    p.ipv4("0.0.0.0", "10.0.0.100", {.frag = frag});
  }
  if (kind == Kind::kLater) {
    p.proto(wire::kProtoUdp).payload(kLaterPayload);
  } else {
    p.udp(0, 53).payload(kind == Kind::kFirst ? kFirstPayload : kFirstPayload + kLaterPayload);
    t.sport = v6 && kind == Kind::kWhole ? l3 + wire::kIpv6HeaderLen : l4;
  }
  t.frame = p.bytes();
  return t;
}

struct Buffer {
  alignas(64) uint8_t bytes[kBufferSize];
};

// Client n: 11.0.0.0/8 or 2001:db8:100::/48, port from its low bits.
void stamp(uint8_t* data, const Template& t, uint32_t n, uint32_t id) {
  if (t.v6) {
    static constexpr uint8_t kPrefix[12] = {0x20, 0x01, 0x0d, 0xb8, 0x01};
    std::memcpy(data + t.src, kPrefix, 12);
    wire::store_be32(data + t.src + 12, n);
    if (t.id) wire::store_be32(data + t.id, id);
  } else {
    wire::store_be32(data + t.src, 0x0b000000u + n);
    if (t.id) wire::store_be16(data + t.id, uint16_t(id));
  }
  if (t.sport) wire::store_be16(data + t.sport, uint16_t(10000 + (n & 0x3ff)));
}

struct Workload {
  std::string name;
  std::unique_ptr<ForwardingState> state;
  std::unique_ptr<WorkerCounters> counters = std::make_unique<WorkerCounters>();
  std::unique_ptr<Pipeline> pipeline;
  std::unique_ptr<BurstResult> result = std::make_unique<BurstResult>();
  Template whole, first, later;
  Kind order[2] = {Kind::kFirst, Kind::kLater};  // a datagram's frames, or kWhole alone
  std::unique_ptr<Buffer[]> buffers{new Buffer[kBurst]};
  PacketBuffer frames[kBurst];
  uint32_t next_flow = 0;
  uint32_t next_id = 1;
  uint32_t now_ms = kStartMs;

  void restore(uint16_t i, const Template& t, uint32_t flow, uint32_t id) {
    uint8_t* data = buffers[i].bytes + kHeadroom;
    const uint32_t length = uint32_t(t.frame.size());
    std::memcpy(data, t.frame.data(), length);
    stamp(data, t, flow, id);
    frames[i] = PacketBuffer{data, length, kHeadroom, kBufferSize - kHeadroom - length};
  }
  const Template& of(Kind k) const {
    return k == Kind::kWhole ? whole : k == Kind::kFirst ? first : later;
  }
  void restore_burst() {
    const bool fragmented = order[0] != Kind::kWhole;
    for (uint16_t i = 0; i < kBurst;) {
      const uint32_t flow = next_flow++ % kFlows;
      const uint32_t id = next_id++;
      restore(i++, of(order[0]), flow, id);
      if (fragmented) restore(i++, of(order[1]), flow, id);
    }
  }
  void run_burst() {
    pipeline->process_burst(frames, kBurst, 0, *state, now_ms, *result);
    ++now_ms;
  }
};

std::unique_ptr<Workload> make_workload(ForwardingMode mode, bool v6, const std::string& name) {
  auto w = std::make_unique<Workload>();
  w->name = name;
  const config::Config c = make_config(mode);
  NeighborCache neighbors;
  neighbors.configure(StateBuilder::next_hops(c), StateBuilder::static_neighbors(c));
  StateBuilder builder(c.flow_timeouts.tcp_established_ms);
  std::vector<std::string> errors;
  w->state = builder.build(c, {kPortMac}, neighbors, 1, kStartMs, errors);
  w->pipeline = std::make_unique<Pipeline>(kFlows * 4, FlowTimeouts{}, *w->counters);
  w->whole = make_template(v6, Kind::kWhole);
  w->first = make_template(v6, Kind::kFirst);
  w->later = make_template(v6, Kind::kLater);
  w->order[0] = Kind::kWhole;
  for (uint32_t n = 0; n < kFlows / kBurst; ++n) {  // every flow established
    w->restore_burst();
    w->run_burst();
  }
  return w;
}

Workload& workload(ForwardingMode mode, bool v6) {
  static std::unique_ptr<Workload> current;
  const std::string name = config::to_string(mode) + (v6 ? "/ipv6" : "/ipv4");
  if (!current || current->name != name) {
    current.reset();
    current = make_workload(mode, v6, name);
  }
  return *current;
}

uint64_t cpu_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000u + uint64_t(ts.tv_nsec);
}

void run(benchmark::State& bm, ForwardingMode mode, bool v6, Kind a, Kind b) {
  Workload& w = workload(mode, v6);
  w.order[0] = a;
  w.order[1] = b;
  double restore_ns = 1e9;
  for (int run = 0; run < 5; ++run) {
    const uint64_t start = cpu_ns();
    for (int i = 0; i < 2000; ++i) {
      w.restore_burst();
      benchmark::ClobberMemory();
    }
    restore_ns = std::min(restore_ns, double(cpu_ns() - start) / (2000.0 * kBurst));
  }
  const uint64_t forwarded = (*w.counters)[WorkerCounter::forwarded];
  const uint64_t fragments = (*w.counters)[WorkerCounter::fragments_forwarded];
  const uint64_t start = cpu_ns();
  for (auto _ : bm) {
    w.restore_burst();
    w.run_burst();
    benchmark::DoNotOptimize(w.result->actions);
  }
  const double frames = double(bm.iterations()) * kBurst;
  const double ns = double(cpu_ns() - start) / frames;
  bm.SetItemsProcessed(int64_t(frames));
  bm.counters["ns_per_frame"] = ns;
  bm.counters["restore_ns"] = restore_ns;
  bm.counters["pipeline_ns"] = ns - restore_ns;
  const double sent = double((*w.counters)[WorkerCounter::forwarded] - forwarded);
  const double as_fragments = double((*w.counters)[WorkerCounter::fragments_forwarded] - fragments);
  if (sent != frames || as_fragments != (a == Kind::kWhole ? 0 : frames))
    bm.SkipWithError("not every frame was forwarded as it should: the workload is wrong");
}

void register_all() {
  for (ForwardingMode mode : {ForwardingMode::kDsrL2, ForwardingMode::kGue})
    for (bool v6 : {false, true}) {
      const std::string suffix = "/" + config::to_string(mode) + (v6 ? "/ipv6" : "/ipv4");
      struct {
        const char* name;
        Kind a, b;
      } const cases[] = {{"Whole", Kind::kWhole, Kind::kWhole},
                         {"InOrder", Kind::kFirst, Kind::kLater},
                         {"Reversed", Kind::kLater, Kind::kFirst}};
      for (const auto& c : cases)
        benchmark::RegisterBenchmark(
            (std::string("Fragments/") + c.name + suffix).c_str(),
            [mode, v6, c](benchmark::State& bm) { run(bm, mode, v6, c.a, c.b); })
            ->MinTime(0.5);
    }
}

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  sluice::register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
