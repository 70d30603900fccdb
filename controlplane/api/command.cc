// SPDX-License-Identifier: BSD-3-Clause
#include "api/command.h"

#include <charconv>

#include "api/text.h"
#include "net/ip_address.h"

namespace sluice::api {
namespace {

Command error(Verb verb, std::string_view message) {
  Command c;
  c.verb = verb;
  c.error = std::string(message);
  return c;
}

Command unknown(std::string_view text) {
  return error(Verb::kUnknown, "Unknown command " + quoted(text) + ". Type 'help'.");
}

// Words after the command's own, with a trailing json/--json flag taken off.
struct Args {
  std::vector<std::string_view> words;
  bool json = false;
};

Args take_json(std::vector<std::string_view> words, size_t skip) {
  Args a;
  a.words.assign(words.begin() + static_cast<ptrdiff_t>(skip), words.end());
  if (!a.words.empty() && (a.words.back() == "json" || a.words.back() == "--json")) {
    a.json = true;
    a.words.pop_back();
  }
  return a;
}

// A command of fixed words with an optional trailing json flag.
Command fixed(Verb verb, const std::vector<std::string_view>& words, size_t skip,
              std::string_view usage) {
  Args a = take_json(words, skip);
  if (!a.words.empty()) return error(verb, usage);
  Command c;
  c.verb = verb;
  c.json = a.json;
  return c;
}

Command parse_show(std::string_view text, const std::vector<std::string_view>& w) {
  if (w.size() < 2) return error(Verb::kUnknown, kUsageShow);
  std::string_view what = w[1];
  if (what == "info") return fixed(Verb::kShowInfo, w, 2, kUsageShowInfo);
  if (what == "vips") return fixed(Verb::kShowVips, w, 2, kUsageShowVips);
  if (what == "stats") return fixed(Verb::kShowStats, w, 2, kUsageShowStats);
  if (what == "health") return fixed(Verb::kShowHealth, w, 2, kUsageShowHealth);
  if (what == "ha") return fixed(Verb::kShowHa, w, 2, kUsageShowHa);
  if (what == "backends") {
    Args a = take_json(w, 2);
    if (a.words.size() > 1) return error(Verb::kShowBackends, kUsageShowBackends);
    Command c;
    c.verb = Verb::kShowBackends;
    c.json = a.json;
    if (!a.words.empty()) c.vip = std::string(a.words[0]);
    return c;
  }
  return unknown(text);
}

Command parse_set(std::string_view text, const std::vector<std::string_view>& w) {
  if (w.size() < 2 || w[1] != "backend") {
    if (w.size() < 2) return error(Verb::kSetBackendState, kUsageSet);
    return unknown(text);
  }
  // set backend VIP BACKEND state|weight VALUE
  Verb verb = Verb::kSetBackendState;
  std::string_view usage = kUsageSet;
  if (w.size() >= 5 && w[4] == "weight") {
    verb = Verb::kSetBackendWeight;
    usage = kUsageSetWeight;
  } else if (w.size() >= 5 && w[4] == "state") {
    usage = kUsageSetState;
  }
  if (w.size() != 6 || usage == kUsageSet) return error(verb, usage);

  Command c;
  c.verb = verb;
  c.vip = std::string(w[2]);
  std::optional<IpAddress> address = IpAddress::parse(w[3]);
  if (!address) return error(verb, "Error: backend " + quoted(w[3]) + " is not an IP address");
  c.backend = address->to_string();

  std::string_view value = w[5];
  if (verb == Verb::kSetBackendState) {
    std::optional<config::BackendState> state = config::parse_backend_state(value);
    if (!state) return error(verb, usage);
    c.state = *state;
    return c;
  }
  unsigned weight = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), weight);
  if (ec != std::errc() || end != value.data() + value.size() || weight > 65535)
    return error(verb, "Error: weight " + quoted(value) + " is not an integer in 0..65535");
  c.weight = static_cast<uint16_t>(weight);
  return c;
}

}  // namespace

Privilege required_privilege(Verb verb) {
  switch (verb) {
    case Verb::kSetBackendState:
    case Verb::kSetBackendWeight:
    case Verb::kReload:
      return Privilege::kAdmin;
    default:
      return Privilege::kRead;
  }
}

bool is_error_line(std::string_view line) {
  for (std::string_view prefix : {"Error: ", "Usage: ", "Unknown command ", "Permission denied"})
    if (line.starts_with(prefix)) return true;
  return false;
}

Command parse_command(std::string_view text) {
  std::vector<std::string_view> w = words_of(text);
  if (w.empty()) return unknown(text);
  std::string_view verb = w[0];
  if (verb == "show") return parse_show(text, w);
  if (verb == "set") return parse_set(text, w);
  if (verb == "help") return fixed(Verb::kHelp, w, 1, kUsageHelp);
  if (verb == "reload") {
    if (w.size() != 1) return error(Verb::kReload, kUsageReload);
    return fixed(Verb::kReload, w, 1, kUsageReload);
  }
  if (verb == "quit") {
    if (w.size() != 1) return error(Verb::kQuit, kUsageQuit);
    return fixed(Verb::kQuit, w, 1, kUsageQuit);
  }
  return unknown(text);
}

std::vector<Command> parse_line(std::string_view line) {
  if (line.size() > kMaxLineBytes)
    return {error(Verb::kUnknown,
                  "Error: line too long (more than " + std::to_string(kMaxLineBytes) + " bytes)")};
  std::vector<Command> out;
  for (std::string_view part : split_commands(line)) out.push_back(parse_command(part));
  return out;
}

}  // namespace sluice::api
