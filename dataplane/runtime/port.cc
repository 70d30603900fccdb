// SPDX-License-Identifier: BSD-3-Clause
#include "runtime/port.h"

#include <net/if.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "runtime/eal_args.h"
#include "runtime/kernel_drops.h"
#include "state/forwarding_state.h"

namespace sluice {

namespace {
constexpr uint16_t kRxDescriptors = 1024;
constexpr uint16_t kTxDescriptors = 1024;
constexpr unsigned kControlRingSize = 1024;
// Each holds up to eight bursts of 512 from every other worker.
constexpr unsigned kHandoffRingSize = 4096;
// The PMD loads the steering object with its default map sizes: every VIP's service and
// echo entry, and every VIP address plus the ports' own, must fit.
static_assert(2 * config::kMaxVips <= STEERING_DEFAULT_MAX_VIPS);
static_assert(config::kMaxVips + 1024 <= STEERING_DEFAULT_MAX_ADDRS);

// What a frame carries besides its IP packet: Ethernet and one VLAN header.
constexpr uint32_t kL2Overhead = RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN;

// The largest MTU `info`'s device takes, worked out as rte_eth_dev_configure checks it.
uint32_t largest_mtu(const rte_eth_dev_info& info) {
  const uint32_t overhead = info.max_mtu != UINT16_MAX && info.max_rx_pktlen > info.max_mtu
                                ? info.max_rx_pktlen - info.max_mtu
                                : RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;
  return info.max_rx_pktlen > overhead
             ? std::min<uint32_t>(info.max_mtu, info.max_rx_pktlen - overhead)
             : 0;
}

// Frees the mbufs still in `ring` (null or not), then the ring.
void free_ring(rte_ring*& ring) {
  if (!ring) return;
  void* m;
  while (rte_ring_dequeue(ring, &m) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
  rte_ring_free(ring);
  ring = nullptr;
}
}  // namespace

bool prepare_xdp_steering(const config::Config& config, std::string& object_path,
                          std::string& error) {
  object_path.clear();
  try {
    for (const config::Port& p : config.ports) {
      if (p.exception_path != config::ExceptionPath::kXdp) continue;
      object_path = steering_object_path(config.dataplane);
      const std::string iface = vdev_argument(p.device, "iface").value_or("");
      if (bpf::SteeringProgram::detach_leftover(bpf::ifindex_of(iface)))
        std::printf("port %s: removed the steering program a previous run left on %s\n",
                    p.name.c_str(), iface.c_str());
    }
    if (!object_path.empty()) {
      std::filesystem::create_directories(std::filesystem::path(object_path).parent_path());
      bpf::write_steering_object(object_path);
    }
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }
  return true;
}

bool EthPort::open(const config::Port& cfg, uint32_t workers, uint32_t mbufs, bool rx_interrupts,
                   uint16_t index, std::string& error) {
  name = cfg.name;
  device = cfg.device;
  std::string dev_name = ethdev_name(cfg.device);
  if (rte_eth_dev_get_port_by_name(dev_name.c_str(), &port_id) != 0) {
    error = "port '" + name + "': no DPDK device named '" + dev_name +
            "' (is the NIC bound to vfio-pci, or the vdev string right?)";
    return false;
  }
  rte_eth_dev_info info;
  if (int rc = rte_eth_dev_info_get(port_id, &info); rc != 0) {
    error = "port '" + name + "': cannot read device info: " + rte_strerror(-rc);
    return false;
  }
  uint16_t wanted = cfg.queues ? cfg.queues : uint16_t(workers);
  queues = std::min<uint16_t>({wanted, info.max_rx_queues, info.max_tx_queues});
  if (queues == 0) queues = 1;

  mtu = cfg.mtu;
  max_frame_length = mtu + kL2Overhead;
  if (mtu < info.min_mtu || mtu > largest_mtu(info)) {
    error = "port '" + name + "': " + dev_name + " (" +
            (info.driver_name ? info.driver_name : "?") + ") does not take mtu " +
            std::to_string(mtu) + "; allowed: " + std::to_string(info.min_mtu) + ".." +
            std::to_string(largest_mtu(info));
    return false;
  }

  rte_eth_conf conf{};
  conf.rxmode.mtu = mtu;
  const bool hash_offload = queues > 1 && info.flow_type_rss_offloads;
  // af_xdp's queues are NIC channels, which the NIC's own RSS fills by flow.
  rss = hash_offload ||
        (queues > 1 && info.driver_name && std::string_view(info.driver_name) == "net_af_xdp");
  if (hash_offload) {
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_hf =
        (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
  }
  conf.intr_conf.rxq = rx_interrupts;
  int rc = rte_eth_dev_configure(port_id, queues, queues, &conf);
  if (rc != 0 && rx_interrupts) {
    std::printf("port %s: no RX interrupts (%s); its workers idle without them\n", name.c_str(),
                rte_strerror(-rc));
    conf.intr_conf.rxq = 0;
    rc = rte_eth_dev_configure(port_id, queues, queues, &conf);
  }
  if (rc != 0) {
    error = "port '" + name + "': configure failed (mtu " + std::to_string(mtu) +
            "): " + rte_strerror(-rc);
    return false;
  }
  uint16_t rxd = kRxDescriptors, txd = kTxDescriptors;
  rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &rxd, &txd);

  int socket = rte_eth_dev_socket_id(port_id);
  if (socket < 0) socket = int(rte_socket_id());
  // One segment per frame (the pipeline drops multi-segment mbufs), and room for the CRC
  // that some devices write into the buffer.
  const uint32_t data_room = std::max<uint32_t>(
      RTE_MBUF_DEFAULT_BUF_SIZE, RTE_PKTMBUF_HEADROOM + max_frame_length + RTE_ETHER_CRC_LEN);
  std::string pool_name = "mbuf_" + std::to_string(index);
  pool = rte_pktmbuf_pool_create(pool_name.c_str(), mbufs, 256, 0, uint16_t(data_room), socket);
  if (!pool) {
    error = "port '" + name + "': cannot allocate " + std::to_string(mbufs) + " mbufs of " +
            std::to_string(data_room) + " bytes: " + rte_strerror(rte_errno) +
            " (raise memory_mb or lower mbufs_per_port)";
    return false;
  }
  const std::vector<int> xdp_before = xdp_sockets();
  for (uint16_t q = 0; q < queues; ++q) {
    if (int rc = rte_eth_rx_queue_setup(port_id, q, rxd, unsigned(socket), nullptr, pool); rc) {
      error = "port '" + name + "': RX queue " + std::to_string(q) + ": " + rte_strerror(-rc);
      return false;
    }
    if (int rc = rte_eth_tx_queue_setup(port_id, q, txd, unsigned(socket), nullptr); rc) {
      error = "port '" + name + "': TX queue " + std::to_string(q) + ": " + rte_strerror(-rc);
      return false;
    }
  }
  for (int fd : xdp_sockets())
    if (std::find(xdp_before.begin(), xdp_before.end(), fd) == xdp_before.end())
      xdp_sockets_.push_back(fd);
  if (info.if_index && info.driver_name && std::string_view(info.driver_name) == "net_af_packet")
    packet_sockets_ = packet_sockets(info.if_index);
  // Devices whose MTU is another's (af_packet, tap: the kernel interface's) set it here;
  // the others took it from rxmode.
  if (int rc = rte_eth_dev_set_mtu(port_id, mtu); rc != 0 && rc != -ENOTSUP) {
    error = "port '" + name + "': cannot set mtu " + std::to_string(mtu) + ": " + rte_strerror(-rc);
    return false;
  }
  if (cfg.mac) {
    // Devices that cannot change their MAC (pcap, some vdevs) still work: the port is
    // promiscuous and sluice writes the configured MAC into every frame it sends.
    rte_ether_addr addr;
    std::memcpy(addr.addr_bytes, cfg.mac->bytes.data(), 6);
    if (int rc = rte_eth_dev_default_mac_addr_set(port_id, &addr); rc != 0 && rc != -ENOTSUP) {
      error =
          "port '" + name + "': cannot set MAC " + cfg.mac->to_string() + ": " + rte_strerror(-rc);
      return false;
    }
  }
  if (int rc = rte_eth_dev_start(port_id); rc != 0) {
    error = "port '" + name + "': start failed: " + rte_strerror(-rc);
    return false;
  }
  // VIP traffic arrives for our MAC, but neighbor discovery uses multicast and a VRRP
  // virtual MAC is not the port's own: listen to everything and filter by address.
  rte_eth_promiscuous_enable(port_id);
  rte_eth_allmulticast_enable(port_id);

  if (cfg.mac) {
    mac = *cfg.mac;
  } else {
    rte_ether_addr addr;
    rte_eth_macaddr_get(port_id, &addr);
    std::memcpy(mac.bytes.data(), addr.addr_bytes, 6);
  }

  const bool split = queues > 1 && !rss;  // a flow's packets may reach several workers
  const bool hand_off =
      workers > 1 && cfg.flow_handoff == config::FlowHandoff::kAuto && (split || queues < workers);
  std::string ring_name = "shared_tx_" + std::to_string(index);
  shared_tx = rte_ring_create(ring_name.c_str(), hand_off ? kHandoffRingSize : kControlRingSize,
                              socket, RING_F_SC_DEQ);
  if (!shared_tx) {
    error = "port '" + name + "': cannot create its shared TX ring";
    return false;
  }
  if (hand_off) {
    // With fewer queues than workers the receiving workers own no flows: they already
    // receive and send for everyone.
    for (uint32_t w = queues < workers ? queues : 0; w < workers; ++w)
      flow_workers.push_back(uint16_t(w));
  }
  for (uint32_t w = 0; hand_off && w < workers; ++w) {
    ring_name = "handoff_" + std::to_string(index) + "_" + std::to_string(w);
    // With one queue and one worker owning flows, the receiving worker is the only one
    // handing frames over; with more, owners of flows hand first fragments to the owners
    // of their datagrams too.
    const unsigned producers = queues == 1 && workers == 2 ? RING_F_SP_ENQ : 0;
    handoff.push_back(
        rte_ring_create(ring_name.c_str(), kHandoffRingSize, socket, RING_F_SC_DEQ | producers));
    if (!handoff.back()) {
      error =
          "port '" + name + "': cannot create its flow handoff rings: " + rte_strerror(rte_errno);
      return false;
    }
  }
  if (cfg.exception_path == config::ExceptionPath::kTap) return open_tap(cfg, index, socket, error);
  if (cfg.exception_path == config::ExceptionPath::kXdp) return adopt_steering(error);
  return true;
}

bool EthPort::open_tap(const config::Port& cfg, uint16_t index, int socket, std::string& error) {
  uint16_t id;
  std::string dev = tap_device_name(index);
  if (rte_eth_dev_get_port_by_name(dev.c_str(), &id) != 0) {
    error = "port '" + name + "': the exception-path TAP device was not created";
    return false;
  }
  rte_eth_conf conf{};
  conf.rxmode.mtu = mtu;  // the host's frames are as long as the port's
  uint16_t rxd = 512, txd = 512;
  if (int rc = rte_eth_dev_configure(id, 1, 1, &conf);
      rc != 0 || rte_eth_rx_queue_setup(id, 0, rxd, unsigned(socket), nullptr, pool) != 0 ||
      rte_eth_tx_queue_setup(id, 0, txd, unsigned(socket), nullptr) != 0) {
    error = "port '" + name + "': cannot set up TAP " + cfg.tap_name;
    return false;
  }
  if (int rc = rte_eth_dev_set_mtu(id, mtu); rc != 0 && rc != -ENOTSUP) {
    error = "port '" + name + "': cannot set mtu " + std::to_string(mtu) + " on TAP " +
            cfg.tap_name + ": " + rte_strerror(-rc);
    return false;
  }
  // The kernel side answers with the port's MAC, so replies need no rewriting.
  rte_ether_addr addr;
  std::memcpy(addr.addr_bytes, mac.bytes.data(), 6);
  rte_eth_dev_default_mac_addr_set(id, &addr);
  if (rte_eth_dev_start(id) != 0) {
    error = "port '" + name + "': cannot start TAP " + cfg.tap_name;
    return false;
  }
  std::string ring_name = "to_host_" + std::to_string(index);
  to_host = rte_ring_create(ring_name.c_str(), kControlRingSize, socket, RING_F_SC_DEQ);
  ring_name = "to_host_control_" + std::to_string(index);
  to_host_control = rte_ring_create(ring_name.c_str(), kControlRingSize, socket, RING_F_SC_DEQ);
  if (!to_host || !to_host_control) {
    error = "port '" + name + "': cannot create its exception ring";
    return false;
  }
  tap_port_id = id;
  tap_name_ = cfg.tap_name;
  return true;
}

bool EthPort::adopt_steering(std::string& error) {
  const std::optional<std::string> iface = vdev_argument(device, "iface");
  const unsigned ifindex = iface ? if_nametoindex(iface->c_str()) : 0;
  if (ifindex == 0) {
    error = "port '" + name + "': no interface '" + iface.value_or("") + "' for the XDP steering";
    return false;
  }
  try {
    steering = std::make_unique<bpf::SteeringProgram>(bpf::SteeringProgram::adopt(int(ifindex)));
  } catch (const bpf::BpfError& e) {
    error = "port '" + name + "': the af_xdp PMD did not attach the steering program: " + e.what();
    return false;
  }
  return true;
}

bool EthPort::steer(const SteeringEntries& entries, std::string& error) {
  if (!steering) return true;
  std::vector<bpf::SteeringVip> vips;
  for (const SteeredService& s : entries.services)
    vips.push_back(bpf::SteeringVip{s.address.bytes, s.protocol, s.port});
  std::vector<bpf::AddrBytes> addresses;
  for (const IpAddress& a : entries.addresses) addresses.push_back(a.bytes);
  try {
    steering->replace_all(vips);
    steering->replace_addresses(addresses);
  } catch (const bpf::BpfError& e) {
    error = "port '" + name + "': steering maps not updated: " + e.what();
    return false;
  }
  return true;
}

unsigned EthPort::write_to_tap(rte_ring* ring) {
  rte_mbuf* mbufs[32];
  unsigned n = rte_ring_dequeue_burst(ring, reinterpret_cast<void**>(mbufs), 32, nullptr);
  if (n) {
    uint16_t sent = rte_eth_tx_burst(*tap_port_id, 0, mbufs, uint16_t(n));
    frames_to_host += sent;
    if (sent < n) {
      to_host_not_taken_ += n - sent;
      rte_pktmbuf_free_bulk(mbufs + sent, n - sent);
    }
  }
  return n;
}

void EthPort::exchange_with_host() {
  if (!tap_port_id) return;
  // The whole control lane (a ring holds 32 bursts at most), then one burst of the rest.
  for (int bursts = 0; bursts < 32; ++bursts)
    if (write_to_tap(to_host_control) < 32) break;
  write_to_tap(to_host);
  rte_mbuf* mbufs[32];
  uint16_t got = rte_eth_rx_burst(*tap_port_id, 0, mbufs, 32);
  unsigned queued =
      got ? rte_ring_enqueue_burst(shared_tx, reinterpret_cast<void**>(mbufs), got, nullptr) : 0;
  frames_from_host += queued;
  if (queued < got) {
    from_host_ring_full_ += got - queued;
    rte_pktmbuf_free_bulk(mbufs + queued, got - queued);
  }
}

void EthPort::sample_counters() {
  rte_eth_stats stats;
  if (rte_eth_stats_get(port_id, &stats) == 0) {
    counters[PortCounter::rx_missed] = stats.imissed;
    counters[PortCounter::rx_errors] = stats.ierrors;
    counters[PortCounter::rx_nombuf] = stats.rx_nombuf;
    counters[PortCounter::tx_errors] = stats.oerrors;
  }
  if (!packet_sockets_.empty())
    counters[PortCounter::kernel_drops] += take_packet_drops(packet_sockets_);
  if (!xdp_sockets_.empty()) counters[PortCounter::kernel_drops] = xdp_drops(xdp_sockets_);
  if (!tap_port_id) return;
  uint64_t tap_lost_out = 0, tap_lost_in = 0;
  if (rte_eth_stats_get(*tap_port_id, &stats) == 0) {
    tap_lost_out = stats.oerrors;
    tap_lost_in = stats.imissed + stats.ierrors + stats.rx_nombuf;
  }
  std::ifstream file("/proc/self/net/dev");
  std::stringstream net_dev;
  net_dev << file.rdbuf();
  const uint64_t kernel_queue_full = tx_dropped(net_dev.str(), tap_name_).value_or(0);
  counters[PortCounter::to_host_dropped] = to_host_not_taken_ + tap_lost_out;
  counters[PortCounter::from_host_dropped] = from_host_ring_full_ + tap_lost_in + kernel_queue_full;
}

void EthPort::send_control_frame(const uint8_t* frame, uint32_t length) {
  rte_mbuf* m = rte_pktmbuf_alloc(pool);
  if (!m) {
    ++counters[PortCounter::control_nombuf];
    return;
  }
  uint8_t* data = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, uint16_t(length)));
  if (!data) {  // never: the frames are ARP/ND sized
    rte_pktmbuf_free(m);
    return;
  }
  std::memcpy(data, frame, length);
  if (rte_ring_enqueue(shared_tx, m) != 0) {
    ++counters[PortCounter::control_ring_full];
    rte_pktmbuf_free(m);
  }
}

void EthPort::drop_unsent() {
  if (!shared_tx) return;
  void* m = nullptr;
  while (rte_ring_dequeue(shared_tx, &m) == 0) {
    rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
    ++counters[PortCounter::unsent_at_exit];
  }
}

void EthPort::close() {
  // Stopping closes an af_packet device's sockets: nothing to read after this.
  packet_sockets_.clear();
  xdp_sockets_.clear();
  steering.reset();
  free_ring(to_host);
  free_ring(to_host_control);
  if (tap_port_id) {
    rte_eth_dev_stop(*tap_port_id);
    rte_eth_dev_close(*tap_port_id);
  }
  for (rte_ring*& ring : handoff) free_ring(ring);
  handoff.clear();
  free_ring(shared_tx);
  rte_eth_dev_stop(port_id);
  rte_eth_dev_close(port_id);
}

}  // namespace sluice
