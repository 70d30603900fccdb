// SPDX-License-Identifier: BSD-3-Clause
#include "config/loader/section.h"
#include "config/loader/sections.h"

namespace sluice::config::loader {

void load_neighbor(TomlReader& r, Claims& claims, const toml::table& t, size_t index,
                   std::vector<Neighbor>& neighbors) {
  Section s(r, t, "in [neighbor]", {"address", "mac"});
  const std::string entity = "neighbor #" + std::to_string(index + 1);
  Neighbor nb;
  bool ok = true;
  if (const toml::node* n = s.require("address", entity, kAddressHint)) {
    if (auto a = r.address(*n, "address")) {
      nb.address = *a;
      if (!claims.neighbor_addresses.insert(*a).second) {
        r.error(*n, "neighbor " + a->to_string() + " listed twice");
        ok = false;
      }
    } else {
      ok = false;
    }
  } else {
    ok = false;
  }
  if (const toml::node* n = s.require("mac", entity, "a MAC address such as 02:00:00:00:00:21")) {
    if (auto m = r.unicast_mac(*n, "mac"))
      nb.mac = *m;
    else
      ok = false;
  } else {
    ok = false;
  }
  if (ok) neighbors.push_back(nb);
}

}  // namespace sluice::config::loader
