// SPDX-License-Identifier: BSD-3-Clause
#include "config/loader/section.h"
#include "config/loader/sections.h"
#include "config/loader/value_formats.h"

namespace sluice::config::loader {

void load_controlplane(TomlReader& r, const toml::table& t, ControlPlaneSettings& c) {
  Section s(r, t, "in [controlplane]", {"socket", "admin_state_file", "admin_state_max_age"});
  if (const toml::node* n = s.get("socket")) {
    if (auto v = r.string(*n, "socket")) {
      if (valid_socket_path(*v))
        c.socket = *v;
      else
        r.error(*n, "socket '" + *v + "' is not valid; allowed: an absolute path under 100 bytes");
    }
  }
  if (const toml::node* n = s.get("admin_state_file")) {
    if (auto v = r.string(*n, "admin_state_file")) {
      if (!v->empty() && (*v)[0] == '/')
        c.admin_state_file = *v;
      else
        r.error(*n, "admin_state_file '" + *v + "' is not valid; allowed: an absolute path");
    }
  }
  s.read_integer("admin_state_max_age", c.admin_state_max_age_s, 60, 365 * 24 * 3600);
}

}  // namespace sluice::config::loader
