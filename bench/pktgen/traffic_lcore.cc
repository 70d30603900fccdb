// SPDX-License-Identifier: BSD-3-Clause
#include "traffic_lcore.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include <algorithm>

#include "pacer.h"
#include "rx_classifier.h"

namespace sluice::pktgen {
namespace {

constexpr uint32_t kMaxBurst = 512;
constexpr uint32_t kPrefetchAhead = 4;

uint64_t share(uint64_t total, uint32_t lcores, uint16_t index) {
  return total / lcores + (index < total % lcores ? 1 : 0);
}

}  // namespace

TrafficLcore::TrafficLcore(const Options& o, const FrameTemplate& f, RunControl& c, uint16_t q,
                           uint32_t lcores, rte_mempool* pool)
    : options(o),
      frame(f),
      control(c),
      queue(q),
      tx_pool(pool),
      tx_quota(share(o.count, lcores, q)),
      rate(share(o.rate, lcores, q)),
      cursor(o.flows, f.first, q, lcores),
      flow_frames(o.flow_counts ? o.flows.flows : 0) {}

int TrafficLcore::run(void* self) {
  TrafficLcore& lcore = *static_cast<TrafficLcore*>(self);
  lcore.loop();
  lcore.control.finished.fetch_add(1);
  return 0;
}

void TrafficLcore::loop() {
  Pacer pacer(rte_get_tsc_hz(), rate, control.start_tsc);
  rte_mbuf* pending[kMaxBurst];
  uint32_t pending_at = 0, pending_count = 0;
  bool sending = options.count == 0 || tx_quota > 0;
  if (!sending) control.transmitting.fetch_sub(1);
  uint64_t drain_end = 0;

  while (!control.stop_rx.load(std::memory_order_relaxed)) {
    if (options.receive) receive();
    const uint64_t now = rte_rdtsc();
    if (sending) {
      const bool stopping = control.stop_tx.load(std::memory_order_relaxed) ||
                            (control.tx_deadline_tsc && now >= control.tx_deadline_tsc);
      if (pending_count && !stopping) {
        const uint16_t sent =
            rte_eth_tx_burst(options.tx_port, queue, pending + pending_at, uint16_t(pending_count));
        if (sent && !first_tx_tsc) first_tx_tsc = now;
        if (sent) last_tx_tsc = now;
        tx_packets += sent;
        tx_bytes += uint64_t(sent) * frame.length;
        pending_at += sent;
        pending_count -= sent;
        continue;
      }
      if (stopping || (tx_quota && generated == tx_quota)) {
        // Generated but refused by a device that stopped taking frames: freed, not sent.
        if (pending_count) rte_pktmbuf_free_bulk(pending + pending_at, pending_count);
        tx_unsent += pending_count;
        pending_count = 0;
        sending = false;
        control.transmitting.fetch_sub(1);
        continue;
      }
      uint32_t n = pacer.due(now, options.burst);
      if (tx_quota) n = uint32_t(std::min<uint64_t>(n, tx_quota - generated));
      if (!n) continue;
      if (rte_pktmbuf_alloc_bulk(tx_pool, pending, n) != 0) {
        ++tx_alloc_failures;
        continue;
      }
      for (uint32_t i = 0; i < n; ++i) {
        rte_mbuf* m = pending[i];
        write_flow(rte_pktmbuf_mtod(m, uint8_t*), frame, cursor.current(), now);
        cursor.advance();
        m->data_len = frame.length;
        m->pkt_len = frame.length;
      }
      pacer.sent(n);
      generated += n;
      const uint16_t sent = rte_eth_tx_burst(options.tx_port, queue, pending, uint16_t(n));
      if (sent && !first_tx_tsc) first_tx_tsc = now;
      if (sent) last_tx_tsc = now;
      tx_packets += sent;
      tx_bytes += uint64_t(sent) * frame.length;
      pending_at = sent;
      pending_count = n - sent;
    } else if (!options.receive) {
      return;
    } else if (control.transmitting.load(std::memory_order_relaxed) == 0) {
      if (!drain_end) drain_end = now + control.drain_cycles;
      if (now >= drain_end) return;
    }
  }
  if (pending_count) rte_pktmbuf_free_bulk(pending + pending_at, pending_count);
  tx_unsent += pending_count;
  if (sending) control.transmitting.fetch_sub(1);
}

void TrafficLcore::receive() {
  rte_mbuf* frames[kMaxBurst];
  const uint16_t n = rte_eth_rx_burst(options.rx_port, queue, frames, uint16_t(options.burst));
  if (!n) return;
  const uint64_t now = rte_rdtsc();
  for (uint16_t i = 0; i < std::min<uint16_t>(n, kPrefetchAhead); ++i)
    rte_prefetch0(rte_pktmbuf_mtod(frames[i], void*));
  Received r;
  for (uint16_t i = 0; i < n; ++i) {
    if (i + kPrefetchAhead < n) rte_prefetch0(rte_pktmbuf_mtod(frames[i + kPrefetchAhead], void*));
    const rte_mbuf* m = frames[i];
    if (!classify(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len, options.gue_port, r)) continue;
    backends.add(r.backend);
    if (!r.stamped) continue;
    ++rx_stamped;
    if (r.flow >= options.flows.flows) {
      ++rx_foreign_flow;
      continue;
    }
    if (r.tsc <= now) latency.add(now - r.tsc);
    if (!flow_frames.empty()) ++flow_frames[r.flow];
  }
  rx_packets += n;
  rte_pktmbuf_free_bulk(frames, n);
}

}  // namespace sluice::pktgen
