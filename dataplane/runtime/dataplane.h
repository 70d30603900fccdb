// SPDX-License-Identifier: BSD-3-Clause
// The sluice-dataplane process after EAL init: opens the ports, launches the workers, and
// runs the main lcore's control loop (reload on SIGHUP, sluiced's channel, neighbor upkeep,
// VIP announcements, snapshot publication) until asked to stop.
//
// Threads. The main lcore owns the Dataplane: it constructs it, calls start(), run() and
// summary(), destroys it, and runs every private member (from run(), and the first
// rebuild from start()). The workers never call it: they use only what start() hands them
// (the StatePublisher, the learned-neighbor ring, the ports' rings, the stop flag) and
// write only their own counters. DPDK's telemetry thread reads it through the read-only
// view below and nothing else.
#pragma once

#include <rte_ring.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "channel/message.h"
#include "channel/stats.h"
#include "config/config.h"
#include "pipeline/loop_clock.h"
#include "runtime/control_server.h"
#include "runtime/flow_sync.h"
#include "runtime/port.h"
#include "runtime/state_publisher.h"
#include "runtime/worker.h"
#include "state/neighbor_cache.h"
#include "state/state_builder.h"
#include "trace/flow_question.h"
#include "trace/packet_tracer.h"

namespace sluice {

class Dataplane {
 public:
  Dataplane(std::string config_path, config::Config config);
  ~Dataplane();

  // Opens ports and launches workers; false with a message on stderr when it cannot.
  bool start();
  // The main lcore's loop; returns after stop was requested and workers have joined.
  void run(const std::atomic<bool>& stop, std::atomic<bool>& reload);
  // Counters summed over workers, as lines (the exit summary):
  //   <counter> <value>            drop_<reason> <value>
  //   vip <name> packets <n> bytes <n> new_flows <n>
  //   backend <vip> <address> packets <n> bytes <n> new_flows <n>
  // Main lcore only: it reads the exception path's frame counts.
  std::string summary() const;

  // The read-only view: any thread, once start() has returned (telemetry.cc reads it on
  // DPDK's telemetry thread). ports() and workers() no longer change; the counters they
  // lead to, and generation(), are read while their writers write them, unsynchronised.
  const std::vector<EthPort>& ports() const { return ports_; }
  const std::vector<std::unique_ptr<Worker>>& workers() const { return workers_; }
  uint64_t generation() const { return generation_.load(std::memory_order_relaxed); }
  // Sums over the workers: the events and drops, and the traffic of one VIP or backend id
  // (only the ids asked for are read, not the whole id space).
  struct CounterTotals {
    uint64_t events[kWorkerCounterCount] = {};
    uint64_t drops[kDropReasonCount] = {};
    uint64_t active_flows = 0;
  };
  CounterTotals sum_counters() const;
  // Every port's counters outside the workers, named for /sluice/stats, the exit summary and
  // sluiced: exception_<port>_to_host/_from_host (TAP), steering_<port>_<counter> (XDP),
  // port_<port>_<counter> (port_counters.h).
  std::vector<std::pair<std::string, uint64_t>> port_counters() const;
  // Flow sync's counters summed over the workers and the main lcore, as sync_<counter>;
  // empty when [sync] is not enabled.
  std::vector<std::pair<std::string, uint64_t>> sync_counters() const;
  // The main lcore's ARP/ND solicitations: sent, and put off by the rate cap.
  std::vector<std::pair<std::string, uint64_t>> neighbor_counters() const;
  TrafficCounters vip_traffic(uint32_t vip_id) const;
  uint64_t vip_syns_not_admitted(uint32_t vip_id) const;
  TrafficCounters backend_traffic(uint32_t backend_id) const;
  // A worker's busy share (pipeline/loop_clock.h) over the last whole window of
  // kLoadWindowMs, which the main lcore samples; 0 before the first.
  static constexpr uint32_t kLoadWindowMs = 1000;
  double busy_ratio(size_t worker) const {
    return load_[worker].ratio.load(std::memory_order_relaxed);
  }
  uint32_t now_ms() const;

