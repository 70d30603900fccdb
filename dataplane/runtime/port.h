// SPDX-License-Identifier: BSD-3-Clause
// One DPDK ethdev as configured by a [[port]] table: queues, mempool, MAC, and the ring
// through which the main lcore sends its own frames (ARP/ND solicitations) out of the port
// via the worker that owns TX queue 0; its exception path (TAP device, or the XDP
// steering program of an af_xdp port). Set up and torn down by the main lcore.
#pragma once

#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <memory>
#include <optional>
#include <string>

#include "common/mac_address.h"
#include "config/config.h"
#include "state/steering_entries.h"
#include "steering_loader.h"

namespace sluice {

struct EthPort {
  std::string name;        // from the config
  std::string device;      // device string as configured
  uint16_t port_id = 0;    // DPDK port id
  uint16_t queues = 0;     // RX/TX queue pairs configured
  MacAddress mac;
  rte_mempool* pool = nullptr;
  rte_ring* control_tx = nullptr;  // main lcore -> worker owning queue 0
  // Exception path (when configured): frames for the host go from the workers through
  // to_host to the main lcore, which writes them to the TAP device; what the kernel
  // writes there goes out of this port through control_tx.
  std::optional<uint16_t> tap_port_id;
  rte_ring* to_host = nullptr;
  uint64_t frames_to_host = 0;    // main lcore only
  uint64_t frames_from_host = 0;
  // exception_path = "xdp": the steering program DPDK's af_xdp PMD attached to the
  // interface (it also detaches it when the port closes); its maps are ours to fill.
  std::unique_ptr<bpf::SteeringProgram> steering;

  // Finds, configures and starts the device. On failure returns false and sets `error`.
  bool open(const config::Port& cfg, uint32_t workers, uint32_t mbufs, uint16_t index,
            std::string& error);
  // Main lcore: moves frames between the workers, the TAP device and the port.
  void exchange_with_host();
  // Makes the steering program's maps say `entries`; false with `error` on failure.
  bool steer(const SteeringEntries& entries, std::string& error);
  void close();

 private:
  bool open_tap(const config::Port& cfg, uint16_t index, int socket, std::string& error);
  bool adopt_steering(std::string& error);
};

// Before EAL starts, for the ports with exception_path = "xdp": removes a steering program
// a killed dataplane left on their interfaces and writes the program's object for the PMD
// to `object_path` (empty when no port needs it). False with `error` on failure.
bool prepare_xdp_steering(const config::Config& config, std::string& object_path,
                          std::string& error);

}  // namespace sluice
