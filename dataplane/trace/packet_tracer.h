// SPDX-License-Identifier: BSD-3-Clause
// What the packet path would do with one frame, worked out by the packet path itself. The
// tracer owns a Pipeline (pipeline/pipeline.h: the workers' code) with counters and a
// one-bucket flow table of its own. explain() copies the frame into a buffer shaped like
// an mbuf of the port, copies in the worker's flow entry for the frame's flow (asked of
// the worker beforehand, trace/flow_mailbox.h), and runs that pipeline on the copy against
// the snapshot the workers use. Only the copy, the tracer's counters and its flow table
// change: no worker state, no counter anyone reads, no frame sent. What the pipeline did
// is read back from them: the drop reason and events from the counters, the backend from
// the flow table, the output from the rewritten copy. What the worker does around the
// pipeline (the port's mtu before it, the exception path after it) is applied here as
// Worker::process applies it (pipeline/rx_admission.h).
//
// One tracer per main lcore; not thread-safe. Construction reserves the counters' 25 MB
// of address space; only the pages the pipeline writes are ever touched.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "channel/trace.h"
#include "config/flow_timeouts.h"
#include "pipeline/pipeline.h"
#include "trace/flow_mailbox.h"

namespace sluice {

// The port a traced frame arrives on, as its workers see it.
struct TracePort {
  uint16_t index = 0;  // into ForwardingState::ports
  std::string name;
  uint32_t max_frame_length = 0;  // longer frames are dropped before the pipeline (over_mtu)
  uint32_t headroom = 0;          // of the port's mbufs
  uint32_t buffer_length = 0;     // headroom + data room of the port's mbufs
  bool exception_path = false;    // frames for the host reach it (else host_unhandled)
  // Flow handoff: the workers that own the port's flows (pipeline/flow_owner.h); empty
  // when the port does not hand off.
  std::vector<uint16_t> flow_workers;
  std::vector<uint16_t> queue_workers;  // the workers polling a queue of the port
};

// Whose flow table to ask about a frame's flow, before explain().
struct TracePlan {
  bool ask = false;  // an IPv4/IPv6 frame of a VIP: its flow table entry matters
  FlowKey key;
  uint32_t hash = 0;
  std::vector<uint32_t> workers;  // whose tables to ask (worker indexes)
  std::optional<uint32_t> owner;  // the worker that owns the flow, when the port says
  std::string owner_by;           // how: "only-worker", "handoff"
};

class PacketTracer {
 public:
  explicit PacketTracer(const FlowTimeouts& timeouts);
  ~PacketTracer();
  PacketTracer(const PacketTracer&) = delete;
  PacketTracer& operator=(const PacketTracer&) = delete;

  static TracePlan plan(std::string_view frame, const TracePort& port,
                        const ForwardingState& state);

  // The VIP's name for a snapshot's VIP entry.
  using VipName = std::function<std::string(const VipEntry&)>;

  // `answers[i]`: the answer of plan.workers[i] (all of them when plan.ask); `lcores`:
  // each worker's lcore, by worker index.
  channel::TraceResult explain(std::string_view frame, const TracePort& port, const TracePlan& plan,
                               std::span<const FlowAnswer* const> answers,
                               std::span<const uint32_t> lcores, const ForwardingState& state,
                               const VipName& vip_name, uint32_t now_ms);

 private:
  struct CountersDeleter {
    void operator()(WorkerCounters* c) const;
  };
  std::unique_ptr<WorkerCounters, CountersDeleter> counters_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<BurstResult> result_;
  std::vector<uint8_t> buffer_;
};

// "syn", "established", "closing", "udp", "other".
const char* flow_state_name(FlowState state);

}  // namespace sluice
