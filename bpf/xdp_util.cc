// SPDX-License-Identifier: BSD-3-Clause
#include "xdp_util.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice::bpf {

std::string errno_text(std::string_view what, int err) {
  if (err < 0) err = -err;
  return std::string(what) + ": " + std::strerror(err);
}

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) close(fd_);
    fd_ = o.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) close(fd_);
}

int UniqueFd::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

std::optional<XdpMode> parse_xdp_mode(std::string_view text) {
  if (text == "auto") return XdpMode::kAuto;
  if (text == "native" || text == "drv") return XdpMode::kNative;
  if (text == "generic" || text == "skb") return XdpMode::kGeneric;
  return std::nullopt;
}

const char* to_string(XdpMode mode) {
  switch (mode) {
    case XdpMode::kNative:
      return "native";
    case XdpMode::kGeneric:
      return "generic";
    case XdpMode::kAuto:
      break;
  }
  return "auto";
}

uint32_t xdp_mode_flags(XdpMode mode) {
  switch (mode) {
    case XdpMode::kNative:
      return XDP_FLAGS_DRV_MODE;
    case XdpMode::kGeneric:
      return XDP_FLAGS_SKB_MODE;
    case XdpMode::kAuto:
      break;
  }
  return 0;
}

int ifindex_of(const std::string& iface) {
  if (iface.empty() || iface.size() >= IF_NAMESIZE)
    throw BpfError("'" + iface + "' is not a valid interface name");
  const unsigned idx = if_nametoindex(iface.c_str());
  if (idx == 0) {
    throw BpfError("interface '" + iface +
                   "' not found in this network namespace (ip link show lists the ones there)");
  }
  return int(idx);
}

std::optional<AttachedXdp> attached_xdp(int ifindex) {
  LIBBPF_OPTS(bpf_xdp_query_opts, q);
  if (int err = bpf_xdp_query(ifindex, 0, &q); err)
    throw BpfError(
        errno_text("querying the XDP program of ifindex " + std::to_string(ifindex), err));
  AttachedXdp out;
  switch (q.attach_mode) {
    case XDP_ATTACHED_NONE:
      return std::nullopt;
    case XDP_ATTACHED_DRV:
      out.prog_id = q.drv_prog_id;
      out.mode = XdpMode::kNative;
      break;
    case XDP_ATTACHED_SKB:
      out.prog_id = q.skb_prog_id;
      out.mode = XdpMode::kGeneric;
      break;
    default:  // offloaded or several at once: report the main one
      out.prog_id = q.prog_id;
      break;
  }
  UniqueFd fd = prog_fd_by_id(out.prog_id);
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  if (int err = bpf_obj_get_info_by_fd(fd.get(), &info, &len); err)
    throw BpfError(errno_text("reading the attached XDP program's info", err));
  out.name = info.name;
  return out;
}

UniqueFd prog_fd_by_id(uint32_t prog_id) {
  const int fd = bpf_prog_get_fd_by_id(prog_id);
  if (fd < 0)
    throw BpfError(errno_text("opening BPF program id " + std::to_string(prog_id), errno));
  return UniqueFd(fd);
}

UniqueFd prog_map_by_name(int prog_fd, std::string_view name, bool suffix) {
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  if (int err = bpf_obj_get_info_by_fd(prog_fd, &info, &len); err)
    throw BpfError(errno_text("reading BPF program info", err));
  std::vector<uint32_t> ids(info.nr_map_ids);
  info = bpf_prog_info{};
  info.nr_map_ids = uint32_t(ids.size());
  info.map_ids = reinterpret_cast<uint64_t>(ids.data());
  len = sizeof(info);
  if (int err = bpf_obj_get_info_by_fd(prog_fd, &info, &len); err)
    throw BpfError(errno_text("reading the BPF program's map ids", err));
  for (uint32_t id : ids) {
    UniqueFd map(bpf_map_get_fd_by_id(id));
    if (map.get() < 0) continue;
    bpf_map_info minfo{};
    uint32_t mlen = sizeof(minfo);
    if (bpf_obj_get_info_by_fd(map.get(), &minfo, &mlen) != 0) continue;
    const std::string_view have(minfo.name);
    if (suffix ? have.ends_with(name) : have == name) return map;
  }
  throw BpfError("the BPF program has no map named '" + std::string(name) + "'");
}

void xdp_attach(int ifindex, int prog_fd, XdpMode mode, int replace_fd) {
  LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
  uint32_t flags = xdp_mode_flags(mode);
  if (replace_fd >= 0) {
    flags |= XDP_FLAGS_REPLACE;
    opts.old_prog_fd = replace_fd;
  } else {
    flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
  }
  if (int err = bpf_xdp_attach(ifindex, prog_fd, flags, &opts); err) {
    std::string what = "attaching XDP (" + std::string(to_string(mode)) + " mode) to ifindex " +
                       std::to_string(ifindex);
    if (err == -EBUSY || err == -EEXIST)
      throw BpfError(what + ": another XDP program is attached (in this or the other mode)");
    if (err == -EOPNOTSUPP && mode == XdpMode::kNative)
      throw BpfError(what + ": the driver has no native XDP; use --mode generic");
    throw BpfError(errno_text(what, err));
  }
}

void xdp_detach(int ifindex, int expected_fd, XdpMode mode) {
  LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
  opts.old_prog_fd = expected_fd;
  if (int err = bpf_xdp_detach(ifindex, xdp_mode_flags(mode) | XDP_FLAGS_REPLACE, &opts); err)
    throw BpfError(errno_text("detaching XDP from ifindex " + std::to_string(ifindex), err));
}

std::vector<sluice_counter> read_counters(int map_fd, uint32_t n) {
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) throw BpfError(errno_text("counting possible CPUs", cpus));
  std::vector<sluice_counter> per_cpu(static_cast<size_t>(cpus));
  std::vector<sluice_counter> sums(n);
  for (uint32_t i = 0; i < n; ++i) {
    if (bpf_map_lookup_elem(map_fd, &i, per_cpu.data()) != 0)
      throw BpfError(errno_text("reading counter " + std::to_string(i), errno));
    for (const sluice_counter& c : per_cpu) {
      sums[i].packets += c.packets;
      sums[i].bytes += c.bytes;
    }
  }
  return sums;
}

std::optional<AddrBytes> parse_address(std::string_view text) {
  const std::string s(text);
  AddrBytes out{};
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out[10] = 0xff;
    out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  if (inet_pton(AF_INET6, s.c_str(), out.data()) == 1) return out;
  return std::nullopt;
}

bool is_ipv4_mapped(const AddrBytes& addr) {
  static constexpr uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(addr.data(), kPrefix, sizeof(kPrefix)) == 0;
}

std::string format_address(const AddrBytes& addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (is_ipv4_mapped(addr))
    inet_ntop(AF_INET, addr.data() + 12, buf, sizeof(buf));
  else
    inet_ntop(AF_INET6, addr.data(), buf, sizeof(buf));
  return buf;
}

}  // namespace sluice::bpf
