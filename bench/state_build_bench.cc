// SPDX-License-Identifier: BSD-3-Clause
// The control path at 10,000 VIPs (issue: a control path for 10,000 VIPs): the main
// lcore's StateBuilder::build for a whole config, then again after one backend's state
// changed (with the dataplane's check whether the next hops changed), and
// StateBuilder::with_neighbors after one neighbour was learnt. Pools: every VIP on the same 32
// backends (one web farm behind many VIPs), or each VIP on 32 backends of its own.
#include <benchmark/benchmark.h>

#include "state/state_builder.h"

namespace sluice {
namespace {

constexpr uint32_t kBackendsPerVip = 32;
const MacAddress kPortMac{{2, 0, 0, 0, 0, 1}};

config::Config make_config(uint32_t vips, bool shared_pool) {
  config::Config c;
  config::Port port;
  port.name = "lan0";
  port.device = "net_null0";
  port.addresses = {*IpPrefix::parse("10.0.0.10/8")};
  c.ports.push_back(port);
  for (uint32_t i = 0; i < vips; ++i) {
    config::Vip v;
    v.name = "vip" + std::to_string(i);
    v.address = IpAddress::v4(0x0b000000u + i);
    v.port = 80;
    for (uint32_t b = 0; b < kBackendsPerVip; ++b) {
      const uint32_t host = shared_pool ? b : i * kBackendsPerVip + b;
      v.backends.push_back({IpAddress::v4(0x0a100000u + host), 1, config::BackendState::kReady});
    }
    c.vips.push_back(std::move(v));
  }
  return c;
}

NeighborCache resolved(const config::Config& c) {
  NeighborCache n;
  n.configure(StateBuilder::next_hops(c), {});
  for (const IpAddress& hop : StateBuilder::next_hops(c))
    n.learn(hop, MacAddress{{2, 1, 2, 3, 4, 5}}, 1);
  return n;
}

enum Change { kWhole, kOneBackend, kOneNeighbor };

// Args: VIP count, shared pool (1) or a pool per VIP (0), what changes between builds.
void BM_StateBuild(benchmark::State& state) {
  const auto vips = uint32_t(state.range(0));
  const bool shared = state.range(1) != 0;
  const auto change = Change(state.range(2));
  config::Config c = make_config(vips, shared);
  NeighborCache neighbors = resolved(c);
  StateBuilder builder(900'000);
  std::vector<std::string> errors;
  uint64_t generation = 1;
  uint32_t now_ms = 1;
  if (change != kWhole) builder.build(c, {kPortMac}, neighbors, generation++, now_ms, errors);
  bool flip = false;
  for (auto _ : state) {
    if (change == kWhole) {
      state.PauseTiming();
      builder = StateBuilder(900'000);
      state.ResumeTiming();
    } else if (change == kOneBackend) {
      // As the dataplane applies a new desired state: the neighbor cache is reconfigured
      // only when the next hops change (they do not here).
      state.PauseTiming();
      const config::Config before = c;
      c.vips[vips / 2].backends[3].state =
          flip ? config::BackendState::kReady : config::BackendState::kMaint;
      state.ResumeTiming();
      if (!StateBuilder::same_neighbors(before, c))
        neighbors.configure(StateBuilder::next_hops(c), StateBuilder::static_neighbors(c));
    } else {
      neighbors.learn(c.vips[vips / 2].backends[3].address,
                      MacAddress{{2, 1, 2, 3, 4, uint8_t(flip ? 5 : 6)}}, ++now_ms);
    }
    flip = !flip;
    // As the dataplane does: a neighbour changes only the next hops of the last snapshot.
    auto snapshot = change == kOneNeighbor
                        ? builder.with_neighbors(neighbors, generation++)
                        : builder.build(c, {kPortMac}, neighbors, generation++, ++now_ms, errors);
    benchmark::DoNotOptimize(snapshot.get());
    state.PauseTiming();
    snapshot.reset();
    state.ResumeTiming();
  }
  if (!errors.empty()) state.SkipWithError(errors.front().c_str());
}
BENCHMARK(BM_StateBuild)
    ->ArgNames({"vips", "shared_pool", "change"})
    ->ArgsProduct({{1000, 10000}, {1, 0}, {kWhole, kOneBackend, kOneNeighbor}})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

}  // namespace
}  // namespace sluice

BENCHMARK_MAIN();
