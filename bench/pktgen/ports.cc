// SPDX-License-Identifier: BSD-3-Clause
#include "ports.h"

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <unistd.h>

#include <cstring>

namespace sluice::pktgen {
namespace {

constexpr unsigned kPoolCache = 256;

std::string port_error(uint16_t port, const std::string& what, int rc) {
  return "port " + std::to_string(port) + ": " + what + ": " + rte_strerror(rc < 0 ? -rc : rc);
}

std::string setup_port(uint16_t port, uint16_t queues, uint32_t descriptors,
                       const PortPools& pools) {
  if (!rte_eth_dev_is_valid_port(port))
    return "port " + std::to_string(port) + ": no such DPDK port (" +
           std::to_string(rte_eth_dev_count_avail()) + " available; see --vdev / -a)";
  rte_eth_dev_info info{};
  if (int rc = rte_eth_dev_info_get(port, &info); rc) return port_error(port, "info", rc);
  if (queues > info.max_tx_queues || queues > info.max_rx_queues)
    return "port " + std::to_string(port) + ": " + std::to_string(queues) +
           " queue pairs asked (one per traffic lcore), the device has " +
           std::to_string(info.max_rx_queues) + " RX and " + std::to_string(info.max_tx_queues) +
           " TX";
  rte_eth_conf conf{};
  if (queues > 1 && info.flow_type_rss_offloads) {
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_hf =
        (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
  }
  if (int rc = rte_eth_dev_configure(port, queues, queues, &conf); rc)
    return port_error(port, "configure", rc);
  uint16_t rxd = uint16_t(descriptors), txd = uint16_t(descriptors);
  if (int rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd); rc)
    return port_error(port, "descriptors", rc);
  const int socket = rte_eth_dev_socket_id(port);
  for (uint16_t q = 0; q < queues; ++q) {
    if (int rc = rte_eth_rx_queue_setup(port, q, rxd, unsigned(socket), nullptr, pools.rx[q]); rc)
      return port_error(port, "RX queue " + std::to_string(q), rc);
    if (int rc = rte_eth_tx_queue_setup(port, q, txd, unsigned(socket), nullptr); rc)
      return port_error(port, "TX queue " + std::to_string(q), rc);
  }
  if (int rc = rte_eth_dev_start(port); rc) return port_error(port, "start", rc);
  rte_eth_promiscuous_enable(port);
  return {};
}

}  // namespace

std::string start_ports(uint16_t tx_port, uint16_t rx_port, uint16_t queues, uint32_t mbufs,
                        uint32_t descriptors, PortPools& pools) {
  for (uint16_t q = 0; q < queues; ++q) {
    for (const char* direction : {"tx", "rx"}) {
      const std::string name = "pktgen_" + std::string(direction) + std::to_string(q);
      rte_mempool* pool = rte_pktmbuf_pool_create(name.c_str(), mbufs, kPoolCache, 0,
                                                  RTE_MBUF_DEFAULT_BUF_SIZE, int(rte_socket_id()));
      if (!pool)
        return "mempool " + name + " of " + std::to_string(mbufs) +
               " mbufs: " + rte_strerror(rte_errno) + " (more memory: -m, or fewer --mbufs)";
      (direction[0] == 't' ? pools.tx : pools.rx).push_back(pool);
    }
  }
  if (std::string e = setup_port(tx_port, queues, descriptors, pools); !e.empty()) return e;
  if (rx_port != tx_port)
    if (std::string e = setup_port(rx_port, queues, descriptors, pools); !e.empty()) return e;
  return {};
}

void prefill_frames(rte_mempool* pool, const uint8_t* frame, uint16_t length) {
  struct Frame {
    const uint8_t* bytes;
    uint16_t length;
  } f{frame, length};
  rte_mempool_obj_iter(
      pool,
      [](rte_mempool*, void* arg, void* object, unsigned) {
        const Frame& f = *static_cast<const Frame*>(arg);
        rte_mbuf* m = static_cast<rte_mbuf*>(object);
        std::memcpy(static_cast<uint8_t*>(m->buf_addr) + RTE_PKTMBUF_HEADROOM, f.bytes, f.length);
      },
      &f);
}

bool wait_for_link(uint16_t port, double seconds) {
  const uint64_t end = rte_get_tsc_cycles() + uint64_t(seconds * double(rte_get_tsc_hz()));
  for (;;) {
    rte_eth_link link{};
    if (rte_eth_link_get_nowait(port, &link) == 0 && link.link_status == RTE_ETH_LINK_UP)
      return true;
    if (rte_get_tsc_cycles() >= end) return false;
    usleep(10'000);
  }
}

void stop_ports(uint16_t tx_port, uint16_t rx_port) {
  rte_eth_dev_stop(tx_port);
  if (rx_port != tx_port) rte_eth_dev_stop(rx_port);
  rte_eth_dev_close(tx_port);
  if (rx_port != tx_port) rte_eth_dev_close(rx_port);
}

}  // namespace sluice::pktgen
