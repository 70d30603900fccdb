// SPDX-License-Identifier: BSD-3-Clause
// sluice-pktgen [EAL options] -- --flows SPEC [options]: see options.cc's usage().
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "frame_template.h"
#include "options.h"
#include "ports.h"
#include "summary.h"
#include "traffic_lcore.h"

namespace {

using namespace sluice::pktgen;

constexpr double kLinkWaitSeconds = 10;
constexpr useconds_t kMainSleepUs = 10'000;

RunControl* g_control = nullptr;

void on_signal(int) {
  if (g_control->stop_tx.exchange(true)) g_control->stop_rx = true;
}

Totals sum(const std::vector<std::unique_ptr<TrafficLcore>>& lcores, const Options& o) {
  Totals t;
  t.tsc_hz = rte_get_tsc_hz();
  uint64_t first = UINT64_MAX, last = 0;
  std::vector<uint64_t> per_flow(o.flow_counts ? o.flows.flows : 0);
  for (const auto& l : lcores) {
    t.tx_packets += l->tx_packets;
    t.tx_bytes += l->tx_bytes;
    t.tx_alloc_failures += l->tx_alloc_failures;
    t.tx_unsent += l->tx_unsent;
    t.rx_packets += l->rx_packets;
    t.rx_stamped += l->rx_stamped;
    t.rx_foreign_flow += l->rx_foreign_flow;
    merge_backends(t.backends, l->backends.entries());
    t.backend_overflow += l->backends.overflow();
    t.latency.merge(l->latency);
    if (l->first_tx_tsc) first = std::min(first, l->first_tx_tsc);
    last = std::max(last, l->last_tx_tsc);
    for (size_t f = 0; f < per_flow.size(); ++f) per_flow[f] += l->flow_frames[f];
  }
  t.tx_cycles = last > first && first != UINT64_MAX ? last - first : 0;
  if (o.flow_counts) {
    t.flow_counts = true;
    t.flows = o.flows.flows;
    t.flow_min = UINT64_MAX;
    for (uint64_t n : per_flow) {
      t.flows_seen += n ? 1 : 0;
      t.flow_min = std::min(t.flow_min, n);
      t.flow_max = std::max(t.flow_max, n);
    }
  }
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      std::fputs(usage(), stdout);
      return 0;
    }
  const int eal_args = rte_eal_init(argc, argv);
  if (eal_args < 0) {
    std::fprintf(stderr, "sluice-pktgen: EAL: %s\n", rte_strerror(rte_errno));
    return 1;
  }
  const OptionsResult parsed =
      parse_options(std::vector<std::string>(argv + eal_args + 1, argv + argc));
  if (!parsed.options) {
    std::fprintf(stderr, "sluice-pktgen: %s\n", parsed.error.c_str());
    rte_eal_cleanup();
    return 2;
  }
  const Options& o = *parsed.options;
  const FrameTemplate frame = build_template(o.flows);

  // Worker lcores carry the traffic; with none, the main lcore does.
  std::vector<unsigned> traffic;
  unsigned id;
  RTE_LCORE_FOREACH_WORKER(id) traffic.push_back(id);
  const bool main_carries = traffic.empty();
  if (main_carries) traffic.push_back(rte_get_main_lcore());
  const uint32_t n = uint32_t(traffic.size());
  if (n > o.flows.flows) {
    std::fprintf(stderr,
                 "sluice-pktgen: %u traffic lcores for %u flows: give at least one flow each\n", n,
                 o.flows.flows);
    rte_eal_cleanup();
    return 2;
  }

  PortPools pools;
  if (std::string e = start_ports(o.tx_port, o.rx_port, uint16_t(n), o.mbufs, o.descriptors, pools);
      !e.empty()) {
    std::fprintf(stderr, "sluice-pktgen: %s\n", e.c_str());
    rte_eal_cleanup();
    return 1;
  }
  for (rte_mempool* pool : pools.tx) prefill_frames(pool, frame.bytes.data(), frame.length);
  if (!wait_for_link(o.tx_port, kLinkWaitSeconds))
    std::fprintf(stderr, "sluice-pktgen: port %u: link still down after %.0f s; sending anyway\n",
                 o.tx_port, kLinkWaitSeconds);

  RunControl control;
  control.transmitting = n;
  control.drain_cycles = o.drain_ms * rte_get_tsc_hz() / 1000;
  std::vector<std::unique_ptr<TrafficLcore>> lcores;
  for (uint32_t q = 0; q < n; ++q)
    lcores.push_back(
        std::make_unique<TrafficLcore>(o, frame, control, uint16_t(q), n, pools.tx[q]));
  g_control = &control;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  std::printf("sluice-pktgen: %u traffic lcore(s), port %u -> port %u, %s\n", n, o.tx_port,
              o.rx_port, to_string(o.flows).c_str());
  std::fflush(stdout);
  control.start_tsc = rte_rdtsc();
  if (o.duration > 0)
    control.tx_deadline_tsc = control.start_tsc + uint64_t(o.duration * double(rte_get_tsc_hz()));
  if (main_carries) {
    TrafficLcore::run(lcores[0].get());
  } else {
    for (uint32_t q = 0; q < n; ++q)
      rte_eal_remote_launch(TrafficLcore::run, lcores[q].get(), traffic[q]);
    // Sleeps rather than spinning in rte_eal_mp_wait_lcore(): the main lcore's CPU may be
    // the one the device under test runs on.
    while (control.finished.load() < n) usleep(kMainSleepUs);
    rte_eal_mp_wait_lcore();
  }

  const Totals totals = sum(lcores, o);
  std::printf("%s\n%s\n", to_json(totals).c_str(), to_human(totals).c_str());
  std::fflush(stdout);
  stop_ports(o.tx_port, o.rx_port);
  rte_eal_cleanup();
  return 0;
}
