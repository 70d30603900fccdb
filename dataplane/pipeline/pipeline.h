// SPDX-License-Identifier: BSD-3-Clause
// The per-packet path of one worker lcore, free of DPDK: parse, VIP match, flow table,
// Maglev, rewrite, local answers (ARP, ND, echo). The worker (runtime/worker.cc) hands it
// bursts of frames from one RX queue and transmits, drops or passes to the host what it
// decides. Owned and called by exactly one lcore; the forwarding state it reads is the
// snapshot the caller currently holds (RCU read side).
//
// IP fragments are forwarded without reassembly: a first fragment is decided as a whole
// packet of its 5-tuple would be, the decision is kept per datagram in the fragment table,
// and later fragments follow it; those that come before their first one are held (Action
// kHold) until it comes or hold_ms passes. On ports that hand frames between workers, all
// of a datagram's fragments belong to the worker that owns its FragmentKey: the owner of
// the first fragment's 5-tuple decides it (its flow table) and hands it over with the
// decision (Action kHandOff). docs/fragments.md says what that guarantees.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "config/fragment_settings.h"
#include "flow/flood_guard.h"
#include "flow/flow_table.h"
#include "flow/fragment_table.h"
#include "nat/local_ports.h"
#include "nat/nat_setup.h"
#include "nat/nat_table.h"
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
  kHold,      // a fragment the pipeline keeps: neither send nor free it; it comes back in
              // a later BurstResult, released or to free
  kHandOff,   // a first fragment decided here, for the worker in BurstResult::hand_to
};

// A held fragment let go by its first fragment, rewritten for its backend like the frames
// of the burst; to send right after frame `after` of the burst, from its own port.
struct ReleasedFragment {
  PacketBuffer frame;
  uint16_t port_index = 0;
  uint16_t after = 0;
  Action action = Action::kDrop;  // kTransmit or kDrop
};

// How a burst's fragments are shared between workers: on a port that hands frames over,
// the workers owning datagrams there (the port's flow workers) and this one's index; for
// each frame, what the worker that decided a first fragment attached to it (backend id
// + 1; 0 for none). The default: this worker owns every datagram it receives.
struct FragmentSteering {
  std::span<const uint16_t> workers;
  uint16_t self = 0;
  const uint32_t* decided = nullptr;
};

struct BurstResult {
  Action actions[kMaxBurst];
  // kHandOff: the worker to hand frame i to, and what to attach (FragmentSteering::decided).
  uint16_t hand_to[kMaxBurst];
  uint32_t decided[kMaxBurst];
  // ARP/ND bindings seen in this burst, for the main lcore's neighbor cache.
  NeighborBinding learned[kMaxBurst];
  uint16_t learned_count = 0;
  // Held fragments let go, in the order they are due; and the handles of the held
  // fragments the pipeline dropped (timed out, or pushed out), to free.
  ReleasedFragment released[kMaxHeldFragments + kMaxBurst];
  uint16_t released_count = 0;
  void* to_free[kMaxHeldFragments + kMaxBurst];
  uint16_t to_free_count = 0;
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
  // syn_admission_limit: see flow/flood_guard.h; 0 = none. nat: the NAT connection table
  // and local ports of this worker (none by default). numa_node: where the flow and NAT
  // tables are placed (the worker lcore's socket; < 0: wherever the caller runs).
  Pipeline(uint32_t flow_capacity, const FlowTimeouts& timeouts, WorkerCounters& counters,
           const FragmentSettings& fragments = {}, uint32_t syn_admission_limit = 0,
           const NatSetup& nat = {}, int numa_node = -1);

