// SPDX-License-Identifier: BSD-3-Clause
// Flow table lookups and inserts with 1K, 1M and 10M live flows. Keys are pseudo-random
// 5-tuples and each benchmark walks a pre-generated, randomly ordered query list, so large
// tables pay real cache and TLB misses instead of hitting one hot entry.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "flow/flow_table.h"
#include "flow/hash.h"

namespace sluice {
namespace {

constexpr uint32_t kNow = 1'000;
constexpr size_t kQueries = size_t(1) << 16;  // 2.6 MB of queries, read sequentially
constexpr uint32_t kBurst = 32;

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Flow number i: a client address and port towards one of 256 VIPs.
FlowKey make_key(uint64_t i) {
  const uint64_t r = splitmix64(i);
  FlowKey k;
  k.src = IpAddress::v4(uint32_t(r));
  k.dst = IpAddress::v4(0xc6336400u | uint32_t((r >> 32) & 0xff));
  k.src_port = uint16_t(r >> 40);
  k.dst_port = (r >> 56) & 1 ? 443 : 80;
  k.protocol = 6;
  return k;
}

struct Query {
  FlowKey key;
  uint32_t hash;
};

Query make_query(uint64_t i) {
  Query q{make_key(i), 0};
  q.hash = flow_hash(q.key);
  return q;
}

// A table holding `flows` established flows (sized 4/3 of that, rounded up to a power-of-two
// bucket count), plus query lists of live keys and of absent keys in random order.
struct Workload {
  uint32_t flows = 0;
  std::unique_ptr<FlowTable> table;
  std::vector<Query> hits;
  std::vector<Query> misses;
  uint64_t fill_failures = 0;
};

Workload& workload(uint32_t flows) {
  static std::unique_ptr<Workload> current;
  if (current && current->flows == flows) return *current;
  current.reset();
  auto w = std::make_unique<Workload>();
  w->flows = flows;
  w->table = std::make_unique<FlowTable>(flows + flows / 3, FlowTimeouts{});
  for (uint32_t i = 0; i < flows; ++i) {
    const Query q = make_query(i);
    if (!w->table->insert(q.key, q.hash, i, FlowState::kTcpEstablished, kNow)) ++w->fill_failures;
  }
  uint64_t r = 12345;
  while (w->hits.size() < kQueries) {
    r = splitmix64(r);
    const Query q = make_query(r % flows);
    if (w->table->lookup(q.key, q.hash, kNow, 0x10)) w->hits.push_back(q);  // skip refused ones
  }
  for (uint64_t i = 0; i < kQueries; ++i) w->misses.push_back(make_query(uint64_t(flows) + i));
  current = std::move(w);
  return *current;
}

void report(benchmark::State& state, const Workload& w, uint64_t lookups_per_iteration) {
  state.counters["ns_per_lookup"] =
      benchmark::Counter(double(state.iterations() * lookups_per_iteration) / 1e9,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["bytes_per_entry"] = double(FlowTable::bytes_per_entry());
  state.counters["table_MiB"] =
      double(w.table->capacity() * FlowTable::bytes_per_entry()) / (1 << 20);
  state.counters["load"] = double(w.table->size()) / double(w.table->capacity());
  state.counters["fill_failures"] = double(w.fill_failures);
}

void lookup_one_by_one(benchmark::State& state, uint32_t flows, bool hit) {
  Workload& w = workload(flows);
  const std::vector<Query>& queries = hit ? w.hits : w.misses;
  size_t i = 0;
  for (auto _ : state) {
    const Query& q = queries[i++ & (kQueries - 1)];
    benchmark::DoNotOptimize(w.table->lookup(q.key, q.hash, kNow, 0x10));
  }
  report(state, w, 1);
}

// Prefetch the buckets of a burst of 32, then look the 32 up: the misses overlap.
void lookup_burst(benchmark::State& state, uint32_t flows, bool hit, bool prefetch_entries) {
  Workload& w = workload(flows);
  const std::vector<Query>& queries = hit ? w.hits : w.misses;
  size_t base = 0;
  for (auto _ : state) {
    const Query* burst = &queries[base];
    base = (base + kBurst) & (kQueries - 1);
    for (uint32_t j = 0; j < kBurst; ++j) w.table->prefetch(burst[j].hash);
    if (prefetch_entries)
      for (uint32_t j = 0; j < kBurst; ++j) w.table->prefetch_entries(burst[j].hash, kNow);
    for (uint32_t j = 0; j < kBurst; ++j)
      benchmark::DoNotOptimize(w.table->lookup(burst[j].key, burst[j].hash, kNow, 0x10));
  }
  report(state, w, kBurst);
}

// Inserts of new flows into a 1M-way table that starts empty; it is cleared (untimed) every
// 256K inserts so it never gets past a quarter full.
void insert_empty(benchmark::State& state) {
  FlowTable table(1u << 20, FlowTimeouts{});
  std::vector<Query> keys;
  for (uint64_t i = 0; i < (1u << 18); ++i) keys.push_back(make_query(i + 1'000'000'000));
  size_t i = 0;
  for (auto _ : state) {
    if (i == keys.size()) {
      state.PauseTiming();
      table.clear();
      i = 0;
      state.ResumeTiming();
    }
    const Query& q = keys[i++];
    benchmark::DoNotOptimize(table.insert(q.key, q.hash, 1, FlowState::kTcpSynOnly, kNow));
  }
  state.counters["bytes_per_entry"] = double(FlowTable::bytes_per_entry());
}

// A SYN flood into a full 1M-way table. Full of SYN-only flows, every insert evicts one;
// full of established flows, every insert is refused.
void insert_full(benchmark::State& state, FlowState resident) {
  FlowTable table(1u << 20, FlowTimeouts{});
  for (uint64_t i = 0; i < 2 * table.capacity(); ++i) {
    const Query q = make_query(i);
    table.insert(q.key, q.hash, 1, resident, kNow);
  }
  std::vector<Query> keys;
  for (uint64_t i = 0; i < kQueries; ++i) keys.push_back(make_query(i + 1'000'000'000));
  const FlowTableStats before = table.stats();
  size_t i = 0;
  for (auto _ : state) {
    const Query& q = keys[i++ & (kQueries - 1)];
    benchmark::DoNotOptimize(table.insert(q.key, q.hash, 1, FlowState::kTcpSynOnly, kNow));
  }
  state.counters["load"] = double(table.size()) / double(table.capacity());
  state.counters["evicted"] = double(table.stats().evictions - before.evictions);
  state.counters["refused"] = double(table.stats().insert_failures - before.insert_failures);
}

void register_all() {
  const std::pair<const char*, uint32_t> sizes[] = {
      {"1K", 1u << 10}, {"1M", 1u << 20}, {"10M", 10'000'000}};
  for (const auto& [label, flows] : sizes) {
    const std::string n = label;
    const uint32_t f = flows;
    benchmark::RegisterBenchmark(("LookupHit/" + n).c_str(),
                                 [f](benchmark::State& s) { lookup_one_by_one(s, f, true); });
    benchmark::RegisterBenchmark(("LookupMiss/" + n).c_str(),
                                 [f](benchmark::State& s) { lookup_one_by_one(s, f, false); });
    benchmark::RegisterBenchmark(("LookupHitBurst32/" + n).c_str(),
                                 [f](benchmark::State& s) { lookup_burst(s, f, true, false); });
    benchmark::RegisterBenchmark(("LookupMissBurst32/" + n).c_str(),
                                 [f](benchmark::State& s) { lookup_burst(s, f, false, false); });
    benchmark::RegisterBenchmark(("LookupHitBurst32TwoStage/" + n).c_str(),
                                 [f](benchmark::State& s) { lookup_burst(s, f, true, true); });
  }
  benchmark::RegisterBenchmark("InsertEmpty/1M", insert_empty);
  benchmark::RegisterBenchmark("InsertFullOfSynOnly/1M",
                               [](benchmark::State& s) { insert_full(s, FlowState::kTcpSynOnly); });
  benchmark::RegisterBenchmark("InsertFullOfEstablished/1M", [](benchmark::State& s) {
    insert_full(s, FlowState::kTcpEstablished);
  });
}

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  sluice::register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
