// SPDX-License-Identifier: BSD-3-Clause
#include "config/loader/section.h"
#include "config/loader/sections.h"

namespace sluice::config::loader {

void load_metrics(TomlReader& r, const toml::table& t, MetricsSettings& m) {
  Section s(r, t, "in [metrics]", {"listen", "admin_actions", "admin_sources"});
  if (const toml::node* n = s.get("listen")) {
    if (auto v = r.string(*n, "listen")) {
      if (auto address = SocketAddress::parse(*v))
        m.listen = *address;
      else
        r.error(*n, "listen '" + *v +
                        "' is not valid; allowed: an IPv4 or IPv6 address and a port 1..65535, "
                        "such as 127.0.0.1:9101 or [::1]:9101");
    }
  }
  s.read_boolean("admin_actions", m.admin_actions);
  if (const toml::node* n = s.get("admin_sources")) {
    if (const auto* a = r.array(*n, "admin_sources")) {
      if (a->empty())
        r.error(*n, "admin_sources is empty; list at least one prefix, e.g. [\"127.0.0.1/32\"]");
      m.admin_sources.clear();
      for (size_t i = 0; i < a->size(); ++i)
        if (auto p = r.prefix(*a->get(i), "admin_sources[" + std::to_string(i) + "]"))
          m.admin_sources.push_back(*p);
    }
  }
}

}  // namespace sluice::config::loader
