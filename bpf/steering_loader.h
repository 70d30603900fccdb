// SPDX-License-Identifier: BSD-3-Clause
// SteeringProgram: owns one loaded copy of the XDP steering program (steering.bpf.c) for
// a dataplane port in af_xdp mode, and keeps its VIP map. No DPDK.
//
// Use (the dataplane's main lcore, when it opens an af_xdp port):
//   SteeringProgram steer({.max_queues = port_queues});
//   steer.replace_all(vips_of(snapshot));      // before attaching: no VIP is missed
//   steer.replace_addresses(vip_and_own_addresses);  // ARP/ND the dataplane answers
//   put each queue's AF_XDP socket fd into steer.xsk_map_fd() at its queue index
//   steer.attach(ifindex);
//   ... on every new snapshot: replace_all and replace_addresses again
//   steer.detach() or destruction: the interface goes back to the kernel alone.
//
// Not thread-safe: one thread calls it (the control side; never a worker). The BPF
// program reads the maps concurrently; each map update is atomic for it.
//
// Alternative for DPDK's af_xdp PMD, which makes its own sockets: pass
// xdp_prog=<build>/bpf/steering.bpf.o to the PMD (it fills the map named "xsks_map"),
// then manage VIPs with SteeringProgram::adopt(ifindex).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "steering.h"
#include "xdp_util.h"

struct steering_bpf;

namespace sluice::bpf {

// One VIP entry: packets to (address, protocol, port) go to the dataplane; port 0 means
// every port of the protocol.
struct SteeringVip {
  AddrBytes address{};   // IPv6, or IPv4-mapped IPv6 (::ffff:a.b.c.d)
  uint8_t protocol = 6;  // IPPROTO_*
  uint16_t port = 0;     // host byte order

  // nullopt when `address` is not an IPv4 or IPv6 address.
  static std::optional<SteeringVip> parse(std::string_view address, uint8_t protocol,
                                          uint16_t port);
  [[nodiscard]] steering_vip_key key() const;
  static SteeringVip from_key(const steering_vip_key& key);
  friend auto operator<=>(const SteeringVip&, const SteeringVip&) = default;
};

struct SteeringCounters {
  std::vector<sluice_counter> counters;  // STEER_NR_COUNTERS, indexed by steering_counter
  [[nodiscard]] uint64_t packets(steering_counter c) const { return counters.at(c).packets; }
};

// Writes the steering program's BPF object (built into this binary) to `path`, for a
// loader that takes a file, such as DPDK's af_xdp PMD (xdp_prog=). Throws BpfError.
void write_steering_object(const std::string& path);

class SteeringProgram {
 public:
  struct Options {
    uint32_t max_queues = STEERING_DEFAULT_MAX_QUEUES;  // xsks_map size: RX queues of the port
    uint32_t max_vips = STEERING_DEFAULT_MAX_VIPS;
    uint32_t max_addresses = STEERING_DEFAULT_MAX_ADDRS;
  };

  // Opens and loads the program. Throws BpfError (not root, no BPF, verifier).
  explicit SteeringProgram(const Options& options);
  SteeringProgram() : SteeringProgram(Options{}) {}
  // Uses the steering program already attached to `ifindex` (e.g. loaded by DPDK's
  // af_xdp PMD from steering.bpf.o): its maps, no ownership of the attachment.
  static SteeringProgram adopt(int ifindex);
  ~SteeringProgram();  // detaches if attached by this object
  SteeringProgram(SteeringProgram&&) noexcept;
  SteeringProgram& operator=(SteeringProgram&&) = delete;
  SteeringProgram(const SteeringProgram&) = delete;
  SteeringProgram& operator=(const SteeringProgram&) = delete;

  // Adds (or keeps) one VIP. Throws BpfError when the map is full.
  void add_vip(const SteeringVip& vip);
  // Removes one VIP; absent is fine.
  void remove_vip(const SteeringVip& vip);
  // Makes the VIP map exactly `vips`: adds the new entries first, then deletes the ones
  // not in `vips`, so a VIP present before and after is never missing in between.
  void replace_all(const std::vector<SteeringVip>& vips);
  // The VIPs in the map, sorted.
  [[nodiscard]] std::vector<SteeringVip> vips() const;

  // Makes the address map (ARP/ND the dataplane answers) exactly `addresses` (IPv6 or
  // IPv4-mapped), in the same add-then-delete order as replace_all.
  void replace_addresses(const std::vector<AddrBytes>& addresses);
  // The addresses in the map, sorted.
  [[nodiscard]] std::vector<AddrBytes> addresses() const;

  // The XSKMAP: key = RX queue index, value = AF_XDP socket fd (bpf_map_update_elem).
  [[nodiscard]] int xsk_map_fd() const { return xsk_map_fd_; }
  [[nodiscard]] int prog_fd() const { return prog_fd_; }

  // Detaches a steering program left on `ifindex` by a dataplane that did not exit
  // cleanly (SIGKILL, crash); true if there was one. Other programs stay.
  static bool detach_leftover(int ifindex);

  // Attaches to the interface (fails if another XDP program is there).
  void attach(int ifindex, XdpMode mode = XdpMode::kAuto);
  // Detaches what attach() attached; no-op otherwise.
  void detach();

  [[nodiscard]] SteeringCounters counters() const;

 private:
  SteeringProgram(UniqueFd prog, UniqueFd vips, UniqueFd addrs, UniqueFd xsks, UniqueFd stats);

  steering_bpf* skel_ = nullptr;  // null for adopted programs
  UniqueFd adopted_[5];           // prog, vips, addrs, xsks, stats of an adopted program
  int prog_fd_ = -1;
  int vips_fd_ = -1;
  int addrs_fd_ = -1;
  int xsk_map_fd_ = -1;
  int stats_fd_ = -1;
  int attached_ifindex_ = 0;
  XdpMode attached_mode_ = XdpMode::kAuto;
};

}  // namespace sluice::bpf
