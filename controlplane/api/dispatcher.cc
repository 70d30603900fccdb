// SPDX-License-Identifier: BSD-3-Clause
#include "api/dispatcher.h"

#include "api/format.h"
#include "api/text.h"

namespace sluice::api {
namespace {

std::string error_answer(std::string_view line) { return one_line(line) + "\n\n"; }

std::string backends_answer(Model& model, const Command& c) {
  std::vector<VipView> vips = model.vips();
  if (!c.vip.empty()) {
    std::erase_if(vips, [&](const VipView& v) { return v.name != c.vip; });
    if (vips.empty()) return error_answer("Error: no VIP named '" + c.vip + "'");
  }
  return format_backends(vips, c.json) + "\n";
}

std::string reload_answer(Model& model) {
  ReloadResult r = model.reload();
  std::string summary = r.summary.empty() ? (r.ok ? "Reloaded" : "no reason given") : r.summary;
  std::string out = one_line(r.ok ? summary : "Error: reload failed: " + summary);
  out += '\n';
  for (const std::string& line : r.details) {
    if (line.empty()) continue;  // a blank line would end the answer early
    out += one_line(line);
    out += '\n';
  }
  return out + "\n";
}

}  // namespace

std::string execute(Model& model, const Command& c, Privilege level) {
  if (c.verb != Verb::kUnknown && required_privilege(c.verb) > level)
    return error_answer(kPermissionDenied);
  if (!c.error.empty()) return error_answer(c.error);

  switch (c.verb) {
    case Verb::kHelp:
      return format_help(level, c.json) + "\n";
    case Verb::kShowInfo:
      return format_info(model.info(), c.json) + "\n";
    case Verb::kShowVips:
      return format_vips(model.vips(), c.json) + "\n";
    case Verb::kShowBackends:
      return backends_answer(model, c);
    case Verb::kShowStats:
      return format_stats(model.stats(), c.json) + "\n";
    case Verb::kShowHealth:
      return format_health(model.health(), c.json) + "\n";
    case Verb::kShowHa:
      return format_ha(model.ha(), c.json) + "\n";
    case Verb::kSetBackendState:
      if (auto e = model.set_backend_state(c.vip, c.backend, c.state))
        return error_answer("Error: " + *e);
      return "Backend " + c.backend + " of VIP " + c.vip + ": state " + config::to_string(c.state) +
             "\n\n";
    case Verb::kSetBackendWeight:
      if (auto e = model.set_backend_weight(c.vip, c.backend, c.weight))
        return error_answer("Error: " + *e);
      return "Backend " + c.backend + " of VIP " + c.vip + ": weight " + std::to_string(c.weight) +
             "\n\n";
    case Verb::kReload:
      return reload_answer(model);
    case Verb::kQuit:
    case Verb::kUnknown:
      break;
  }
  return {};
}

Answer execute_line(Model& model, std::string_view line, Privilege level) {
  Answer a;
  for (const Command& c : parse_line(line)) {
    if (c.verb == Verb::kQuit && c.error.empty()) {
      a.quit = true;
      break;
    }
    a.text += execute(model, c, level);
  }
  return a;
}

}  // namespace sluice::api