  // Decides the fate of frames[0..n) (n <= kMaxBurst), all received on port `port_index`,
  // rewriting the ones to transmit in place. The three stages below back to back.
  void process_burst(PacketBuffer* frames, uint16_t n, uint16_t port_index,
                     const ForwardingState& state, uint32_t now_ms, BurstResult& result,
                     const FragmentSteering& steering = {});

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
                    BurstResult& result, const FragmentSteering& steering = {});

  // Reclaims expired flows; call when the queues are idle.
  void sweep(uint32_t now_ms, uint32_t bucket_budget);
  // Drops the held fragments whose time is up into result.to_free (resetting it); call
  // when the queues are idle (finish_burst does it too).
  void expire_fragments(uint32_t now_ms, BurstResult& result);
  // Gives every held fragment back in result.to_free, uncounted: the worker is stopping.
  void release_fragments(BurstResult& result);

  const FlowTable& flows() const { return flows_; }
  FlowTable& flows() { return flows_; }  // a tracer's pipeline is given the flow it explains
  const FragmentTable& fragments() const { return fragments_; }
  const NatTable& nat_connections() const { return nat_; }
  const LocalPorts& local_ports() const { return local_ports_; }

  // Flow sync (docs/flow-sync.md), off until set. sync_outbox() holds what the last
  // burst published; install_synced() takes a flow a peer published (sync/installer.h,
  // reserve in flows) and counts the outcome.
  void set_sync(const SyncThreshold& threshold) { sync_ = threshold; }
  const SyncOutbox& sync_outbox() const { return sync_outbox_; }
  SyncInstall install_synced(const SyncRecord& record, const ForwardingState& state,
                             uint32_t now_ms, uint64_t reserve);
  // The same for a NAT connection (sync/installer.h, install_synced_nat(), reserve in NAT
  // connections), for the worker that owns it.
  SyncInstall install_synced_nat(const NatSyncRecord& record, const ForwardingState& state,
                                 uint32_t now_ms, uint32_t reserve);

 private:
  Action handle(PacketBuffer& frame, const ParsedPacket& parsed, uint32_t hash,
                const PortEntry& port, const ForwardingState& state, uint32_t now_ms,
                BurstResult& result);
  // Hands the binding an ARP/ND frame announces to the main lcore. True when the frame
  // is an answer to the port's own address: a solicitation of ours, or of the kernel that
  // shares the address behind the port's TAP.
  bool learn(const PacketBuffer& frame, const ParsedPacket& parsed, const ForwardingState& state,
             BurstResult& result);
  Action forward(PacketBuffer& frame, const ParsedPacket& parsed, uint32_t hash, uint32_t vip_index,
                 const PortEntry& port, const ForwardingState& state, uint32_t now_ms);
  // forward() in two: the backend for a packet of VIP vip_index (its flow's, a new flow's,
  // or for an ICMP error the quoted flow's), nullptr when the VIP has none; and the
  // rewrite for it by the VIP's mode, counted. Both are the fragment path's too, and GCC
  // stops inlining what has two callers: forward() has them inlined (they are defined and
  // called in pipeline.cc only; out of line they cost a whole packet 2-5 ns), the fragment
  // path calls the out-of-line copies below.
  [[gnu::always_inline]] const BackendEntry* choose_backend(const ParsedPacket& parsed,
                                                            uint32_t hash, uint32_t vip_index,
                                                            const ForwardingState& state,
                                                            uint32_t now_ms);
  [[gnu::always_inline]] Action send_to_backend(PacketBuffer& frame, const ParsedPacket& parsed,
                                                uint32_t hash, const VipEntry& vip,
                                                const BackendEntry& backend,
                                                const NextHop& next_hop, const PortEntry& port);
  const BackendEntry* choose_backend_outlined(const ParsedPacket& parsed, uint32_t hash,
                                              uint32_t vip_index, const ForwardingState& state,
                                              uint32_t now_ms);
  Action send_to_backend_outlined(PacketBuffer& frame, const ParsedPacket& parsed, uint32_t hash,
                                  const VipEntry& vip, const BackendEntry& backend,
                                  const NextHop& next_hop, const PortEntry& port);
  // The NAT path (pipeline/nat_path.cc): a packet for a nat or fullnat VIP, and a
  // packet that may be a NAT connection's answer (nullopt when it is none).
  Action nat_forward(PacketBuffer& frame, const ParsedPacket& parsed, uint32_t hash,
                     uint32_t vip_index, const PortEntry& port, const ForwardingState& state,
                     uint32_t now_ms);
  std::optional<Action> nat_answer(PacketBuffer& frame, const ParsedPacket& parsed, uint32_t hash,
                                   const PortEntry& port, const ForwardingState& state,
                                   uint32_t now_ms);
  // A new connection for a packet of vip_index: its backend placed, for fullnat its local
  // port taken; nullptr with the drop counted.
  NatConnection* open_nat_connection(const PacketBuffer& frame, const ParsedPacket& parsed,
                                     uint32_t hash, uint32_t vip_index,
                                     const ForwardingState& state, uint32_t now_ms);
  // An answer learn() took: the kernel's too when the port has a TAP (to_host), otherwise
  // consumed (neighbor_answers).
  Action neighbor_answer(const PortEntry& port);
  // Whether a new connection for p may open: not when it is a client's SYN over the
  // worker's syn_admission_limit (flow/flood_guard.h), dropped and counted.
  bool admit_nat_syn(const ParsedPacket& p, const VipEntry& vip, uint32_t now_ms);
  // What is not a VIP's: the host's (own addresses, multicast, link-local) or dropped.
  Action host_or_drop(const IpAddress& dst, const ForwardingState& state);

  // The fragment path (pipeline/fragment_path.cc): frame i of the burst.
  Action handle_fragment(uint16_t i, PacketBuffer& frame, const ParsedPacket& parsed, uint32_t hash,
                         uint16_t port_index, const ForwardingState& state, uint32_t now_ms,
                         const FragmentSteering& steering, BurstResult& result);
  // Sends a fragment the way its datagram's first went.
  Action follow(PacketBuffer& frame, const ParsedPacket& parsed, const FragmentDecision& decision,
                const PortEntry& port, const ForwardingState& state);
  // Records the decision of frame i's datagram; what was held for it is released after i.
  void decide_datagram(uint16_t i, const FragmentKey& key, uint32_t key_hash,
                       const FragmentDecision& decision, const ForwardingState& state,
                       uint32_t now_ms, BurstResult& result);
  // The fragments of NAT VIPs' datagrams (pipeline/nat_fragment_path.cc): the first
  // fragment, through the NAT connection of its 5-tuple; and the IP header of any other
  // fragment (and of a first one whose L4 header the connection's worker translated)
  // translated as the decision says, counted as forwarded (with the VIP's and backend's
  // traffic when count_traffic).
  Action nat_first_fragment(uint16_t i, PacketBuffer& frame, const ParsedPacket& parsed,
                            uint32_t hash, uint32_t vip_index, const FragmentKey& key,
                            uint32_t key_hash, uint16_t port_index, const ForwardingState& state,
                            uint32_t now_ms, const FragmentSteering& steering, BurstResult& result);
  Action nat_follow(PacketBuffer& frame, const ParsedPacket& parsed,
                    const FragmentDecision& decision, const VipEntry& vip,
                    const BackendEntry& backend, const PortEntry& port,
                    const ForwardingState& state, bool count_traffic);
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
  FragmentTable fragments_;
  LocalPorts local_ports_;
  NatTable nat_;
  std::vector<IpAddress> nat_local_addresses_;  // LocalPorts' address indexes
  FloodGuard flood_guard_;
  WorkerCounters& counters_;
  SyncThreshold sync_;
  SyncOutbox sync_outbox_;
  StagedBurst staged_;  // process_burst's, kept here so a burst constructs no records
};

}  // namespace sluice
