// SPDX-License-Identifier: BSD-3-Clause
// A worker lcore: polls its RX queues, runs the pipeline on each burst, transmits, and
// reports quiescent states for RCU, and answers the main lcore's questions about its flow
// table. Everything it writes (flow table, counters, TX, the answers) is its own; on ports that
// cannot keep a flow on one worker it hands each frame to the worker that owns its flow, through
// that worker's ring. Built by the main lcore before launch; run() executes on the worker lcore.
#pragma once

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

#include "pipeline/pipeline.h"
#include "pipeline/token_bucket.h"
#include "runtime/port.h"
#include "runtime/state_publisher.h"
#include "sync/bulk_request.h"
#include "trace/flow_mailbox.h"

namespace sluice {

// A neighbor binding on its way from a worker to the main lcore (ring element size must
// be a multiple of 4).
struct alignas(4) LearnedNeighbor {
  NeighborBinding binding;
  uint16_t port_index;
};

// What one worker does with one port.
struct WorkerPort {
  uint16_t port_index = 0;
  uint16_t port_id = 0;
  std::vector<uint16_t> rx_queues;  // the device queues it polls
  // The port's mtu plus Ethernet and VLAN headers: longer frames are dropped (over_mtu).
  uint32_t max_frame_length = 0;
  // Where frames this worker did not receive from a queue of its own leave: its first
  // queue, or through shared_tx when it has none.
  std::optional<uint16_t> tx_queue;
  rte_ring* shared_tx = nullptr;
  bool drains_shared_tx = false;  // it owns queue 0
  // The port's exception path, null when it has none: control traffic (pipeline/host_lane.h)
  // through to_host_control, which the main lcore drains first, the rest through to_host.
  rte_ring* to_host = nullptr;
  rte_ring* to_host_control = nullptr;
  // This worker's share of the port's host_rate_limit ([[port]], else [dataplane]): bulk
  // frames per second to the exception path. 0 = no limit.
  uint32_t host_rate_limit = 0;
  // Flow handoff, as EthPort::handoff and EthPort::flow_workers: every worker's ring by
  // worker index (empty when the port does not hand off), and the workers owning flows.
  std::vector<rte_ring*> handoff;
  std::vector<uint16_t> flow_workers;
};

struct WorkerSettings {
  uint32_t thread_id = 0;  // RCU thread id and index among workers
  uint32_t lcore = 0;      // the lcore run() is launched on
  int numa_node = -1;      // its socket, where its tables are placed
  uint16_t burst_size = 32;
  uint32_t idle_sleep_us = 0;
  bool rx_interrupts = false;  // idle: wait for an RX interrupt where every queue has one
  uint32_t flow_capacity = 1 << 20;
  uint32_t syn_admission_limit = 0;
  FlowTimeouts timeouts;
  FragmentSettings fragments;
  NatSetup nat;  // [nat] and this worker's share of its local ports
  // The mbuf dynamic field (uint32_t) that carries a first fragment's decision to the
  // worker owning its datagram (FragmentSteering::decided); written on every handoff.
  int decision_field = -1;
  // Flow sync (runtime/flow_sync.h), when enabled: the gate, this worker's two rings, and
  // the flows of its table kept for local flows.
  SyncThreshold sync;
  rte_ring* sync_publish = nullptr;
  rte_ring* sync_install = nullptr;
  uint64_t sync_reserve = 0;
  rte_ring* sync_nat_install = nullptr;  // NAT connections, with their own reserve
  uint32_t sync_nat_reserve = 0;
  BulkRequest* sync_bulk = nullptr;  // a peer's join: walk the table into sync_publish
};

class Worker {
 public:
  Worker(const WorkerSettings& settings, std::vector<WorkerPort> ports, StatePublisher& publisher,
         rte_ring* learned, const std::atomic<bool>& stop);

  // The lcore body; returns when `stop` becomes true.
  int run();

  const WorkerCounters& counters() const { return *counters_; }
  uint32_t lcore() const { return settings_.lcore; }
  uint64_t flow_capacity() const { return flow_capacity_; }  // its flow table's ways
  // The main lcore's questions about this worker's flow table, answered by run() between
  // bursts (trace/flow_mailbox.h): the asking side is the main lcore's.
  FlowMailbox& mailbox() { return *mailbox_; }

