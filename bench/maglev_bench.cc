// SPDX-License-Identifier: BSD-3-Clause
#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>

#include "lb/maglev.h"

namespace sluice {
namespace {

std::vector<MaglevBackend> make_backends(int n) {
  std::vector<MaglevBackend> v;
  for (int i = 0; i < n; ++i) {
    char text[32];
    std::snprintf(text, sizeof text, "10.%d.%d.%d", i / 65536, i / 256 % 256, i % 256);
    v.push_back({text, 1});
  }
  return v;
}

// Args: table size, backend count.
void BM_MaglevBuild(benchmark::State& state) {
  const auto table_size = uint32_t(state.range(0));
  const auto backends = make_backends(int(state.range(1)));
  for (auto _ : state) {
    auto table = build_maglev_table(backends, table_size);
    benchmark::DoNotOptimize(table.data());
  }
}
BENCHMARK(BM_MaglevBuild)
    ->ArgNames({"M", "N"})
    ->ArgsProduct({{65537, 655373}, {10, 100, 1000}})
    ->Unit(benchmark::kMicrosecond);

void BM_MaglevLookup(benchmark::State& state) {
  const auto table_size = uint32_t(state.range(0));
  const auto table = build_maglev_table(make_backends(100), table_size);
  std::mt19937 rng(1);
  std::vector<uint32_t> hashes(1 << 16);
  for (uint32_t& h : hashes) h = uint32_t(rng());
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(maglev_lookup(table.data(), table_size, hashes[i]));
    i = (i + 1) & (hashes.size() - 1);
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
}
BENCHMARK(BM_MaglevLookup)->ArgName("M")->Arg(65537)->Arg(655373);

}  // namespace
}  // namespace sluice

BENCHMARK_MAIN();
