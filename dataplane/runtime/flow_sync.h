// SPDX-License-Identifier: BSD-3-Clause
// Flow sync's main-lcore side (docs/flow-sync.md): a ring from each worker carrying the
// flows it publishes, batched, signed and sent over a kernel UDP socket to every peer;
// and the peers' batches received on the same socket, checked (format, MAC, replay,
// clock) and handed record by record to the worker that owns the flow, through that
// worker's ring. Sends and installs are capped per second; every loss is counted.
//
// Threads. The main lcore constructs it, calls open() and poll(), and reads its counters;
// each worker uses only its own two rings (publish: worker -> main, install: main ->
// worker; single producer, single consumer). The telemetry thread reads counters().
#pragma once

#include <rte_ring.h>

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "sync/batcher.h"
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

  // One round of the main loop: what the workers published, sent when a batch is full or
  // due; what the peers sent, checked and passed on. now_ms is monotonic.
  void poll(uint64_t now_ms);

  const uint64_t* counters() const { return counters_; }  // the (main) ones

 private:
  void send(uint64_t now_ms);
  void receive(const uint8_t* data, size_t length, uint64_t now_ms);
  void dispatch(const SyncRecord& record);
  uint64_t& count(SyncCounter c) { return counters_[size_t(c)]; }

  config::SyncSettings settings_;
  uint32_t workers_;
  std::vector<uint16_t> owners_;
  std::vector<rte_ring*> publish_;
  std::vector<rte_ring*> install_;
  int socket_ = -1;
  sync::Batcher batcher_;
  sync::RateCap send_cap_;
  sync::RateCap install_cap_;
  sync::ReplayGuard replay_;
  sync::Batch received_;
  uint64_t counters_[kSyncCounterCount] = {};
};

}  // namespace sluice
