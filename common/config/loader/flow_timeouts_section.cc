// SPDX-License-Identifier: BSD-3-Clause
#include "config/loader/section.h"
#include "config/loader/sections.h"

namespace sluice::config::loader {

void load_flow_timeouts(TomlReader& r, const toml::table& t, FlowTimeouts& f) {
  Section s(r, t, "in [flow_timeouts]",
            {"tcp_syn", "tcp_established", "tcp_closing", "udp", "other"});
  s.read_milliseconds("tcp_syn", f.tcp_syn_ms);
  s.read_milliseconds("tcp_established", f.tcp_established_ms);
  s.read_milliseconds("tcp_closing", f.tcp_closing_ms);
  s.read_milliseconds("udp", f.udp_ms);
  s.read_milliseconds("other", f.other_ms);
}

}  // namespace sluice::config::loader
