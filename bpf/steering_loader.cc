// SPDX-License-Identifier: BSD-3-Clause
#include "steering_loader.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include "steering.skel.h"

namespace sluice::bpf {

namespace {

template <class Key>
std::vector<Key> map_keys(int fd) {
  std::vector<Key> out;
  Key cur{}, next{};
  const void* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, &next) == 0) {
    out.push_back(next);
    cur = next;
    prev = &cur;
  }
  return out;
}

}  // namespace

std::optional<SteeringVip> SteeringVip::parse(std::string_view address, uint8_t protocol,
                                              uint16_t port) {
  const std::optional<AddrBytes> a = parse_address(address);
  if (!a) return std::nullopt;
  return SteeringVip{*a, protocol, port};
}

steering_vip_key SteeringVip::key() const {
  steering_vip_key k{};
  std::memcpy(k.addr.bytes, address.data(), address.size());
  k.port = htobe16(port);
  k.protocol = protocol;
  return k;
}

SteeringVip SteeringVip::from_key(const steering_vip_key& k) {
  SteeringVip v;
  std::memcpy(v.address.data(), k.addr.bytes, v.address.size());
  v.port = be16toh(k.port);
  v.protocol = k.protocol;
  return v;
}

void write_steering_object(const std::string& path) {
  size_t size = 0;
  const void* bytes = steering_bpf__elf_bytes(&size);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(static_cast<const char*>(bytes), std::streamsize(size));
  out.close();
  if (!out) throw BpfError("cannot write the steering program to " + path);
}

SteeringProgram::SteeringProgram(const Options& options) {
  skel_ = steering_bpf__open();
  if (!skel_) throw BpfError(errno_text("opening the steering BPF object", errno));
  try {
    if (options.max_queues == 0 || options.max_vips == 0 || options.max_addresses == 0)
      throw BpfError("steering: max_queues, max_vips and max_addresses must be at least 1");
    if (int err = bpf_map__set_max_entries(skel_->maps.xsks_map, options.max_queues); err)
      throw BpfError(errno_text("sizing xsks_map", err));
    if (int err = bpf_map__set_max_entries(skel_->maps.steer_vips, options.max_vips); err)
      throw BpfError(errno_text("sizing steer_vips", err));
    if (int err = bpf_map__set_max_entries(skel_->maps.steer_addrs, options.max_addresses); err)
      throw BpfError(errno_text("sizing steer_addrs", err));
    if (int err = steering_bpf__load(skel_); err)
      throw BpfError(
          errno_text("loading the steering program (root with BPF support needed)", err));
  } catch (...) {
    steering_bpf__destroy(skel_);
    throw;
  }
  prog_fd_ = bpf_program__fd(skel_->progs.sluice_steer);
  vips_fd_ = bpf_map__fd(skel_->maps.steer_vips);
  addrs_fd_ = bpf_map__fd(skel_->maps.steer_addrs);
  xsk_map_fd_ = bpf_map__fd(skel_->maps.xsks_map);
  stats_fd_ = bpf_map__fd(skel_->maps.steer_stats);
}

SteeringProgram::SteeringProgram(UniqueFd prog, UniqueFd vips, UniqueFd addrs, UniqueFd xsks,
                                 UniqueFd stats)
    : prog_fd_(prog.get()),
      vips_fd_(vips.get()),
      addrs_fd_(addrs.get()),
      xsk_map_fd_(xsks.get()),
      stats_fd_(stats.get()) {
  adopted_[0] = std::move(prog);
  adopted_[1] = std::move(vips);
  adopted_[2] = std::move(addrs);
  adopted_[3] = std::move(xsks);
  adopted_[4] = std::move(stats);
}

SteeringProgram SteeringProgram::adopt(int ifindex) {
  const std::optional<AttachedXdp> a = attached_xdp(ifindex);
  if (!a || a->name != STEERING_PROG_NAME) {
    throw BpfError("ifindex " + std::to_string(ifindex) + " does not run " + STEERING_PROG_NAME +
                   (a ? " (it runs '" + a->name + "')" : std::string(" (no XDP program)")));
  }
  UniqueFd prog = prog_fd_by_id(a->prog_id);
  UniqueFd vips = prog_map_by_name(prog.get(), STEERING_VIPS_MAP);
  UniqueFd addrs = prog_map_by_name(prog.get(), STEERING_ADDRS_MAP);
  UniqueFd xsks = prog_map_by_name(prog.get(), STEERING_XSKS_MAP);
  UniqueFd stats = prog_map_by_name(prog.get(), STEERING_STATS_MAP);
  return SteeringProgram(std::move(prog), std::move(vips), std::move(addrs), std::move(xsks),
                         std::move(stats));
}

