// SPDX-License-Identifier: BSD-3-Clause
#include <algorithm>
#include <array>

#include "config/loader/section.h"
#include "config/loader/sections.h"
#include "config/loader/value_formats.h"

namespace sluice::config::loader {

namespace {

// rtm_protocol values the kernel keeps for itself (0-4) or that known routing daemons use
// (iproute2's rt_protos): a route of theirs must never look like one of sluiced's.
constexpr std::array<int64_t, 18> kTakenProtocols = {8,  9,  10, 11, 12,  13,  14,  15,  16,
                                                     17, 18, 42, 99, 186, 187, 188, 189, 192};

}  // namespace

void load_bgp(TomlReader& r, const toml::table& t, BgpSettings& b) {
  Section s(r, t, "in [bgp]",
            {"enable", "table", "protocol", "drain_time", "drain_on_stop", "state_file",
             "bird_socket", "bird_policy"});
  s.read_boolean("enable", b.enable);
  if (const toml::node* n = s.get("table")) {
    if (auto v = r.integer(*n, "table", 1, 0xFFFFFFFFll)) {
      if (*v >= 253 && *v <= 255)
        r.error(*n, "table " + std::to_string(*v) +
                        " is one the host routes by (253 default, 254 main, 255 local); use a "
                        "table of its own that no 'ip rule' looks up, e.g. 100");
      else
        b.table = uint32_t(*v);
    }
  } else if (b.enable) {
    r.error(t,
            "[bgp]: missing required key 'table' (the kernel routing table the routing "
            "daemon exports, e.g. 100)");
  }
  if (const toml::node* n = s.get("protocol")) {
    if (auto v = r.integer(*n, "protocol", 5, 254)) {
      if (std::find(kTakenProtocols.begin(), kTakenProtocols.end(), *v) != kTakenProtocols.end())
        r.error(*n, "protocol " + std::to_string(*v) +
                        " is a routing daemon's (see /etc/iproute2/rt_protos); use another "
                        "number in 5..254, e.g. 200");
      else
        b.protocol = uint8_t(*v);
    }
  }
  if (const toml::node* n = s.get("drain_time")) {
    // 0 is allowed: no wait after withdrawing.
    const auto* i = n->as_integer();
    if (i && i->get() == 0)
      b.drain_time_ms = 0;
    else if (auto ms = r.milliseconds(*n, "drain_time"))
      b.drain_time_ms = *ms;
  }
  s.read_boolean("drain_on_stop", b.drain_on_stop);
  if (const toml::node* n = s.get("state_file")) {
    if (auto v = r.string(*n, "state_file")) {
      if (!v->empty() && (*v)[0] == '/')
        b.state_file = *v;
      else
        r.error(*n, "state_file '" + *v + "' is not valid; allowed: an absolute path");
    }
  }
  if (const toml::node* n = s.get("bird_socket")) {
    if (auto v = r.string(*n, "bird_socket")) {
      if (valid_socket_path(*v))
        b.bird_socket = *v;
      else
        r.error(*n, "bird_socket '" + *v +
                        "' is not valid; allowed: an absolute path under 100 bytes (bird's "
                        "control socket, e.g. /run/bird/bird.ctl)");
    }
  }
  if (const toml::node* n = s.get("bird_policy")) {
    if (auto v = r.string(*n, "bird_policy")) {
      if (v->empty() || ((*v)[0] == '/' && v->back() != '/'))
        b.bird_policy = *v;
      else
        r.error(*n, "bird_policy '" + *v +
                        "' is not valid; allowed: an absolute file path (the file bird's config "
                        "includes, e.g. /run/sluice/bird-vips.conf), or \"\" for none");
    }
  }
}

}  // namespace sluice::config::loader
