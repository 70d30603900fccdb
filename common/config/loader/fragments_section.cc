// SPDX-License-Identifier: BSD-3-Clause
#include "config/loader/section.h"
#include "config/loader/sections.h"

namespace sluice::config::loader {

void load_fragments(TomlReader& r, const toml::table& t, FragmentSettings& f) {
  Section s(r, t, "in [fragments]",
            {"table_size", "hold", "hold_per_datagram", "timeout", "hold_time"});
  s.read_integer("table_size", f.table_size, 64, 16777216);
  s.read_integer("hold", f.hold, 0, kMaxHeldFragments);
  s.read_integer("hold_per_datagram", f.hold_per_datagram, 1, kMaxHeldFragments);
  s.read_milliseconds("timeout", f.timeout_ms);
  s.read_milliseconds("hold_time", f.hold_ms);
}

}  // namespace sluice::config::loader
