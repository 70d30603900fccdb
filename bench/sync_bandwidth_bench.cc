// SPDX-License-Identifier: BSD-3-Clause
// Flow sync's bandwidth and the main lcore's cost of sending it (docs/flow-sync.md): R new
// long-lived flows a second, each published once (its threshold), arriving evenly, go
// through the real Batcher (batches of 16, a partial batch leaves after 20 ms) and are
// sealed (encoded and signed with HMAC-SHA256). Counters, per simulated second and per
// peer: datagrams, UDP payload bytes, and bytes on the wire with Ethernet, IPv4 and UDP
// headers (42 bytes a datagram; add 24 for preamble, FCS and gap on a physical link).
// The time measured is the CPU cost of batching and sealing one second's records.
// Refreshes add R x (flow lifetime / refresh_interval) records a second on top.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "sync/batcher.h"

namespace sluice::sync {
namespace {

constexpr uint64_t kHeadersBytes = 14 + 20 + 8;  // Ethernet, IPv4, UDP
constexpr uint32_t kFlushMs = 20;                // runtime/flow_sync.cc

SyncRecord record(uint64_t n) {
  SyncRecord r;
  r.vip = VipKey{IpAddress::v4(0x0a000064), 80, 6, 0};
  r.flow.src = IpAddress::v4(0xc6120000u + uint32_t(n >> 16));
  r.flow.dst = r.vip.address;
  r.flow.src_port = uint16_t(n);
  r.flow.dst_port = 80;
  r.flow.protocol = 6;
  r.backend = IpAddress::v4(0x0a000002);
  return r;
}

void BM_SyncSecond(benchmark::State& bm) {
  const uint64_t rate = uint64_t(bm.range(0));  // new long-lived flows a second
  const std::string key(32, 'k');
  uint8_t out[kMaxMessageBytes];
  uint64_t datagrams = 0, payload = 0, seconds = 0;
  for (auto _ : bm) {
    Batcher batcher(1, key, 1, kFlushMs);
    // One simulated second in microseconds: a record every 1e6 / rate us; the main lcore
    // polls every 100 us and seals a batch when it is full or due.
    uint64_t next = 0;
    for (uint64_t us = 0; us < 1'000'000; us += 100) {
      for (; next * 1'000'000 / rate < us + 100 && next < rate; ++next) {
        if (batcher.add(record(next), us / 1000)) {
          payload += batcher.seal(us / 1000, out);
          ++datagrams;
        }
      }
      if (batcher.due(us / 1000)) {
        payload += batcher.seal(us / 1000, out);
        ++datagrams;
      }
    }
    if (batcher.pending()) {
      payload += batcher.seal(1000, out);
      ++datagrams;
    }
    benchmark::DoNotOptimize(out);
    ++seconds;
  }
  const double s = double(seconds);
  bm.counters["datagrams_per_s"] = double(datagrams) / s;
  bm.counters["payload_bytes_per_s"] = double(payload) / s;
  bm.counters["wire_bytes_per_s"] = double(payload + datagrams * kHeadersBytes) / s;
  bm.counters["wire_bytes_per_flow"] =
      double(payload + datagrams * kHeadersBytes) / s / double(rate);
  bm.counters["wire_mbit_per_s"] = double(payload + datagrams * kHeadersBytes) * 8 / s / 1e6;
}
BENCHMARK(BM_SyncSecond)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sluice::sync

BENCHMARK_MAIN();
