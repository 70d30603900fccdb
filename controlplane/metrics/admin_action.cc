// SPDX-License-Identifier: BSD-3-Clause
#include "metrics/admin_action.h"

#include <algorithm>
#include <map>
#include <optional>

#include "api/command.h"
#include "api/command_table.h"
#include "net/socket_address.h"

namespace sluice::metrics {
namespace {

constexpr size_t kMaxNameLength = 63;  // a [[vip]] name, as the config allows it

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding of one name or value.
std::optional<std::string> form_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex_digit(s[i + 1]), lo = hex_digit(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += char(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The form's fields, or the reason it is refused.
std::optional<std::string> parse_form(std::string_view body,
                                      std::map<std::string, std::string>& fields) {
  if (body.empty()) return "empty form; want vip=NAME&backend=ADDRESS&state=ready|drain|maint";
  while (true) {
    size_t amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) return "malformed form field (no '=')";
    auto name = form_decode(pair.substr(0, eq));
    auto value = form_decode(pair.substr(eq + 1));
    if (!name || !value) return "malformed percent-encoding in the form";
    if (*name != "vip" && *name != "backend" && *name != "state" && *name != "weight")
      return "unknown form field '" + *name + "'; allowed: vip, backend, state, weight";
    if (!fields.emplace(*name, *value).second) return "form field '" + *name + "' given twice";
    if (amp == std::string_view::npos) break;
    body.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

bool is_word(std::string_view s, size_t max) {
  return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), name_char);
}

// The Host field names an IP address (with or without a port), not a host name.
bool host_is_address(std::string_view host) {
  if (IpAddress::parse(host) && host.find(':') == std::string_view::npos) return true;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    return IpAddress::parse(host.substr(1, host.size() - 2)).has_value();
  return SocketAddress::parse(host).has_value();
}

HttpResponse forbidden(std::string_view why) { return text_response(403, why); }

}  // namespace

api::Privilege privilege_for_client(const AdminPolicy& policy, const IpAddress& peer) {
  if (!policy.enabled) return api::Privilege::kRead;
  for (const IpPrefix& p : policy.sources)
    if (p.contains(peer)) return api::Privilege::kAdmin;
  return api::Privilege::kRead;
}

HttpResponse admin_backend(api::Model& model, const AdminPolicy& policy, const HttpRequest& request,
                           const IpAddress& peer) {
  if (!policy.enabled)
    return forbidden("admin actions are disabled; set admin_actions = true in [metrics]");
  const api::Privilege level = privilege_for_client(policy, peer);
  if (level != api::Privilege::kAdmin)
    return forbidden("admin actions are not allowed from " + peer.to_string() +
                     ": not in [metrics] admin_sources");
  if (request.field("x-sluice-admin") != "1")
    return forbidden("admin actions need the header X-Sluice-Admin: 1");
  const std::string_view host = request.field("host").value_or("");
  if (!host_is_address(host))
    return forbidden("admin actions need a Host that is an IP address, not a name");
  if (auto origin = request.field("origin"); origin && *origin != "http://" + std::string(host))
    return forbidden("admin actions from another origin are refused");
  const std::string_view type = request.field("content-type").value_or("");
  if (type.substr(0, type.find(';')) != "application/x-www-form-urlencoded")
    return text_response(415, "send the form as application/x-www-form-urlencoded");

  std::map<std::string, std::string> form;
  if (auto error = parse_form(request.body, form)) return text_response(400, *error);
  const std::string& vip = form["vip"];
  const std::string& backend = form["backend"];
  if (!is_word(vip, kMaxNameLength))
    return text_response(400, "vip: a VIP name of 1-63 characters from A-Z a-z 0-9 _ . -");
  auto address = IpAddress::parse(backend);
  if (!address) return text_response(400, "backend: an IP address");
  const bool has_state = form.count("state") > 0, has_weight = form.count("weight") > 0;
  if (has_state == has_weight) return text_response(400, "give either state or weight");
  const std::string what = has_state ? "state" : "weight";
  const std::string& value = form[what];
  if (!is_word(value, 5))
    return text_response(400, what + ": " + (has_state ? "ready, drain or maint" : "0..65535"));

  // The command the runtime API would run: its row decides the level it needs and reads
  // the values; nothing in it came from the client unchecked.
  const std::string line =
      "set backend " + vip + " " + address->to_string() + " " + what + " " + value;
  api::Command command = api::parse_command(line);
  if (command.needs > level) return forbidden(api::kPermissionDenied);
  if (!command.error.empty()) return text_response(400, command.error);
  api::Reply reply = command.row->answer(command, model, level);
  std::string text = reply.lines;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text_response(api::is_error_line(text) ? 400 : 200, text);
}

}  // namespace sluice::metrics
