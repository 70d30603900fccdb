// SPDX-License-Identifier: BSD-3-Clause
#include "config/loader/section.h"
#include "config/loader/sections.h"

namespace sluice::config::loader {

void load_flow_timeouts(TomlReader& r, const toml::table& t, FlowTimeouts& f) {
  Section s(r, t, "in [flow_timeouts]",
            {"tcp_syn", "tcp_established", "tcp_closing", "udp", "other"});
  auto read = [&](std::string_view key, uint32_t& out) {
    if (const toml::node* n = s.get(key))
      if (auto ms = r.milliseconds(*n, key)) out = *ms;
  };
  read("tcp_syn", f.tcp_syn_ms);
  read("tcp_established", f.tcp_established_ms);
  read("tcp_closing", f.tcp_closing_ms);
  read("udp", f.udp_ms);
  read("other", f.other_ms);
}

}  // namespace sluice::config::loader
