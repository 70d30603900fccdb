// SPDX-License-Identifier: BSD-3-Clause
#include "api/answers.h"

#include "api/flow_format.h"
#include "api/format.h"
#include "api/help.h"
#include "api/text.h"

namespace sluice::api {
namespace {

Reply error_reply(std::string_view line) { return {.lines = one_line(line) + "\n"}; }

}  // namespace

Reply answer_help(const Command& c, Model&, Privilege level) {
  return {.lines = format_help(level, c.json)};
}

Reply answer_show_info(const Command& c, Model& model, Privilege) {
  return {.lines = format_info(model.info(), c.json)};
}

Reply answer_show_vips(const Command& c, Model& model, Privilege) {
  return {.lines = format_vips(model.vips(), c.json)};
}

Reply answer_show_backends(const Command& c, Model& model, Privilege) {
  std::vector<VipView> vips = model.vips();
  if (!c.vip.empty()) {
    std::erase_if(vips, [&](const VipView& v) { return v.name != c.vip; });
    if (vips.empty()) return error_reply("Error: no VIP named '" + c.vip + "'");
  }
  return {.lines = format_backends(vips, c.json)};
}

Reply answer_show_stats(const Command& c, Model& model, Privilege) {
  return {.lines = format_stats(model.stats(), c.json)};
}

Reply answer_show_sync(const Command& c, Model& model, Privilege) {
  return {.lines = format_sync(model.stats(), c.json)};
}

Reply answer_show_health(const Command& c, Model& model, Privilege) {
  return {.lines = format_health(model.health(), c.json)};
}

Reply answer_show_ha(const Command& c, Model& model, Privilege) {
  return {.lines = format_ha(model.ha(), c.json)};
}

Reply answer_set_backend_state(const Command& c, Model& model, Privilege) {
  if (auto e = model.set_backend_state(c.vip, c.backend, c.state))
    return error_reply("Error: " + *e);
  return {.lines = "Backend " + c.backend + " of VIP " + c.vip + ": state " +
                   config::to_string(c.state) + "\n"};
}

Reply answer_set_backend_weight(const Command& c, Model& model, Privilege) {
  if (auto e = model.set_backend_weight(c.vip, c.backend, c.weight))
    return error_reply("Error: " + *e);
  return {.lines = "Backend " + c.backend + " of VIP " + c.vip + ": weight " +
                   std::to_string(c.weight) + "\n"};
}

Reply answer_show_bgp(const Command& c, Model& model, Privilege) {
  return {.lines = format_bgp(model.bgp(), c.json)};
}

Reply answer_show_floods(const Command& c, Model& model, Privilege) {
  return {.lines = format_floods(model.floods(), c.json)};
}

Reply answer_set_node(const Command& c, Model& model, Privilege) {
  if (auto e = model.set_node_maint(c.on)) return error_reply("Error: " + *e);
  return {.lines = c.on ? "Node: maint (every VIP withdrawn)\n" : "Node: ready\n"};
}

Reply answer_set_vip_announce(const Command& c, Model& model, Privilege) {
  if (auto e = model.set_vip_announce(c.vip, c.on)) return error_reply("Error: " + *e);
  return {.lines = "VIP " + c.vip + ": announce " + (c.on ? "on" : "off") + "\n"};
}

// A failed reload answers its error line, then one line per config error.
Reply answer_reload(const Command&, Model& model, Privilege) {
  ReloadResult r = model.reload();
  std::string summary = r.summary.empty() ? (r.ok ? "Reloaded" : "no reason given") : r.summary;
  std::string out = one_line(r.ok ? summary : "Error: reload failed: " + summary);
  out += '\n';
  for (const std::string& line : r.details) {
    if (line.empty()) continue;  // a blank line would end the answer early
    out += one_line(line);
    out += '\n';
  }
  return {.lines = out};
}

// The dataplane answers these: the reply is completed when it does.
Reply answer_trace(const Command& c, Model& model, Privilege) {
  auto later = std::make_shared<LaterReply>();
  model.trace(c.trace, [later, json = c.json](const channel::TraceResult& r) {
    later->complete(format_trace(r, json));
  });
  return {.lines = {}, .close = false, .later = later};
}

Reply answer_show_conns(const Command& c, Model& model, Privilege) {
  auto later = std::make_shared<LaterReply>();
  model.conns({.vip = c.vip, .limit = c.limit},
              [later, json = c.json](const channel::ConnsResult& r) {
                later->complete(format_conns(r, json));
              });
  return {.lines = {}, .close = false, .later = later};
}

Reply answer_quit(const Command&, Model&, Privilege) { return {.lines = {}, .close = true}; }

}  // namespace sluice::api
