// SPDX-License-Identifier: BSD-3-Clause
// One DPDK ethdev as configured by a [[port]] table: queues, mempool, MAC; the ring through
// which lcores without a TX queue of their own send frames out of the port, via the worker
// that owns queue 0; the flow handoff rings when the device cannot keep a flow on one
// worker; its exception path (TAP device, or the XDP steering program of an af_xdp port).
// Set up and torn down by the main lcore.
#pragma once

#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "net/mac_address.h"
#include "runtime/port_counters.h"
#include "state/steering_entries.h"
#include "steering_loader.h"

namespace sluice {

struct EthPort {
  std::string name;      // from the config
  std::string device;    // device string as configured
  uint16_t port_id = 0;  // DPDK port id
  uint16_t queues = 0;   // RX/TX queue pairs configured
  // The device spreads flows over its queues by hash (or, under af_xdp, the NIC does).
  bool rss = false;
  MacAddress mac;
  uint16_t mtu = 0;               // the device's, as configured
  uint32_t max_frame_length = 0;  // mtu + Ethernet and VLAN headers
  rte_mempool* pool = nullptr;    // its mbufs hold max_frame_length in one segment
  // Frames for this port from the main lcore (ARP/ND solicitations, announcements, the
  // TAP's) and from workers without a TX queue on it; the worker owning queue 0 sends them.
  rte_ring* shared_tx = nullptr;
  // When flow_handoff applies (config::FlowHandoff): a worker hands each frame it receives
  // to the owner of its flow (pipeline/flow_owner.h) through handoff[owner]. Empty when
  // the device keeps each flow on one queue and worker, or is left to.
  std::vector<rte_ring*> handoff;
  // The workers that own this port's flows when it hands off: all of them, or with fewer
  // queues than workers those without a queue (the receiving ones send for everyone).
  std::vector<uint16_t> flow_workers;
  // Exception path (when configured): frames for the host go from the workers through
  // to_host_control (control traffic, pipeline/host_lane.h) and to_host (the rest) to the
  // main lcore, which writes them to the TAP device, the control lane's first; what the
  // kernel writes there goes out of this port through shared_tx.
  std::optional<uint16_t> tap_port_id;
  rte_ring* to_host = nullptr;
  rte_ring* to_host_control = nullptr;
  uint64_t frames_to_host = 0;  // main lcore only
  uint64_t frames_from_host = 0;
  // Where this port loses frames outside the workers; the main lcore writes them, other
  // threads read them unsynchronised (torn-free, maybe stale).
  PortCounters counters;
  // exception_path = "xdp": the steering program DPDK's af_xdp PMD attached to the
  // interface (it also detaches it when the port closes); its maps are ours to fill.
  std::unique_ptr<bpf::SteeringProgram> steering;

  // Finds, configures and starts the device. On failure returns false and sets `error`.
  // With rx_interrupts the queues are set up to raise RX interrupts where the device can.
  bool open(const config::Port& cfg, uint32_t workers, uint32_t mbufs, bool rx_interrupts,
            uint16_t index, std::string& error);
  // Main lcore: moves frames between the workers, the TAP device and the port.
  void exchange_with_host();
  // Main lcore: sends a frame it built (a solicitation, an announcement) through shared_tx;
  // drops and counts it when no mbuf is free or the ring is full.
  void send_control_frame(const uint8_t* frame, uint32_t length);
  // Main lcore, once the workers have stopped: frees what is left in shared_tx, counted.
  void drop_unsent();
  // Main lcore, periodically and once the workers have stopped: reads the device's, the
  // kernel's and the TAP's drop counts into `counters`.
  void sample_counters();
  // Makes the steering program's maps say `entries`; false with `error` on failure.
  bool steer(const SteeringEntries& entries, std::string& error);
  void close();

 private:
  bool open_tap(const config::Port& cfg, uint16_t index, int socket, std::string& error);
  bool adopt_steering(std::string& error);
  // Writes up to a burst from `ring` to the TAP device; how many it took from the ring.
  unsigned write_to_tap(rte_ring* ring);

  // The kernel sockets of an af_packet or af_xdp device (kernel_drops.h), valid until close.
  std::vector<int> packet_sockets_;
  std::vector<int> xdp_sockets_;
  std::string tap_name_;  // the TAP's kernel interface
  // Summed into to_host_dropped and from_host_dropped with the TAP's own counts.
  uint64_t to_host_not_taken_ = 0;
  uint64_t from_host_ring_full_ = 0;
};

// Before EAL starts, for the ports with exception_path = "xdp": removes a steering program
// a killed dataplane left on their interfaces and writes the program's object for the PMD
// to `object_path` (empty when no port needs it). False with `error` on failure.
bool prepare_xdp_steering(const config::Config& config, std::string& object_path,
                          std::string& error);

}  // namespace sluice
