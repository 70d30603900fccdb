// SPDX-License-Identifier: BSD-3-Clause
#include "config/loader/section.h"
#include "config/loader/sections.h"

namespace sluice::config::loader {

void load_vip_bgp(TomlReader& r, const toml::table& t, const std::string& entity, size_t backends,
                  VipBgp& bgp) {
  Section s(r, t, "in [vip.bgp]", {"announce", "min_healthy", "med"});
  s.read_boolean("announce", bgp.announce);
  if (const toml::node* n = s.get("min_healthy")) {
    if (auto v = r.integer(*n, "min_healthy", 1, 0xFFFFFFFFll)) {
      if (backends > 0 && size_t(*v) > backends)
        r.error(*n, entity + ": min_healthy " + std::to_string(*v) + " is more than its " +
                        std::to_string(backends) +
                        " backend(s); it would never be announced (use announce = false for "
                        "that)");
      else
        bgp.min_healthy = uint32_t(*v);
    }
  }
  s.read_integer("med", bgp.med, 0, 0xFFFFFFFFll);
}

}  // namespace sluice::config::loader
