// SPDX-License-Identifier: BSD-3-Clause
#include <cstdio>

#include "config/loader/section.h"
#include "config/loader/sections.h"

namespace sluice::config::loader {

void load_check(TomlReader& r, const toml::table& t, const std::string& entity, HealthCheck& c) {
  Section s(r, t, "in [vip.check]",
            {"type", "port", "interval", "fast_interval", "down_interval", "timeout", "rise",
             "fall", "path", "host", "status", "payload", "expect", "initial"});
  if (const toml::node* n = s.require("type", entity + " check", "allowed: tcp, http, udp, none")) {
    if (auto v = r.string(*n, "type")) {
      if (auto type = parse_check_type(*v))
        c.type = *type;
      else
        r.error(*n, "check type '" + *v + "' is not supported; allowed: tcp, http, udp, none");
    }
  }
  s.read_integer("port", c.port, 1, 65535);
  s.read_milliseconds("interval", c.interval_ms);
  s.read_milliseconds("fast_interval", c.fast_interval_ms);
  s.read_milliseconds("down_interval", c.down_interval_ms);
  s.read_milliseconds("timeout", c.timeout_ms);
  s.read_integer("rise", c.rise, 1, 100);
  s.read_integer("fall", c.fall, 1, 100);
  s.read_string("host", c.http_host);
  s.read_string("payload", c.udp_payload);
  s.read_string("expect", c.udp_expect);
  if (const toml::node* n = s.get("path")) {
    if (auto v = r.string(*n, "path")) {
      if (!v->empty() && (*v)[0] == '/' && v->find_first_of(" \r\n") == std::string::npos)
        c.http_path = *v;
      else
        r.error(*n, "path '" + *v + "' is not valid; allowed: an absolute URL path without spaces");
    }
  }
  if (const toml::node* n = s.get("status")) {
    if (auto v = r.string(*n, "status")) {
      unsigned lo = 0, hi = 0;
      char dash = 0;
      int matched = std::sscanf(v->c_str(), "%3u%c%3u", &lo, &dash, &hi);
      if (matched == 1) hi = lo;
      if ((matched == 1 || (matched == 3 && dash == '-')) && lo >= 100 && hi <= 599 && lo <= hi) {
        c.http_status_min = uint16_t(lo);
        c.http_status_max = uint16_t(hi);
      } else {
        r.error(*n,
                "status '" + *v + "' is not valid; allowed: a code or a range such as \"200-399\"");
      }
    }
  }
  if (const toml::node* n = s.get("initial")) {
    if (auto v = r.string(*n, "initial")) {
      if (*v == "up" || *v == "down")
        c.initial_up = *v == "up";
      else
        r.error(*n, "initial '" + *v + "' is not supported; allowed: down, up");
    }
  }
  if (c.timeout_ms > c.interval_ms)
    r.error(t, entity + " check: timeout is longer than interval; lower timeout or raise interval");
  if (c.type == HealthCheck::Type::kUdp && c.udp_payload.empty())
    r.error(t, entity + " check: udp checks need a payload to send");
}

}  // namespace sluice::config::loader
