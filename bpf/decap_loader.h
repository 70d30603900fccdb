// SPDX-License-Identifier: BSD-3-Clause
// Attach, inspect and detach the backend decapsulation program (decap.bpf.c) on an
// interface. Used by sluice-decap; no DPDK.
//
// The program is attached by netlink to the interface (bpf_xdp_attach), not through a
// pinned bpf_link: it stays attached after the loader exits, with no bpffs needed (which
// `ip netns exec` hides), and goes away with the interface. `stats` and `detach` find it
// again from the interface: the attached program must be named sluice_decap, and its
// maps are found by name. Nothing here keeps state between calls; callers serialize
// calls on one interface.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "decap.h"
#include "xdp_util.h"

namespace sluice::bpf {

struct DecapAttachOptions {
  uint16_t gue_port = DECAP_DEFAULT_GUE_PORT;
  // Outer destinations to decapsulate for; empty = every address on the interface
  // (link-local IPv6 excepted) at attach time.
  std::vector<AddrBytes> locals;
  XdpMode mode = XdpMode::kAuto;
};

struct DecapStatus {
  int ifindex = 0;
  AttachedXdp attached;
  bool replaced = false;  // attach only: an older sluice_decap was replaced atomically
  uint16_t gue_port = 0;
  std::vector<AddrBytes> locals;
  std::vector<sluice_counter> counters;  // DECAP_NR_COUNTERS, summed over CPUs
};

// Loads the program with `opts` and attaches it to `iface`. An sluice_decap already
// there is replaced in one step (new settings, counters start at zero); any other XDP
// program makes it fail. Throws BpfError.
DecapStatus decap_attach(const std::string& iface, const DecapAttachOptions& opts);

// Settings and counters of the sluice_decap attached to `iface`. Throws BpfError when
// none is attached.
DecapStatus decap_status(const std::string& iface);

// Detaches sluice_decap from `iface`; throws BpfError when it is not attached there
// (another program is left alone).
void decap_detach(const std::string& iface);

// The interface's IPv4 and IPv6 addresses, link-local IPv6 excepted.
std::vector<AddrBytes> interface_addresses(const std::string& iface);

}  // namespace sluice::bpf
