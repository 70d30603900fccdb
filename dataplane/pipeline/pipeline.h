// SPDX-License-Identifier: BSD-3-Clause
// The per-packet path of one worker lcore, free of DPDK: parse, VIP match, flow table,
// Maglev, rewrite, local answers (ARP, ND, echo). The worker (runtime/worker.cc) hands it
// bursts of frames from one RX queue and transmits, drops or passes to the host what it
// decides. Owned and called by exactly one lcore; the forwarding state it reads is the
// snapshot the caller currently holds (RCU read side).
#pragma once

#include <cstdint>
#include <optional>

#include "flow/flow_table.h"
#include "packet/neighbor_packets.h"
#include "packet/packet_buffer.h"
#include "packet/parsed_packet.h"
#include "pipeline/worker_counters.h"
#include "state/forwarding_state.h"
#include "sync/installer.h"
#include "sync/sync_gate.h"
#include "sync/sync_record.h"

namespace sluice {

inline constexpr uint16_t kMaxBurst = 512;

enum class Action : uint8_t {
  kTransmit,  // send the (rewritten) frame out of the port it came from
  kDrop,      // free it; its outcome (a drop reason, neighbor_answers) is already counted
  kToHost,    // not load-balancer traffic: the exception path's, if the port has one
};

struct BurstResult {
  Action actions[kMaxBurst];
  // ARP/ND bindings seen in this burst, for the main lcore's neighbor cache.
  NeighborBinding learned[kMaxBurst];
  uint16_t learned_count = 0;
};

// A burst between Pipeline::begin_burst and Pipeline::finish_burst: its frames (owned by
// the caller, untouched in between) and what begin_burst learnt of them. About 30 KiB:
// allocate one per burst in flight once, not per burst.
struct StagedBurst {
  PacketBuffer* frames = nullptr;
  uint16_t n = 0;
  uint16_t port_index = 0;
  ParsedPacket parsed[kMaxBurst];
  uint32_t hashes[kMaxBurst];
};

// The flows a burst made due for publication to the peers (sync/sync_gate.h), for the
// worker to pass on after the burst.
struct SyncOutbox {
  SyncRecord records[kMaxBurst];
  uint16_t count = 0;
};

class Pipeline {
 public:
  Pipeline(uint32_t flow_capacity, const FlowTimeouts& timeouts, WorkerCounters& counters);

  // Decides the fate of frames[0..n) (n <= kMaxBurst), all received on port `port_index`,
  // rewriting the ones to transmit in place. The three stages below back to back.
  void process_burst(PacketBuffer* frames, uint16_t n, uint16_t port_index,
                     const ForwardingState& state, uint32_t now_ms, BurstResult& result);

  // The same in stages, so that one burst's flow-table cache misses can be in flight while
  // the caller finishes the previous burst (begin k, finish k-1, prefetch_flows k; Worker
  // does not, see bench/RESULTS.md "Tried in run D" and "Tried in run H"):
  //   begin_burst     parses frames[0..n), hashes them and prefetches their buckets' tag
  //                   lines. Reads no forwarding state and changes no flow.
  //   prefetch_flows  prefetches the entries whose tags match, or that a new flow will take
  //                   and the Maglev slot that will place it; the tag lines should have had
  //                   a burst's worth of work to arrive. `state` only guides the prefetch.
  //   finish_burst    everything else, in order; the frames may be rewritten.
  // Bursts must be finished in the order they were begun; state and now_ms are those of
  // the finish.
  void begin_burst(StagedBurst& burst, PacketBuffer* frames, uint16_t n, uint16_t port_index);
  void prefetch_flows(const StagedBurst& burst, const ForwardingState& state,
                      uint32_t now_ms) const;
  void finish_burst(const StagedBurst& burst, const ForwardingState& state, uint32_t now_ms,
                    BurstResult& result);

  // Reclaims expired flows; call when the queues are idle.
  void sweep(uint32_t now_ms, uint32_t bucket_budget);

  const FlowTable& flows() const { return flows_; }
  FlowTable& flows() { return flows_; }  // a tracer's pipeline is given the flow it explains

  // Flow sync (docs/flow-sync.md), off until set. sync_outbox() holds what the last
  // burst published; install_synced() takes a flow a peer published (sync/installer.h,
  // reserve in flows) and counts the outcome.
  void set_sync(const SyncThreshold& threshold) { sync_ = threshold; }
  const SyncOutbox& sync_outbox() const { return sync_outbox_; }
  SyncInstall install_synced(const SyncRecord& record, const ForwardingState& state,
                             uint32_t now_ms, uint64_t reserve);

 private:
  Action handle(PacketBuffer& frame, const ParsedPacket& parsed, uint32_t hash,
                const PortEntry& port, const ForwardingState& state, uint32_t now_ms,
                BurstResult& result);
  // Hands the binding an ARP/ND frame announces to the main lcore. True when the frame
  // is the answer to one of our own solicitations: consumed, nobody else wants it.
  bool learn(const PacketBuffer& frame, const ParsedPacket& parsed, const ForwardingState& state,
             BurstResult& result);
  Action forward(PacketBuffer& frame, const ParsedPacket& parsed, uint32_t hash, uint32_t vip_index,
                 const PortEntry& port, const ForwardingState& state, uint32_t now_ms);
  Action drop(DropReason reason) {
    ++counters_[reason];
    return Action::kDrop;
  }

  void offer_sync(FlowEntry& entry, const VipEntry& vip, const BackendEntry& backend,
                  uint32_t now_ms) {
    if (!sync_due(entry, sync_, now_ms)) return;
    ++counters_[SyncCounter::published];
    SyncRecord& r = sync_outbox_.records[sync_outbox_.count++];
    r.vip = vip.key;
    r.flow = entry.key;
    r.backend = backend.address;
    r.age_ms = 0;
    r.state = entry.state();
  }

  FlowTable flows_;
  WorkerCounters& counters_;
  SyncThreshold sync_;
  SyncOutbox sync_outbox_;
  StagedBurst staged_;  // process_burst's, kept here so a burst constructs no records
};

}  // namespace sluice
