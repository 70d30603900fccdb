// SPDX-License-Identifier: BSD-3-Clause
#include "decap_loader.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "decap.skel.h"

namespace sluice::bpf {

namespace {

struct SkelDeleter {
  void operator()(decap_bpf* s) const { decap_bpf__destroy(s); }
};
using DecapSkel = std::unique_ptr<decap_bpf, SkelDeleter>;

// The attached program if it is ours; throws otherwise.
AttachedXdp attached_decap(const std::string& iface, int ifindex) {
  const std::optional<AttachedXdp> a = attached_xdp(ifindex);
  if (!a) throw BpfError("no XDP program is attached to " + iface);
  if (a->name != DECAP_PROG_NAME) {
    throw BpfError(iface + " runs XDP program '" + a->name + "' (id " + std::to_string(a->prog_id) +
                   "), not " + DECAP_PROG_NAME);
  }
  return *a;
}

std::vector<AddrBytes> read_locals(int map_fd) {
  std::vector<AddrBytes> out;
  sluice_addr key{}, next{};
  const void* prev = nullptr;
  while (bpf_map_get_next_key(map_fd, prev, &next) == 0) {
    AddrBytes a;
    std::memcpy(a.data(), next.bytes, a.size());
    out.push_back(a);
    key = next;
    prev = &key;
  }
  return out;
}

DecapStatus status_of(const std::string& iface, int ifindex, const AttachedXdp& attached,
                      int prog_fd) {
  DecapStatus st;
  st.ifindex = ifindex;
  st.attached = attached;
  UniqueFd stats = prog_map_by_name(prog_fd, DECAP_STATS_MAP);
  UniqueFd locals = prog_map_by_name(prog_fd, DECAP_LOCALS_MAP);
  UniqueFd rodata = prog_map_by_name(prog_fd, ".rodata", true);
  st.counters = read_counters(stats.get(), DECAP_NR_COUNTERS);
  st.locals = read_locals(locals.get());
  decap_bpf::decap_bpf__rodata ro{};
  const uint32_t zero = 0;
  if (bpf_map_lookup_elem(rodata.get(), &zero, &ro) != 0)
    throw BpfError(errno_text("reading the settings of sluice_decap on " + iface, errno));
  st.gue_port = ro.gue_port;
  return st;
}

}  // namespace

std::vector<AddrBytes> interface_addresses(const std::string& iface) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) throw BpfError(errno_text("listing interface addresses", errno));
  std::vector<AddrBytes> out;
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || iface != i->ifa_name) continue;
    AddrBytes a{};
    if (i->ifa_addr->sa_family == AF_INET) {
      a[10] = a[11] = 0xff;
      std::memcpy(a.data() + 12, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, 4);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      const auto* sin6 = reinterpret_cast<sockaddr_in6*>(i->ifa_addr);
      if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr)) continue;
      std::memcpy(a.data(), &sin6->sin6_addr, 16);
    } else {
      continue;
    }
    out.push_back(a);
  }
  freeifaddrs(list);
  return out;
}

DecapStatus decap_attach(const std::string& iface, const DecapAttachOptions& opts) {
  const int ifindex = ifindex_of(iface);
  std::vector<AddrBytes> locals = opts.locals;
  if (locals.empty()) {
    locals = interface_addresses(iface);
    if (locals.empty())
      throw BpfError(iface + " has no IP address to decapsulate for; give --local ADDR");
  }
  if (locals.size() > DECAP_MAX_LOCALS)
    throw BpfError("at most " + std::to_string(DECAP_MAX_LOCALS) + " local addresses");
  if (opts.gue_port == 0) throw BpfError("the GUE port must be 1-65535");

  // What is attached now, before anything is loaded.
  std::optional<AttachedXdp> old = attached_xdp(ifindex);
  if (old && old->name != DECAP_PROG_NAME) {
    throw BpfError(iface + " already runs XDP program '" + old->name + "' (id " +
                   std::to_string(old->prog_id) + "); detach it first");
  }
  XdpMode mode = opts.mode;
  if (old && mode != XdpMode::kAuto && mode != old->mode) {
    throw BpfError(iface + " runs " + DECAP_PROG_NAME + " in " + to_string(old->mode) +
                   " mode; detach it first to attach in " + to_string(mode) + " mode");
  }
  if (old) mode = old->mode;

  DecapSkel skel(decap_bpf__open());
  if (!skel) throw BpfError(errno_text("opening the decap BPF object", errno));
  skel->rodata->gue_port = opts.gue_port;
  if (int err = decap_bpf__load(skel.get()); err) {
    throw BpfError(errno_text(
        "loading the decap program (root with BPF support needed; the verifier log is above)",
        err));
  }
  const int locals_fd = bpf_map__fd(skel->maps.decap_locals);
  for (const AddrBytes& a : locals) {
    const uint8_t one = 1;
    if (bpf_map_update_elem(locals_fd, a.data(), &one, BPF_ANY) != 0)
      throw BpfError(errno_text("adding local address " + format_address(a), errno));
  }
  const int prog_fd = bpf_program__fd(skel->progs.sluice_decap);
  UniqueFd old_fd;
  if (old) old_fd = prog_fd_by_id(old->prog_id);
  xdp_attach(ifindex, prog_fd, mode, old ? old_fd.get() : -1);

  const AttachedXdp now = attached_decap(iface, ifindex);
  DecapStatus st = status_of(iface, ifindex, now, prog_fd);
  st.replaced = old.has_value();
  return st;
}

DecapStatus decap_status(const std::string& iface) {
  const int ifindex = ifindex_of(iface);
  const AttachedXdp a = attached_decap(iface, ifindex);
  UniqueFd prog = prog_fd_by_id(a.prog_id);
  return status_of(iface, ifindex, a, prog.get());
}

void decap_detach(const std::string& iface) {
  const int ifindex = ifindex_of(iface);
  const AttachedXdp a = attached_decap(iface, ifindex);
  UniqueFd prog = prog_fd_by_id(a.prog_id);
  xdp_detach(ifindex, prog.get(), a.mode);
}

}  // namespace sluice::bpf
