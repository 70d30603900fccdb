// SPDX-License-Identifier: BSD-3-Clause
// User-space helpers shared by the sluice BPF loaders: errors, file descriptors, XDP
// attach/query by ifindex, per-CPU counter reads and address parsing. No DPDK. Every
// function here may be called from any thread; none keeps state.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common.h"

namespace sluice::bpf {

// What went wrong, in words an operator can act on (interface, map, errno text).
class BpfError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "<what>: <strerror(err)>" (err is a positive errno or a negative libbpf return).
[[nodiscard]] std::string errno_text(std::string_view what, int err);

// Owns one file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();
  [[nodiscard]] int get() const { return fd_; }
  int release();

 private:
  int fd_ = -1;
};

// How to attach an XDP program. kAuto lets the kernel pick native (driver) mode when
// the driver supports XDP, generic (skb) mode otherwise.
enum class XdpMode { kAuto, kNative, kGeneric };
[[nodiscard]] std::optional<XdpMode> parse_xdp_mode(std::string_view text);
[[nodiscard]] const char* to_string(XdpMode mode);
// XDP_FLAGS_* for the mode.
[[nodiscard]] uint32_t xdp_mode_flags(XdpMode mode);

// ifindex of an interface of the caller's network namespace; throws when it is missing.
[[nodiscard]] int ifindex_of(const std::string& iface);

// The XDP program attached to an interface.
struct AttachedXdp {
  uint32_t prog_id = 0;
  XdpMode mode = XdpMode::kAuto;  // kNative or kGeneric (offloaded programs: kAuto)
  std::string name;               // the program's name, e.g. "sluice_decap"
};
// nullopt when no XDP program is attached; throws on query errors.
[[nodiscard]] std::optional<AttachedXdp> attached_xdp(int ifindex);

// A file descriptor of the program with this id.
[[nodiscard]] UniqueFd prog_fd_by_id(uint32_t prog_id);
// A file descriptor of the map called `name` that the program uses (with `suffix`: the
// first whose name ends in `name`, e.g. ".rodata"); throws if none.
[[nodiscard]] UniqueFd prog_map_by_name(int prog_fd, std::string_view name, bool suffix = false);

// Attaches prog_fd on ifindex. When `replace_fd` >= 0, atomically replaces that program
// (which must still be the attached one); otherwise fails if any program is attached.
void xdp_attach(int ifindex, int prog_fd, XdpMode mode, int replace_fd = -1);
// Detaches expected_fd from ifindex, only if it is still the attached program.
void xdp_detach(int ifindex, int expected_fd, XdpMode mode);

// Reads a BPF_MAP_TYPE_PERCPU_ARRAY of struct sluice_counter with `n` entries and sums
// each entry over the CPUs.
[[nodiscard]] std::vector<sluice_counter> read_counters(int map_fd, uint32_t n);

// Map key form of an address: IPv6, or IPv4-mapped IPv6 for IPv4.
using AddrBytes = std::array<uint8_t, 16>;
[[nodiscard]] std::optional<AddrBytes> parse_address(std::string_view text);
[[nodiscard]] std::string format_address(const AddrBytes& addr);
[[nodiscard]] bool is_ipv4_mapped(const AddrBytes& addr);

}  // namespace sluice::bpf