bool SteeringProgram::detach_leftover(int ifindex) {
  const std::optional<AttachedXdp> a = attached_xdp(ifindex);
  if (!a || a->name != STEERING_PROG_NAME) return false;
  const UniqueFd prog = prog_fd_by_id(a->prog_id);
  xdp_detach(ifindex, prog.get(), a->mode);
  return true;
}

SteeringProgram::SteeringProgram(SteeringProgram&& o) noexcept
    : skel_(std::exchange(o.skel_, nullptr)),
      prog_fd_(o.prog_fd_),
      vips_fd_(o.vips_fd_),
      addrs_fd_(o.addrs_fd_),
      xsk_map_fd_(o.xsk_map_fd_),
      stats_fd_(o.stats_fd_),
      attached_ifindex_(std::exchange(o.attached_ifindex_, 0)),
      attached_mode_(o.attached_mode_) {
  for (int i = 0; i < 5; ++i) adopted_[i] = std::move(o.adopted_[i]);
}

SteeringProgram::~SteeringProgram() {
  try {
    detach();
  } catch (const BpfError&) {
    // The interface may be gone already; nothing left to undo.
  }
  if (skel_) steering_bpf__destroy(skel_);
}

void SteeringProgram::add_vip(const SteeringVip& vip) {
  const steering_vip_key k = vip.key();
  const steering_vip_value v{};
  if (bpf_map_update_elem(vips_fd_, &k, &v, BPF_ANY) != 0)
    throw BpfError(
        errno_text("adding VIP " + format_address(vip.address) + " to steer_vips", errno));
}

void SteeringProgram::remove_vip(const SteeringVip& vip) {
  const steering_vip_key k = vip.key();
  if (bpf_map_delete_elem(vips_fd_, &k) != 0 && errno != ENOENT)
    throw BpfError(errno_text("removing VIP " + format_address(vip.address), errno));
}

std::vector<SteeringVip> SteeringProgram::vips() const {
  std::vector<SteeringVip> out;
  for (const steering_vip_key& k : map_keys<steering_vip_key>(vips_fd_))
    out.push_back(SteeringVip::from_key(k));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<AddrBytes> SteeringProgram::addresses() const {
  std::vector<AddrBytes> out = map_keys<AddrBytes>(addrs_fd_);
  std::sort(out.begin(), out.end());
  return out;
}

void SteeringProgram::replace_addresses(const std::vector<AddrBytes>& wanted) {
  std::vector<AddrBytes> want = wanted;
  std::sort(want.begin(), want.end());
  const steering_addr_value value{};
  for (const AddrBytes& a : want)
    if (bpf_map_update_elem(addrs_fd_, a.data(), &value, BPF_ANY) != 0)
      throw BpfError(errno_text("adding " + format_address(a) + " to steer_addrs", errno));
  for (const AddrBytes& a : addresses())
    if (!std::binary_search(want.begin(), want.end(), a) &&
        bpf_map_delete_elem(addrs_fd_, a.data()) != 0 && errno != ENOENT)
      throw BpfError(errno_text("removing " + format_address(a) + " from steer_addrs", errno));
}

void SteeringProgram::replace_all(const std::vector<SteeringVip>& wanted) {
  std::vector<SteeringVip> want = wanted;
  std::sort(want.begin(), want.end());
  for (const SteeringVip& v : want) add_vip(v);
  for (const SteeringVip& v : vips())
    if (!std::binary_search(want.begin(), want.end(), v)) remove_vip(v);
}

void SteeringProgram::attach(int ifindex, XdpMode mode) {
  if (attached_ifindex_ != 0) throw BpfError("steering program already attached");
  xdp_attach(ifindex, prog_fd_, mode);
  attached_ifindex_ = ifindex;
  attached_mode_ = mode;
  if (mode == XdpMode::kAuto) {
    if (const auto a = attached_xdp(ifindex)) attached_mode_ = a->mode;
  }
}

void SteeringProgram::detach() {
  if (attached_ifindex_ == 0) return;
  const int ifindex = std::exchange(attached_ifindex_, 0);
  xdp_detach(ifindex, prog_fd_, attached_mode_);
}

SteeringCounters SteeringProgram::counters() const {
  return SteeringCounters{read_counters(stats_fd_, STEER_NR_COUNTERS)};
}

}  // namespace sluice::bpf
