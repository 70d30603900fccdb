// SPDX-License-Identifier: BSD-3-Clause
// Lifecycle: the ports, the workers and the main lcore's loop.
#include "runtime/dataplane.h"

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf_dyn.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace sluice {

namespace {

constexpr unsigned kLearnedRingSize = 4096;
constexpr uint32_t kSolicitPeriodMs = 100;
constexpr uint32_t kPortSamplePeriodMs = 100;

uint32_t longest_timeout(const config::FlowTimeouts& t) {
  return std::max({t.tcp_syn_ms, t.tcp_established_ms, t.tcp_closing_ms, t.udp_ms, t.other_ms});
}

int worker_main(void* arg) { return static_cast<Worker*>(arg)->run(); }

}  // namespace

Dataplane::Dataplane(std::string config_path, config::Config config)
    : config_path_(std::move(config_path)),
      config_(std::move(config)),
      builder_(longest_timeout(config_.flow_timeouts)) {
  config::deactivate_vrrp_vips(config_);
}

Dataplane::~Dataplane() {
  for (EthPort& p : ports_) p.close();
  if (learned_) rte_ring_free(learned_);
}

uint32_t Dataplane::now_ms() const { return uint32_t(rte_get_tsc_cycles() / cycles_per_ms_); }

bool Dataplane::start() {
  cycles_per_ms_ = rte_get_tsc_hz() / 1000;
  const config::DataplaneSettings& d = config_.dataplane;
  uint32_t workers = uint32_t(d.worker_lcores.size());

  ports_.resize(config_.ports.size());
  for (size_t i = 0; i < config_.ports.size(); ++i) {
    std::string error;
    if (!ports_[i].open(config_.ports[i], workers, d.mbufs_per_port, d.rx_interrupts, uint16_t(i),
                        error)) {
      std::fprintf(stderr, "sluice-dataplane: %s\n", error.c_str());
      ports_.resize(i);
      return false;
    }
    std::printf("port %s: %s, dpdk port %u, %u queue pair(s), mac %s\n", ports_[i].name.c_str(),
                ports_[i].device.c_str(), ports_[i].port_id, ports_[i].queues,
                ports_[i].mac.to_string().c_str());
    if (ports_[i].tap_port_id)
      std::printf("port %s: exception path through TAP %s\n", ports_[i].name.c_str(),
                  config_.ports[i].tap_name.c_str());
    if (ports_[i].steering)
      std::printf("port %s: XDP steering program %s; other traffic stays the kernel's\n",
                  ports_[i].name.c_str(), STEERING_PROG_NAME);
    if (!ports_[i].handoff.empty())
      std::printf(
          "port %s: %u queue(s)%s for %u workers: each flow is handed to its worker%s\n",
          ports_[i].name.c_str(), ports_[i].queues, ports_[i].rss ? "" : " without RSS", workers,
          ports_[i].flow_workers.size() < workers ? " among those without a queue here" : "");
    else if (ports_[i].queues < workers)
      std::printf(
          "port %s: %u queue(s) for %u workers: the workers without one idle on it "
          "(flow_handoff = \"off\")\n",
          ports_[i].name.c_str(), ports_[i].queues, workers);
  }

  const rte_mbuf_dynfield decision_field{"sluice_fragment_decision", sizeof(uint32_t),
                                         alignof(uint32_t), 0};
  const int decision_offset = rte_mbuf_dynfield_register(&decision_field);
  if (decision_offset < 0) {
    std::fprintf(stderr, "sluice-dataplane: cannot register an mbuf field: %s\n",
                 rte_strerror(rte_errno));
    return false;
  }

  learned_ = rte_ring_create_elem("sluice_learned", sizeof(LearnedNeighbor), kLearnedRingSize,
                                  int(rte_socket_id()), RING_F_SC_DEQ);
  if (!learned_) {
    std::fprintf(stderr, "sluice-dataplane: cannot create the neighbor ring\n");
    return false;
  }
  publisher_ = std::make_unique<StatePublisher>(workers);
  control_ = std::make_unique<ControlServer>(
      d.control_socket, [this](const channel::Message& m) { return on_control(m); });
  if (std::string error; !control_->listen(error)) {
    std::fprintf(stderr, "sluice-dataplane: control_socket: %s\n", error.c_str());
    return false;
  }
  neighbors_.configure(StateBuilder::next_hops(config_), StateBuilder::static_neighbors(config_));
  if (std::string error; !rebuild("start", error)) return false;
  if (config_.sync.enable) {
    std::vector<uint16_t> owners;
    for (const EthPort& p : ports_)
      if (!p.handoff.empty() && owners.empty()) owners = p.flow_workers;
    sync_ = std::make_unique<FlowSync>(config_.sync, workers, std::move(owners));
    if (std::string error; !sync_->open(error)) {
      std::fprintf(stderr, "sluice-dataplane: %s\n", error.c_str());
      return false;
    }
    std::printf("flow sync: node %u on %s, %zu peer(s)\n", config_.sync.node_id,
                config_.sync.listen.to_string().c_str(), config_.sync.peers.size());
  }

  for (uint32_t w = 0; w < workers; ++w) {
    std::vector<WorkerPort> ports;
    for (uint16_t p = 0; p < ports_.size(); ++p) {
      const EthPort& eth = ports_[p];
      WorkerPort port;
      port.port_index = p;
      port.port_id = eth.port_id;
      port.max_frame_length = eth.max_frame_length;
      for (uint16_t q = 0; q < eth.queues; ++q)
        if (q % workers == w) port.rx_queues.push_back(q);
      if (!port.rx_queues.empty()) port.tx_queue = port.rx_queues.front();
      port.shared_tx = eth.shared_tx;
      port.drains_shared_tx = w == 0;
      port.to_host = eth.to_host;
      port.to_host_control = eth.to_host_control;
      const uint32_t host_limit = config_.ports[p].host_rate_limit.value_or(d.host_rate_limit);
      port.host_rate_limit = host_limit == 0 ? 0 : std::max(host_limit / workers, 1u);
      port.handoff = eth.handoff;
      port.flow_workers = eth.flow_workers;
      ports.push_back(std::move(port));
    }
    WorkerSettings s;
    s.thread_id = w;
    s.lcore = d.worker_lcores[w];
    s.numa_node = int(rte_lcore_to_socket_id(s.lcore));
    s.burst_size = uint16_t(d.burst_size);
    s.idle_sleep_us = d.idle_sleep_us;
    s.rx_interrupts = d.rx_interrupts;
    s.flow_capacity = d.flow_table_size;
    s.syn_admission_limit = d.syn_admission_limit;
    s.timeouts = config_.flow_timeouts;
    s.fragments = config_.fragments;
    s.nat = NatSetup{config_.nat.table_size, config_.nat.local_addresses, config_.nat.port_min,
                     config_.nat.port_max,   uint16_t(workers),           uint16_t(w)};
    s.decision_field = decision_offset;
    if (sync_) {
      const config::SyncSettings& sync = config_.sync;
      s.sync = SyncThreshold{true, uint8_t(sync.threshold_packets), sync.threshold_ms,
                             sync.refresh_interval_ms};
      s.sync_publish = sync_->publish_ring(w);
      s.sync_install = sync_->install_ring(w);
      s.sync_nat_install = sync_->nat_install_ring(w);
      s.sync_nat_reserve =
          uint32_t(uint64_t(config_.nat.table_size) * sync.table_reserve_percent / 100);
      s.sync_bulk = sync_->bulk_request(w);
      s.sync_reserve = FlowTable::bytes_for(d.flow_table_size) / FlowTable::bytes_per_entry() *
                       sync.table_reserve_percent / 100;
    }
    workers_.push_back(
        std::make_unique<Worker>(s, std::move(ports), *publisher_, learned_, stop_workers_));
  }
  load_ = std::make_unique<WorkerLoad[]>(workers);
  std::vector<FlowMailbox*> mailboxes;
  for (const std::unique_ptr<Worker>& w : workers_) mailboxes.push_back(&w->mailbox());
  mailboxes_ = std::make_unique<FlowMailboxes>(std::move(mailboxes));
  tracer_ = std::make_unique<PacketTracer>(config_.flow_timeouts);
  for (uint32_t w = 0; w < workers; ++w) {
    if (int rc = rte_eal_remote_launch(worker_main, workers_[w].get(), d.worker_lcores[w]); rc) {
      std::fprintf(stderr, "sluice-dataplane: cannot launch worker on lcore %u: %s\n",
                   d.worker_lcores[w], rte_strerror(-rc));
      stop_workers_ = true;
      rte_eal_mp_wait_lcore();
      return false;
    }
  }
  return true;
}

void Dataplane::run(const std::atomic<bool>& stop, std::atomic<bool>& reload) {
  uint32_t last_solicit = now_ms() - kSolicitPeriodMs;
  uint32_t last_sample = now_ms() - kPortSamplePeriodMs;
  uint32_t last_load = now_ms();
  bool any_tap = false;
  for (const EthPort& p : ports_) any_tap |= p.tap_port_id.has_value();
  while (!stop.load()) {
    uint32_t now = now_ms();
    if (reload.exchange(false)) reload_config();
    control_->poll();
    drain_learned(now);
    if (sync_) sync_->poll(rte_get_tsc_cycles() / cycles_per_ms_);
    announce(now);
    for (EthPort& p : ports_) p.exchange_with_host();
    if (now - last_solicit >= kSolicitPeriodMs) {
      solicit_neighbors(now);
      last_solicit = now;
    }
    if (now - last_sample >= kPortSamplePeriodMs) {
      for (EthPort& p : ports_) p.sample_counters();
      last_sample = now;
    }
    if (now - last_load >= kLoadWindowMs) {
      sample_load();
      last_load = now;
    }
    // Host traffic through a TAP wants a tighter loop than neighbor upkeep alone.
    usleep(any_tap ? 100 : 1000);
  }
  // What the main lcore queued (solicitations, announcements) leaves before the workers
  // stop; what still does not is counted.
  for (int waited_ms = 0; waited_ms < 100; ++waited_ms) {
    bool queued = false;
    for (const EthPort& p : ports_) queued |= p.shared_tx && !rte_ring_empty(p.shared_tx);
    if (!queued) break;
    usleep(1000);
  }
  stop_workers_ = true;
  rte_eal_mp_wait_lcore();
  for (EthPort& p : ports_) {
    p.drop_unsent();
    p.sample_counters();  // the exit summary's
  }
}

}  // namespace sluice