 private:
  // Everything due on one port: its shared TX ring, its RX queues, its handoff ring.
  void poll(const WorkerPort& port, const ForwardingState& state, uint32_t now_ms,
            uint16_t& received);
  // Passes the frames of mbufs[0..n) that other workers own to them; returns how many of
  // its own it kept, in order, at the front of mbufs.
  uint16_t hand_off(const WorkerPort& port, rte_mbuf** mbufs, uint16_t n,
                    const ForwardingState& state);
  // Passes a first fragment decided here to the worker owning its datagram, with the
  // decision.
  void hand_off_decided(const WorkerPort& port, rte_mbuf* m, uint16_t to, uint32_t decided);
  // Runs the pipeline on a burst received on `port` (or from its handoff ring: `handed`)
  // and sends, passes to the host, holds or frees each frame; tx_queue as in WorkerPort.
  // Frames the pipeline cannot take (over the port's mtu, or in several segments) are
  // dropped first, and counted as received too.
  void process(const WorkerPort& port, std::optional<uint16_t> tx_queue, rte_mbuf** mbufs,
               uint16_t n, const ForwardingState& state, uint32_t now_ms, bool handed = false);
  // Passes a frame for the host to its port's exception path, in its lane; drops and counts
  // it when the port has none, when its ring is full or when the bulk lane's budget is spent.
  void pass_to_host(const WorkerPort& port, rte_mbuf* m, const ForwardingState& state,
                    uint32_t now_ms);
  // Sends a fragment released for another port than the burst's, from that port.
  void send_on(uint16_t port_index, rte_mbuf* m);
  // Frees the held fragments the pipeline gave up (BurstResult::to_free).
  void free_dropped(const BurstResult& result);
  // Flow sync: what the last burst published, to the main lcore; what peers published,
  // into the flow table.
  void publish_synced();
  void install_synced(const ForwardingState& state, uint32_t now_ms);
  // A bulk walk asked for by the main lcore, a step at a time; true while one is unfinished.
  bool walk_bulk(const ForwardingState& state, uint32_t now_ms);
  void transmit(uint16_t port_id, uint16_t queue, rte_mbuf** mbufs, uint16_t n);
  void send_shared(rte_ring* shared_tx, rte_mbuf** mbufs, uint16_t n);
  // Frees a received frame that never reaches the pipeline (which counts the rest as
  // received), counting it as received and dropped for `reason`.
  void drop_unprocessed(rte_mbuf* m, DropReason reason);
  // On the worker lcore: registers every RX queue with this thread's epoll set; false
  // (with the reason on stdout) when one cannot raise interrupts or a ring must be polled.
  bool register_interrupts();
  void set_interrupts(bool on);
  // The idle wait: arms the interrupts, polls once more (a frame that came before arming
  // raises none), then blocks, offline for RCU, until an interrupt or a timeout. Returns
  // the frames that last poll found.
  uint16_t wait_for_interrupt(uint32_t now_ms);

  WorkerSettings settings_;
  std::vector<WorkerPort> ports_;
  StatePublisher& publisher_;
  rte_ring* learned_;
  const std::atomic<bool>& stop_;
  std::unique_ptr<WorkerCounters> counters_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<BurstResult> result_;
  // process()'s frame descriptors, kept here: a local array of them is value-initialized
  // (a 12 KiB memset) on every burst.
  std::unique_ptr<PacketBuffer[]> frames_;
  std::unique_ptr<uint16_t[]> owners_;      // hand_off()'s owner of each frame
  std::unique_ptr<ParsedPacket[]> parsed_;  // and its scratch
  std::unique_ptr<uint32_t[]> decided_;     // process()'s FragmentSteering::decided
  std::unique_ptr<rte_mbuf*[]> tx_;         // process()'s frames to send, held ones among them
  std::unique_ptr<FlowMailbox> mailbox_;
  std::vector<TokenBucket> host_budgets_;  // the bulk lane's, by port index
  uint32_t bulk_serving_ = 0;  // walk_bulk()'s: the request it works on, and where it is
  uint32_t bulk_cursor_ = 0;
  uint64_t flow_capacity_;
};

}  // namespace sluice
