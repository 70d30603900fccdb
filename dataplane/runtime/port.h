// SPDX-License-Identifier: BSD-3-Clause
// One DPDK ethdev as configured by a [[port]] table: queues, mempool, MAC, and the ring
// through which the main lcore sends its own frames (ARP/ND solicitations) out of the port
// via the worker that owns TX queue 0. Set up and torn down by the main lcore.
#pragma once

#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <string>

#include "common/mac_address.h"
#include "config/config.h"

namespace sluice {

struct EthPort {
  std::string name;        // from the config
  std::string device;      // device string as configured
  uint16_t port_id = 0;    // DPDK port id
  uint16_t queues = 0;     // RX/TX queue pairs configured
  MacAddress mac;
  rte_mempool* pool = nullptr;
  rte_ring* control_tx = nullptr;  // main lcore -> worker owning queue 0

  // Finds, configures and starts the device. On failure returns false and sets `error`.
  bool open(const config::Port& cfg, uint32_t workers, uint32_t mbufs, uint16_t index,
            std::string& error);
  void close();
};

}  // namespace sluice
