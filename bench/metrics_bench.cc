// SPDX-License-Identifier: BSD-3-Clause
// The cost of one /metrics scrape at scale: render_metrics() over a model of N VIPs with 2
// backends each (the runtime API's fake model, so the views are copied as sluiced builds
// them, then written), with no workers (sluiced without dataplane counters) or 16.
// Reports the text's size as the "bytes" counter.
#include <benchmark/benchmark.h>

#include <string>

#include "api/testing/fake_model.h"
#include "metrics/metrics.h"

namespace sluice::metrics {
namespace {

api::testing::FakeModel model_of(int vips, int workers) {
  api::testing::FakeModel m;
  m.vips_.clear();
  for (int w = 0; w < workers; ++w)
    m.stats_.workers.push_back({.lcore = uint32_t(w + 2),
                                .busy_ppm = 123'456,
                                .active_flows = 300'000 + uint64_t(w),
                                .flow_capacity = 1 << 20,
                                .flow_insert_failures = 12,
                                .flow_evictions = 3'456});
  for (int i = 0; i < vips; ++i) {
    api::VipView v;
    v.name = "svc-" + std::to_string(i);
    v.address = "10.100." + std::to_string(i / 256) + "." + std::to_string(i % 256);
    v.protocol = "tcp";
    v.port = 443;
    v.mode = "dsr-l2";
    v.in_dataplane = true;
    v.packets = 1'000'000'000ull + uint64_t(i);
    v.bytes = 1'000'000'000'000ull + uint64_t(i);
    v.new_flows = 10'000'000ull + uint64_t(i);
    for (int b = 0; b < 2; ++b) {
      api::BackendView bv;
      bv.address = "10." + std::to_string(b + 1) + "." + std::to_string(i / 256) + "." +
                   std::to_string(i % 256);
      bv.health = api::Health::kUp;
      bv.health_reason = "L7 OK HTTP 200";
      bv.last_change_s = 3600;
      bv.packets = v.packets / 2;
      bv.bytes = v.bytes / 2;
      bv.new_flows = v.new_flows / 2;
      v.backends.push_back(std::move(bv));
    }
    m.vips_.push_back(std::move(v));
  }
  return m;
}

void BM_RenderMetrics(benchmark::State& state) {
  const api::testing::FakeModel model = model_of(int(state.range(0)), int(state.range(1)));
  size_t bytes = 0;
  for (auto _ : state) {
    std::string text = render_metrics(model);
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.counters["bytes"] = double(bytes);
}
BENCHMARK(BM_RenderMetrics)
    ->ArgNames({"vips", "workers"})
    ->Args({100, 0})
    ->Args({1'000, 0})
    ->Args({10'000, 0})
    ->Args({10'000, 16})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sluice::metrics

BENCHMARK_MAIN();
