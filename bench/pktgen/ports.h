// SPDX-License-Identifier: BSD-3-Clause
// The DPDK ports of sluice-pktgen: the TX port and the RX port (possibly one) configured
// with one RX and one TX queue per traffic lcore, started, promiscuous. Main lcore only.
#pragma once

#include <rte_mempool.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::pktgen {

struct PortPools {
  std::vector<rte_mempool*> tx;  // one per queue: the frames the lcore builds
  std::vector<rte_mempool*> rx;  // one per queue: the RX rings' buffers
};

// Creates the pools (`mbufs` each) and sets up and starts `tx_port` and `rx_port` with
// `queues` queue pairs of `descriptors`; an error line ("port 1: ...") on failure.
std::string start_ports(uint16_t tx_port, uint16_t rx_port, uint16_t queues, uint32_t mbufs,
                        uint32_t descriptors, PortPools& pools);

// Writes `length` bytes of `frame` into every mbuf of `pool` where its data starts after an
// allocation, so that transmitting a frame only patches what varies (frame_template.h).
// The devices must not write into the frames they transmit (none of DPDK's does unless an
// offload that edits frames, such as VLAN insertion, is asked for; sluice-pktgen asks for none).
void prefill_frames(rte_mempool* pool, const uint8_t* frame, uint16_t length);

// Waits up to `seconds` for the TX port's link; false if it stayed down.
bool wait_for_link(uint16_t port, double seconds);

void stop_ports(uint16_t tx_port, uint16_t rx_port);

}  // namespace sluice::pktgen
