// SPDX-License-Identifier: BSD-3-Clause
#include "runtime/kernel_drops.h"

#include <dirent.h>
#include <linux/if_packet.h>
#include <linux/if_xdp.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdlib>
#include <sstream>
#include <string>

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

namespace sluice {

namespace {

// The socket descriptors of this process of address family `family`.
std::vector<int> sockets_of(int family) {
  std::vector<int> found;
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return found;
  while (const dirent* entry = readdir(dir)) {
    char* end;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || end == entry->d_name || fd == dirfd(dir)) continue;
    struct stat st;
    int domain = 0;
    socklen_t length = sizeof domain;
    if (fstat(int(fd), &st) == 0 && S_ISSOCK(st.st_mode) &&
        getsockopt(int(fd), SOL_SOCKET, SO_DOMAIN, &domain, &length) == 0 && domain == family)
      found.push_back(int(fd));
  }
  closedir(dir);
  return found;
}

}  // namespace

std::vector<int> packet_sockets(unsigned ifindex) {
  std::vector<int> bound;
  for (int fd : sockets_of(AF_PACKET)) {
    sockaddr_ll address{};
    socklen_t length = sizeof address;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0 &&
        unsigned(address.sll_ifindex) == ifindex)
      bound.push_back(fd);
  }
  return bound;
}

std::vector<int> xdp_sockets() { return sockets_of(AF_XDP); }

uint64_t take_packet_drops(const std::vector<int>& sockets) {
  uint64_t drops = 0;
  for (int fd : sockets) {
    tpacket_stats stats{};
    socklen_t length = sizeof stats;
    if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &stats, &length) == 0)
      drops += stats.tp_drops;
  }
  return drops;
}

uint64_t xdp_drops(const std::vector<int>& sockets) {
  uint64_t drops = 0;
  for (int fd : sockets) {
    xdp_statistics stats{};
    socklen_t length = sizeof stats;
    if (getsockopt(fd, SOL_XDP, XDP_STATISTICS, &stats, &length) == 0)
      drops += stats.rx_ring_full + stats.rx_invalid_descs;
  }
  return drops;
}

std::optional<uint64_t> tx_dropped(std::string_view proc_net_dev, std::string_view ifname) {
  // "  name: rx bytes packets errs drop fifo frame compressed multicast, tx bytes packets
  // errs drop ..."
  constexpr int kTxDropField = 11;
  std::istringstream lines{std::string(proc_net_dev)};
  for (std::string line; std::getline(lines, line);) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const size_t start = line.find_first_not_of(' ');
    if (std::string_view(line).substr(start, colon - start) != ifname) continue;
    std::istringstream fields(line.substr(colon + 1));
    uint64_t value = 0;
    for (int i = 0; i <= kTxDropField; ++i)
      if (!(fields >> value)) return std::nullopt;
    return value;
  }
  return std::nullopt;
}

}  // namespace sluice
