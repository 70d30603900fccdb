// SPDX-License-Identifier: BSD-3-Clause
// One worker's share of the fullnat local ports: for each [nat] local address, the ports p
// of [port_min, port_max] with p mod workers == self, so that any worker can tell from a
// backend's answer which worker holds its connection (local_port_owner()).
//
// Ports are handed out oldest-freed first (a FIFO per address): a port comes back into use
// as late as possible, after the backend has let go of the previous connection on it
// (TIME_WAIT). Owned and called by one worker lcore; memory is allocated in the
// constructor only.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace sluice {

// The worker (by index among all workers) whose connections use local port `port`.
inline uint16_t local_port_owner(uint16_t port, uint16_t workers) {
  return workers ? uint16_t(port % workers) : 0;
}

class LocalPorts {
 public:
  LocalPorts() = default;
  // addresses: how many local addresses; workers >= 1, self < workers.
  LocalPorts(uint32_t addresses, uint16_t port_min, uint16_t port_max, uint16_t workers,
             uint16_t self);

  // A free port of local address `address`, now taken; nullopt when none is left.
  std::optional<uint16_t> take(uint32_t address) {
    Pool& p = pools_[address];
    if (p.count == 0) return std::nullopt;
    const uint16_t port = p.ring[p.head];
    p.slot[share_index(port)] = kTaken;
    p.head = p.head + 1 == p.ring.size() ? 0 : p.head + 1;
    --p.count;
    return port;
  }
  // Takes port `port` of local address `address` (a connection a peer published, with its
  // port): false when it is not of this worker's share or is taken. It leaves the free
  // ports in their order but for the oldest, which takes its place.
  bool claim(uint32_t address, uint16_t port);
  // Gives back a port take() or claim() handed out.
  void give_back(uint32_t address, uint16_t port) {
    Pool& p = pools_[address];
    uint32_t tail = p.head + p.count;
    if (tail >= p.ring.size()) tail -= uint32_t(p.ring.size());
    p.ring[tail] = port;
    p.slot[share_index(port)] = tail;
    ++p.count;
  }

  uint32_t free_ports(uint32_t address) const { return pools_[address].count; }
  uint32_t ports_per_address() const {
    return pools_.empty() ? 0 : uint32_t(pools_[0].ring.size());
  }
  uint32_t addresses() const { return uint32_t(pools_.size()); }

 private:
  static constexpr uint32_t kTaken = 0xffffffffu;

  struct Pool {
    std::vector<uint16_t> ring;  // free ports from head, count of them, wrapping
    std::vector<uint32_t> slot;  // by share_index(): where a free port is in ring, or kTaken
    uint32_t head = 0;
    uint32_t count = 0;
  };
  // A port of this worker's share numbered from 0 (its share is every workers-th port).
  uint32_t share_index(uint16_t port) const { return uint32_t(port - first_) / workers_; }

  std::vector<Pool> pools_;
  uint16_t first_ = 0;  // the lowest port of the share
  uint16_t last_ = 0;   // the highest
  uint16_t workers_ = 1;
};

}  // namespace sluice
