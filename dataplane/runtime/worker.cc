// SPDX-License-Identifier: BSD-3-Clause
#include "runtime/worker.h"

#include <rte_cycles.h>
#include <rte_epoll.h>
#include <rte_ethdev.h>
#include <rte_interrupts.h>
#include <rte_mbuf_dyn.h>
#include <rte_prefetch.h>

#include <algorithm>
#include <cstdio>

#include "packet/parser.h"
#include "pipeline/flow_owner.h"
#include "pipeline/host_lane.h"
#include "pipeline/loop_clock.h"
#include "pipeline/rx_admission.h"
#include "sync/bulk_walk.h"

namespace sluice {

namespace {
constexpr uint32_t kIdlePollsBeforeSleep = 64;
constexpr uint32_t kSweepBucketsPerIdlePoll = 64;
constexpr int kTxRetries = 3;
// An idle worker waiting for RX interrupts still wakes this often: the main lcore's
// frames (ARP/ND, announcements, the TAP's) wait in a ring no interrupt announces.
constexpr int kInterruptWaitMs = 1;
constexpr int kMaxInterruptEvents = 16;
// Flow table buckets a question (trace/flow_mailbox.h) may read per loop turn: a few
// microseconds while packets come, more when none did.
constexpr uint32_t kQuestionBucketsBusy = 64;
constexpr uint32_t kQuestionBucketsIdle = 1024;
constexpr uint32_t kMaxTx = kMaxBurst + kMaxHeldFragments + kMaxBurst;

// The mbuf as the pipeline left its frame.
void apply(rte_mbuf* m, const PacketBuffer& frame) {
  m->data_off = uint16_t(frame.data - static_cast<uint8_t*>(m->buf_addr));
  m->data_len = uint16_t(frame.length);
  m->pkt_len = frame.length;
}
}  // namespace

Worker::Worker(const WorkerSettings& settings, std::vector<WorkerPort> ports,
               StatePublisher& publisher, rte_ring* learned, const std::atomic<bool>& stop)
    : settings_(settings),
      ports_(std::move(ports)),
      publisher_(publisher),
      learned_(learned),
      stop_(stop),
      counters_(std::make_unique<WorkerCounters>()),
      pipeline_(std::make_unique<Pipeline>(settings.flow_capacity, settings.timeouts, *counters_,
                                           settings.fragments, settings.syn_admission_limit,
                                           settings.nat, settings.numa_node)),
      result_(std::make_unique<BurstResult>()),
      frames_(std::make_unique<PacketBuffer[]>(kMaxBurst)),
      owners_(std::make_unique<uint16_t[]>(kMaxBurst)),
      parsed_(std::make_unique<ParsedPacket[]>(kMaxBurst)),
      decided_(std::make_unique<uint32_t[]>(kMaxBurst)),
      tx_(std::make_unique<rte_mbuf*[]>(kMaxTx)),
      mailbox_(std::make_unique<FlowMailbox>()),
      flow_capacity_(pipeline_->flows().capacity()) {
  pipeline_->set_sync(settings.sync);
  uint16_t port_count = 0;
  for (const WorkerPort& p : ports_) port_count = std::max<uint16_t>(port_count, p.port_index + 1);
  host_budgets_.assign(port_count, TokenBucket(0, 1));
  for (const WorkerPort& p : ports_) {
    // A tenth of a second's worth saved up, and at least a burst.
    const uint32_t capacity = std::max<uint32_t>(p.host_rate_limit / 10, settings.burst_size);
    host_budgets_[p.port_index] = TokenBucket(p.host_rate_limit, capacity);
  }
}

int Worker::run() {
  const uint64_t cycles_per_ms = rte_get_tsc_hz() / 1000;
  const bool interrupts = settings_.rx_interrupts && register_interrupts();
  publisher_.online(settings_.thread_id);
  uint32_t idle_polls = 0;
  LoopClock clock(rte_get_tsc_cycles());
  bool was_busy = false;
  while (!stop_.load(std::memory_order_relaxed)) {
    const uint64_t now = rte_get_tsc_cycles();
    // A loop that received goes straight on to the next: from its start to this one is
    // exactly its work.
    clock.next_turn(now, was_busy, *counters_);
    uint32_t now_ms = uint32_t(now / cycles_per_ms);
    uint16_t received = 0;
    bool walking = false;
    if (const ForwardingState* state = publisher_.current()) {
      for (const WorkerPort& port : ports_) poll(port, *state, now_ms, received);
      if (settings_.sync_install) install_synced(*state, now_ms);
      if (settings_.sync_bulk) walking = walk_bulk(*state, now_ms);
    }
    publisher_.quiescent(settings_.thread_id);
    const bool answering = mailbox_->serve(pipeline_->flows(), now_ms,
                                           received ? kQuestionBucketsBusy : kQuestionBucketsIdle,
                                           &pipeline_->nat_connections()) ||
                           walking;

    was_busy = received != 0;
    if (was_busy || answering) {
      idle_polls = 0;
      continue;
    }
    pipeline_->sweep(now_ms, kSweepBucketsPerIdlePoll);
    pipeline_->expire_fragments(now_ms, *result_);
    free_dropped(*result_);
    if (interrupts && ++idle_polls >= kIdlePollsBeforeSleep) {
      was_busy = wait_for_interrupt(now_ms) != 0;
      idle_polls = 0;
    } else if (!interrupts && settings_.idle_sleep_us && ++idle_polls >= kIdlePollsBeforeSleep) {
      rte_delay_us_sleep(settings_.idle_sleep_us);
    }
  }
  pipeline_->release_fragments(*result_);
  free_dropped(*result_);
  publisher_.offline(settings_.thread_id);
  return 0;
}

bool Worker::register_interrupts() {
  for (const WorkerPort& port : ports_) {
    if (!port.handoff.empty()) {
      std::printf(
          "worker lcore %u: polls its flow handoff ring, so it idles without RX "
          "interrupts\n",
          settings_.lcore);
      return false;
    }
    for (uint16_t queue : port.rx_queues) {
      const int rc = rte_eth_dev_rx_intr_ctl_q(port.port_id, queue, RTE_EPOLL_PER_THREAD,
                                               RTE_INTR_EVENT_ADD, nullptr);
      if (rc != 0) {
        std::printf(
            "worker lcore %u: no RX interrupt on DPDK port %u queue %u (%s), so it "
            "idles without RX interrupts\n",
            settings_.lcore, port.port_id, queue, rte_strerror(-rc));
        return false;
      }
    }
  }
  std::printf("worker lcore %u: waits for RX interrupts when idle\n", settings_.lcore);
  return true;
}

void Worker::set_interrupts(bool on) {
  // Devices whose interrupt is the readiness of a file descriptor (net_tap) cannot be
  // switched and answer -ENOTSUP; they are always armed.
  for (const WorkerPort& port : ports_)
    for (uint16_t queue : port.rx_queues) {
      if (on)
        rte_eth_dev_rx_intr_enable(port.port_id, queue);
      else
        rte_eth_dev_rx_intr_disable(port.port_id, queue);
    }
}

uint16_t Worker::wait_for_interrupt(uint32_t now_ms) {
  set_interrupts(true);
  uint16_t received = 0;
  if (const ForwardingState* state = publisher_.current())
    for (const WorkerPort& port : ports_) poll(port, *state, now_ms, received);
  if (received == 0) {
    publisher_.offline(settings_.thread_id);
    rte_epoll_event events[kMaxInterruptEvents];
    rte_epoll_wait(RTE_EPOLL_PER_THREAD, events, kMaxInterruptEvents, kInterruptWaitMs);
    publisher_.online(settings_.thread_id);
    ++(*counters_)[WorkerCounter::rx_interrupt_waits];
  }
  set_interrupts(false);
  return received;
}

void Worker::poll(const WorkerPort& port, const ForwardingState& state, uint32_t now_ms,
                  uint16_t& received) {
  rte_mbuf* mbufs[kMaxBurst];

  if (port.drains_shared_tx) {
    unsigned n =
        rte_ring_dequeue_burst(port.shared_tx, reinterpret_cast<void**>(mbufs), kMaxBurst, nullptr);
    if (n) transmit(port.port_id, 0, mbufs, uint16_t(n));
  }

  for (uint16_t queue : port.rx_queues) {
    uint16_t n = rte_eth_rx_burst(port.port_id, queue, mbufs, settings_.burst_size);
    if (n == 0) continue;
    received = uint16_t(received + n);
    if (!port.handoff.empty()) n = hand_off(port, mbufs, n, state);
    process(port, queue, mbufs, n, state, now_ms);
  }

  if (port.handoff.empty()) return;
  const unsigned n =
      rte_ring_dequeue_burst(port.handoff[settings_.thread_id], reinterpret_cast<void**>(mbufs),
                             settings_.burst_size, nullptr);
  if (n == 0) return;
  received = uint16_t(received + n);
  process(port, port.tx_queue, mbufs, uint16_t(n), state, now_ms, true);
}

uint16_t Worker::hand_off(const WorkerPort& port, rte_mbuf** mbufs, uint16_t n,
                          const ForwardingState& state) {
  const uint32_t self = settings_.thread_id;
  const uint32_t workers = uint32_t(port.handoff.size());
  PacketBuffer* frames = frames_.get();
  for (uint16_t i = 0; i < n; ++i)
    frames[i] = PacketBuffer{rte_pktmbuf_mtod(mbufs[i], uint8_t*), mbufs[i]->data_len, 0, 0};
  uint16_t* owners = owners_.get();
  frame_owners(frames, n, port.flow_workers, uint16_t(self), parsed_.get(), owners,
               state.has_nat ? &state : nullptr, uint16_t(workers));
  uint32_t others = 0;
  for (uint16_t i = 0; i < n; ++i) others += owners[i] != self;
  if (others == 0) return n;

  rte_mbuf* theirs[kMaxBurst];
  WorkerCounters& c = *counters_;
  for (uint32_t w = 0; w < workers; ++w) {
    if (w == self) continue;
    unsigned count = 0;
    for (uint16_t i = 0; i < n; ++i)
      if (owners[i] == w) {
        *RTE_MBUF_DYNFIELD(mbufs[i], settings_.decision_field, uint32_t*) = 0;
        theirs[count++] = mbufs[i];
      }
    if (count == 0) continue;
    const unsigned queued =
        rte_ring_enqueue_burst(port.handoff[w], reinterpret_cast<void**>(theirs), count, nullptr);
    c[WorkerCounter::handed_off] += queued;
    for (unsigned i = queued; i < count; ++i) drop_unprocessed(theirs[i], DropReason::handoff_full);
  }
  uint16_t kept = 0;
  for (uint16_t i = 0; i < n; ++i)
    if (owners[i] == self) mbufs[kept++] = mbufs[i];
  return kept;
}

void Worker::hand_off_decided(const WorkerPort& port, rte_mbuf* m, uint16_t to, uint32_t decided) {
  *RTE_MBUF_DYNFIELD(m, settings_.decision_field, uint32_t*) = decided;
  if (rte_ring_enqueue(port.handoff[to], m) != 0)
    drop_unprocessed(m, DropReason::handoff_full);  // the pipeline left it to `to` to count
  else
    ++(*counters_)[WorkerCounter::handed_off];
}

void Worker::send_on(uint16_t port_index, rte_mbuf* m) {
  const WorkerPort& port = ports_[port_index];
  if (port.tx_queue)
    transmit(port.port_id, *port.tx_queue, &m, 1);
  else
    send_shared(port.shared_tx, &m, 1);
}

void Worker::free_dropped(const BurstResult& result) {
  for (uint16_t i = 0; i < result.to_free_count; ++i)
    rte_pktmbuf_free(static_cast<rte_mbuf*>(result.to_free[i]));
}

void Worker::process(const WorkerPort& port, std::optional<uint16_t> tx_queue, rte_mbuf** mbufs,
                     uint16_t n, const ForwardingState& state, uint32_t now_ms, bool handed) {
  PacketBuffer* frames = frames_.get();
  uint32_t* decided = decided_.get();
  uint16_t kept = 0;
  for (uint16_t i = 0; i < n; ++i) {
    rte_mbuf* m = mbufs[i];
    if (auto refused = refused_before_pipeline(m->pkt_len, m->nb_segs, port.max_frame_length)) {
      drop_unprocessed(m, *refused);
      continue;
    }
    rte_prefetch0(rte_pktmbuf_mtod(m, void*));
    mbufs[kept] = m;
    frames[kept] = PacketBuffer{rte_pktmbuf_mtod(m, uint8_t*), m->data_len, rte_pktmbuf_headroom(m),
                                rte_pktmbuf_tailroom(m), m};
    if (handed) decided[kept] = *RTE_MBUF_DYNFIELD(m, settings_.decision_field, uint32_t*);
    ++kept;
  }
  n = kept;
  if (n == 0) return;

  BurstResult& result = *result_;
  FragmentSteering steering;
  if (!port.handoff.empty()) {
    steering.workers = port.flow_workers;
    steering.self = uint16_t(settings_.thread_id);
    if (handed) steering.decided = decided;
  }
  pipeline_->process_burst(frames, n, port.port_index, state, now_ms, result, steering);
  free_dropped(result);

  rte_mbuf** tx = tx_.get();
  uint16_t to_send = 0;
  uint16_t released = 0;
  for (uint16_t i = 0; i < n; ++i) {
    rte_mbuf* m = mbufs[i];
    switch (result.actions[i]) {
      case Action::kTransmit:
        apply(m, frames[i]);
        tx[to_send++] = m;
        break;
      case Action::kHold:
        break;
      case Action::kHandOff:
        hand_off_decided(port, m, result.hand_to[i], result.decided[i]);
        break;
      case Action::kToHost:
        pass_to_host(port, m, state, now_ms);
        break;
      case Action::kDrop:
        rte_pktmbuf_free(m);
        break;
    }
    for (; released < result.released_count && result.released[released].after == i; ++released) {
      const ReleasedFragment& r = result.released[released];
      rte_mbuf* held = static_cast<rte_mbuf*>(r.frame.handle);
      if (r.action != Action::kTransmit) {
        rte_pktmbuf_free(held);
        continue;
      }
      apply(held, r.frame);
      if (r.port_index == port.port_index)
        tx[to_send++] = held;
      else
        send_on(r.port_index, held);
    }
  }
  if (to_send && tx_queue)
    transmit(port.port_id, *tx_queue, tx, to_send);
  else if (to_send)
    send_shared(port.shared_tx, tx, to_send);

  for (uint16_t i = 0; i < result.learned_count; ++i) {
    LearnedNeighbor learned{result.learned[i], port.port_index};
    rte_ring_enqueue_elem(learned_, &learned, sizeof learned);  // full: the next one will do
  }
  if (settings_.sync_publish) publish_synced();
}

void Worker::pass_to_host(const WorkerPort& port, rte_mbuf* m, const ForwardingState& state,
                          uint32_t now_ms) {
  if (!port.to_host) {
    ++(*counters_)[kNoExceptionPath];
    rte_pktmbuf_free(m);
    return;
  }
  ParsedPacket parsed;
  parse_frame(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len, parsed);
  rte_ring* lane = port.to_host;
  if (host_lane(parsed, state) == HostLane::kControl) {
    ++(*counters_)[WorkerCounter::to_host_control];
    lane = port.to_host_control;
  } else if (!host_budgets_[port.port_index].take(now_ms)) {
    ++(*counters_)[DropReason::to_host_rate_limited];
    rte_pktmbuf_free(m);
    return;
  }
  if (rte_ring_enqueue(lane, m) != 0) {
    ++(*counters_)[DropReason::to_host_full];
    rte_pktmbuf_free(m);
  }
}

void Worker::publish_synced() {
  const SyncOutbox& out = pipeline_->sync_outbox();
  if (out.count == 0) return;
  const unsigned queued = rte_ring_enqueue_burst_elem(settings_.sync_publish, out.records,
                                                      sizeof(SyncRecord), out.count, nullptr);
  (*counters_)[SyncCounter::ring_full] += out.count - queued;
}

void Worker::install_synced(const ForwardingState& state, uint32_t now_ms) {
  constexpr unsigned kInstallsPerLoop = 32;
  SyncRecord records[kInstallsPerLoop];
  const unsigned n = rte_ring_dequeue_burst_elem(settings_.sync_install, records,
                                                 sizeof(SyncRecord), kInstallsPerLoop, nullptr);
  for (unsigned i = 0; i < n; ++i)
    pipeline_->install_synced(records[i], state, now_ms, settings_.sync_reserve);
  NatSyncRecord nat[kInstallsPerLoop];
  const unsigned m = rte_ring_dequeue_burst_elem(settings_.sync_nat_install, nat,
                                                 sizeof(NatSyncRecord), kInstallsPerLoop, nullptr);
  for (unsigned i = 0; i < m; ++i)
    pipeline_->install_synced_nat(nat[i], state, now_ms, settings_.sync_nat_reserve);
}

bool Worker::walk_bulk(const ForwardingState& state, uint32_t now_ms) {
  constexpr uint32_t kBulkBucketsPerLoop = 16;
  BulkRequest& bulk = *settings_.sync_bulk;
  const uint32_t requested = bulk.requested.load(std::memory_order_acquire);
  if (requested == bulk.done.load(std::memory_order_relaxed)) return false;
  if (bulk_serving_ != requested) {
    bulk_serving_ = requested;
    bulk_cursor_ = 0;
  }
  // Never more than the ring takes: a walk waits for the main lcore, it loses nothing.
  SyncRecord records[kBulkBucketsPerLoop * FlowTable::kWays];
  if (rte_ring_free_count(settings_.sync_publish) < std::size(records)) return true;
  const size_t n =
      bulk_records(pipeline_->flows(), state, bulk_cursor_, kBulkBucketsPerLoop, now_ms, records);
  rte_ring_enqueue_burst_elem(settings_.sync_publish, records, sizeof(SyncRecord), unsigned(n),
                              nullptr);
  (*counters_)[SyncCounter::join_records] += n;
  if (bulk_cursor_ < pipeline_->flows().bucket_count()) return true;
  bulk.done.store(requested, std::memory_order_release);
  return false;
}

void Worker::drop_unprocessed(rte_mbuf* m, DropReason reason) {
  WorkerCounters& c = *counters_;
  ++c[WorkerCounter::rx_packets];
  c[WorkerCounter::rx_bytes] += m->pkt_len;
  ++c[reason];
  rte_pktmbuf_free(m);
}

void Worker::send_shared(rte_ring* shared_tx, rte_mbuf** mbufs, uint16_t n) {
  const unsigned queued =
      rte_ring_enqueue_burst(shared_tx, reinterpret_cast<void**>(mbufs), n, nullptr);
  if (queued < n) {
    (*counters_)[DropReason::tx_full] += n - queued;
    rte_pktmbuf_free_bulk(mbufs + queued, n - queued);
  }
}

void Worker::transmit(uint16_t port_id, uint16_t queue, rte_mbuf** mbufs, uint16_t n) {
  // Lengths are read before the burst: some PMDs (af_packet) free mbufs inside tx_burst.
  uint64_t bytes = 0;
  for (uint16_t i = 0; i < n; ++i) bytes += mbufs[i]->pkt_len;
  // A device that took part of the burst may take the rest once it has reclaimed sent
  // descriptors. One that takes nothing is full, and the rest is dropped at once instead
  // of spinning on it while the RX queues fill.
  uint16_t sent = rte_eth_tx_burst(port_id, queue, mbufs, n);
  for (int retry = 0; retry < kTxRetries && sent > 0 && sent < n; ++retry) {
    const uint16_t more = rte_eth_tx_burst(port_id, queue, mbufs + sent, uint16_t(n - sent));
    if (more == 0) break;
    sent = uint16_t(sent + more);
  }
  WorkerCounters& c = *counters_;
  if (sent < n) {
    for (uint16_t i = sent; i < n; ++i) bytes -= mbufs[i]->pkt_len;
    c[DropReason::tx_full] += n - sent;
    rte_pktmbuf_free_bulk(mbufs + sent, n - sent);
  }
  c[WorkerCounter::tx_packets] += sent;
  c[WorkerCounter::tx_bytes] += bytes;
}

}  // namespace sluice
