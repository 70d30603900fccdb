// SPDX-License-Identifier: BSD-3-Clause
// Frames the kernel drops on the sockets of DPDK's af_packet and af_xdp PMDs before the
// PMD sees them, which DPDK 22.11 does not count: an af_packet ring that overflowed
// (PACKET_STATISTICS tp_drops) and an af_xdp RX ring that was full (XDP_STATISTICS
// rx_ring_full; its rx_dropped is already the PMD's imissed). The PMDs keep their socket
// descriptors to themselves, so they are found among the process's own (/proc/self/fd).
// Also the kernel's count of frames a TAP interface dropped. Main lcore only.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace sluice {

// The AF_PACKET sockets of this process bound to interface `ifindex`: DPDK's af_packet PMD
// opens one per queue pair when EAL probes the vdev and closes them when the port stops.
std::vector<int> packet_sockets(unsigned ifindex);

// Every AF_XDP socket of this process. They do not say their interface: DPDK's af_xdp PMD
// opens one per queue in rte_eth_rx_queue_setup, so a port's are those that appear then.
std::vector<int> xdp_sockets();

// The frames dropped on `sockets` since the previous call (reading PACKET_STATISTICS
// resets the kernel's count; DPDK 22.11's PMD never reads it).
uint64_t take_packet_drops(const std::vector<int>& sockets);

// The frames dropped on `sockets` since they opened: RX ring full, invalid descriptors.
uint64_t xdp_drops(const std::vector<int>& sockets);

// The frames the kernel could not send out of interface `ifname` (its tx drop count) in
// `proc_net_dev`, the text of /proc/self/net/dev (the process's own network namespace,
// unlike /sys); nullopt when the interface is not there. For a TAP: what the host sent
// while the queue to the process reading it was full.
std::optional<uint64_t> tx_dropped(std::string_view proc_net_dev, std::string_view ifname);

}  // namespace sluice