  // The configuration, the neighbor cache and the counter ids, which the main lcore
  // changes: held still, under view_lock_, for as long as a LockedView lives.
  class LockedView {
   public:
    const config::Config& config() const { return dataplane_.config_; }
    const NeighborCache& neighbors() const { return dataplane_.neighbors_; }
    std::optional<uint32_t> vip_id(const VipKey& key) const {
      return dataplane_.builder_.vip_id(key);
    }
    std::optional<uint32_t> backend_id(const VipKey& key, const IpAddress& backend) const {
      return dataplane_.builder_.backend_id(key, backend);
    }

   private:
    friend class Dataplane;
    explicit LockedView(const Dataplane& dataplane)
        : dataplane_(dataplane), lock_(dataplane.view_lock_) {}
    const Dataplane& dataplane_;
    std::lock_guard<std::mutex> lock_;
  };
  LockedView lock_view() const { return LockedView(*this); }

 private:
  // state_rebuild.cc: a snapshot built from config_ and neighbors_ and published to the
  // workers; the file reloaded on SIGHUP. rebuild() is false when the builder refuses the
  // snapshot (over a limit, ids exhausted): nothing is published, the reason is in `error`.
  bool rebuild(const char* why, std::string& error);
  // The published snapshot again with the neighbor cache's next hops: a neighbour learnt
  // or forgotten changes nothing else.
  void republish_neighbors(const char* why);
  // Makes `next` the running config if its snapshot can be published; otherwise config_,
  // the neighbor cache and the published snapshot stay as they were.
  bool apply(config::Config next, const char* why, std::string& error);
  void reload_config();
  // Ports with exception_path = "xdp": their steering maps follow the published state.
  void sync_steering();

  // control_messages.cc: sluiced's messages, answered from control_->poll().
  ControlServer::Answer on_control(const channel::Message& message);
  // flow_questions.cc: kTrace and kConns, answered once the workers have answered.
  ControlServer::Answer on_trace(const std::string& payload);
  ControlServer::Answer on_conns(const std::string& payload);
  TracePort trace_port(uint16_t index) const;
  // counters.cc: summary()'s counters, for the kStats answer.
  channel::Stats channel_stats() const;
  // counters.cc: ends one load window of every worker and begins the next.
  void sample_load();

  // neighbor_upkeep.cc: bindings the workers learnt; solicitations of the next hops that
  // are unresolved or due a refresh; expiry.
  void drain_learned(uint32_t now_ms);
  void solicit_neighbors(uint32_t now_ms);

  // vip_announcements.cc: gratuitous ARP / unsolicited NA bursts for VIPs that became
  // active (or that sluiced asked to re-announce), sent by announce() from the main loop.
  void schedule_announcement(const IpAddress& address, uint32_t rounds, uint32_t now_ms);
  void schedule_new_vips(uint32_t now_ms);
  void announce(uint32_t now_ms);

  std::string config_path_;
  config::Config config_;
  std::vector<EthPort> ports_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<StatePublisher> publisher_;
  StateBuilder builder_;
  NeighborCache neighbors_;
  rte_ring* learned_ = nullptr;
  std::unique_ptr<ControlServer> control_;
  std::unique_ptr<FlowSync> sync_;  // [sync] enabled
  // Questions about the workers' flow tables, and the tracer that explains a frame.
  std::unique_ptr<FlowMailboxes> mailboxes_;
  std::unique_ptr<PacketTracer> tracer_;
  bool managed_ = false;  // sluiced has sent the VIPs: SIGHUP no longer replaces them
  struct Announcement {
    IpAddress address;
    uint32_t remaining;
    uint32_t next_ms;
  };
  std::vector<Announcement> announcements_;
  std::set<IpAddress> announced_;  // active VIP addresses as of the last snapshot
  std::atomic<bool> stop_workers_{false};
  std::atomic<uint64_t> generation_ = 0;  // written by the main lcore, read by telemetry
  uint64_t cycles_per_ms_ = 1;

  struct WorkerLoad {
    LoopCycles window_start;        // the main lcore's
    std::atomic<double> ratio = 0;  // any thread reads it
  };
  std::unique_ptr<WorkerLoad[]> load_;  // by worker

  // Once start() has returned, the main lcore changes config_, neighbors_ and builder_'s ids
  // only under it, and other threads read them only under it (LockedView); summary() takes
  // it too. The main lcore's own reads need none.
  mutable std::mutex view_lock_;
};

}  // namespace sluice
