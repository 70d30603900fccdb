// SPDX-License-Identifier: BSD-3-Clause
// Flow sync's main-lcore side (docs/flow-sync.md): a ring from each worker carrying the
// flows it publishes, batched, signed and sent over a kernel UDP socket to every peer;
// and the peers' batches received on the same socket, checked (format, MAC, replay,
// clock) and handed record by record to the worker that owns the flow, through that
// worker's ring. Sends and installs are capped per second; every loss is counted.
//
// Bulk sync on join: with join_wait, a starting node sends each peer a join request and
// waits (join_pending) until one answers with a join done or join_wait has passed. A peer
// asked walks every worker's table (BulkRequest, sync/bulk_walk.h); the records go out as
// ordinary batches, to every peer, then a join done to each peer that asked.
//
// Threads. The main lcore constructs it, calls open() and poll(), and reads its counters;
// each worker uses only its own two rings (publish: worker -> main, install: main ->
// worker; single producer, single consumer) and its BulkRequest. The telemetry thread
// reads counters().
#pragma once

#include <rte_ring.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "sync/batcher.h"
#include "sync/bulk_request.h"
#include "sync/rate_cap.h"
#include "sync/replay_guard.h"
#include "sync/sync_counters.h"

namespace sluice {

class FlowSync {
 public:
  // `owners`: the workers that own flows, by flow_owner() index (a handing-off port's
  // flow_workers); empty when no port hands flows off: with one worker it owns every flow,
  // with several (RSS decides) a record goes to every worker.
  FlowSync(const config::SyncSettings& settings, uint32_t workers, std::vector<uint16_t> owners);
  ~FlowSync();
  FlowSync(const FlowSync&) = delete;
  FlowSync& operator=(const FlowSync&) = delete;

  // Creates the rings and the socket (bound to listen, IP_FREEBIND: the address may come
  // later, with the TAP or a VRRP master); false with the reason in `error`.
  bool open(std::string& error);
  rte_ring* publish_ring(uint32_t worker) const { return publish_[worker]; }
  rte_ring* install_ring(uint32_t worker) const { return install_[worker]; }
  rte_ring* nat_install_ring(uint32_t worker) const { return nat_install_[worker]; }
  BulkRequest* bulk_request(uint32_t worker) const { return bulk_[worker].get(); }

  // One round of the main loop: what the workers published, sent when a batch is full or
  // due; what the peers sent, checked and passed on. now_ms is monotonic.
  void poll(uint64_t now_ms);

  const uint64_t* counters() const { return counters_; }  // the (main) ones

 private:
  void send(uint64_t now_ms);
  void receive(const uint8_t* data, size_t length, const SocketAddress& from, uint64_t now_ms);
  void dispatch(const SyncRecord& record);
  // A NAT connection to its owner: for fullnat the worker whose share holds its local
  // port, for nat the owner of the client's end (pipeline/flow_owner.h); every worker
  // when the ports spread flows by RSS (no owner known).
  void dispatch_nat(const NatSyncRecord& record);
  void send_signal(uint8_t type, const SocketAddress& to);
  // A join: the requests at the first poll, then the wait for a done or join_wait.
  void join(uint64_t now_ms);
  // A peer's join request (from `from`): a walk of every table, unless one runs already
  // (then one more after it), and a join done when it has all been sent.
  void serve_join(const SocketAddress& from);
  void finish_bulk(uint64_t now_ms);
  uint64_t& count(SyncCounter c) { return counters_[size_t(c)]; }

  config::SyncSettings settings_;
  uint32_t workers_;
  std::vector<uint16_t> owners_;
  std::vector<rte_ring*> publish_;
  std::vector<rte_ring*> install_;
  std::vector<rte_ring*> nat_install_;
  std::vector<std::unique_ptr<BulkRequest>> bulk_;
  enum class Join : uint8_t { kOff, kToAsk, kWaiting, kOver } join_ = Join::kOff;
  uint64_t join_deadline_ms_ = 0;
  uint32_t bulk_generation_ = 0;
  bool bulk_running_ = false;
  bool bulk_again_ = false;             // a request came during a walk
  std::vector<SocketAddress> joiners_;  // the peers a running walk answers
  std::vector<SocketAddress> next_joiners_;
  int socket_ = -1;
  sync::Batcher batcher_;
  sync::RateCap send_cap_;
  sync::RateCap install_cap_;
  sync::ReplayGuard replay_;
  sync::Batch received_;
  uint64_t counters_[kSyncCounterCount] = {};
};

}  // namespace sluice
