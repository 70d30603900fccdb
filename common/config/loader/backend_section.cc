// SPDX-License-Identifier: BSD-3-Clause
#include "config/loader/section.h"
#include "config/loader/sections.h"

namespace sluice::config::loader {

std::optional<Backend> load_backend(TomlReader& r, const toml::table& t, const std::string& entity,
                                    const std::string& vip_entity, std::set<IpAddress>& seen,
                                    const toml::node** address_node) {
  Section s(r, t, "in [vip.backend]", {"address", "weight", "state"});
  Backend b;
  bool ok = false;
  if (const toml::node* n = s.require("address", entity, kAddressHint)) {
    *address_node = n;
    if (auto a = r.address(*n, "address")) {
      b.address = *a;
      ok = seen.insert(*a).second;
      if (!ok) r.error(*n, "backend " + a->to_string() + " listed twice in " + vip_entity);
    }
  }
  s.read_integer("weight", b.weight, 0, 65535);
  if (const toml::node* n = s.get("state")) {
    if (auto v = r.string(*n, "state")) {
      if (auto state = parse_backend_state(*v))
        b.state = *state;
      else
        r.error(*n, "state '" + *v + "' is not supported; allowed: ready, drain, maint");
    }
  }
  if (!ok) return std::nullopt;
  return b;
}

}  // namespace sluice::config::loader
