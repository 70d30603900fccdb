// SPDX-License-Identifier: BSD-3-Clause
#include <algorithm>

#include "config/loader/section.h"
#include "config/loader/sections.h"
#include "config/loader/value_formats.h"

namespace sluice::config::loader {

void load_vip_bgp(TomlReader& r, const toml::table& t, const std::string& entity, size_t backends,
                  VipBgp& bgp) {
  Section s(r, t, "in [vip.bgp]", {"announce", "min_healthy", "med", "local_pref", "communities"});
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
  if (const toml::node* n = s.get("local_pref"))
    if (auto v = r.integer(*n, "local_pref", 0, 0xFFFFFFFFll)) bgp.local_pref = uint32_t(*v);
  if (const toml::node* n = s.get("communities")) {
    if (const auto* a = r.array(*n, "communities")) {
      for (size_t i = 0; i < a->size(); ++i) {
        auto text = r.string(*a->get(i), "communities[" + std::to_string(i) + "]");
        if (!text) continue;
        auto community = parse_bgp_community(*text);
        if (!community)
          r.error(*a->get(i), "communities: '" + *text +
                                  "' is not a community; allowed: \"ASN:VALUE\" (each 0..65535) "
                                  "or a large \"GLOBAL:LOCAL1:LOCAL2\" (each 0..4294967295)");
        else if (std::find(bgp.communities.begin(), bgp.communities.end(), *community) !=
                 bgp.communities.end())
          r.error(*a->get(i), "communities: '" + *text + "' is listed twice");
        else
          bgp.communities.push_back(*community);
      }
    }
  }
}

}  // namespace sluice::config::loader
