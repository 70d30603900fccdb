// SPDX-License-Identifier: BSD-3-Clause
#include "api/arguments.h"

#include <charconv>

#include "api/text.h"
#include "net/ip_address.h"

namespace sluice::api {
namespace {

// VIP BACKEND ...: the backend as canonical address text.
std::optional<std::string> parse_vip_and_backend(std::span<const std::string_view> arguments,
                                                 Command& command) {
  command.vip = std::string(arguments[0]);
  std::optional<IpAddress> address = IpAddress::parse(arguments[1]);
  if (!address) return "Error: backend " + quoted(arguments[1]) + " is not an IP address";
  command.backend = address->to_string();
  return std::nullopt;
}

}  // namespace

std::optional<std::string> parse_show_backends(std::span<const std::string_view> arguments,
                                               std::string_view, Command& command) {
  if (!arguments.empty()) command.vip = std::string(arguments[0]);
  return std::nullopt;
}

std::optional<std::string> parse_set_backend_state(std::span<const std::string_view> arguments,
                                                   std::string_view usage, Command& command) {
  if (auto error = parse_vip_and_backend(arguments, command)) return error;
  std::optional<config::BackendState> state = config::parse_backend_state(arguments[3]);
  if (!state) return std::string(usage);
  command.state = *state;
  return std::nullopt;
}

std::optional<std::string> parse_set_backend_weight(std::span<const std::string_view> arguments,
                                                    std::string_view, Command& command) {
  if (auto error = parse_vip_and_backend(arguments, command)) return error;
  std::string_view value = arguments[3];
  unsigned weight = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), weight);
  if (ec != std::errc() || end != value.data() + value.size() || weight > 65535)
    return "Error: weight " + quoted(value) + " is not an integer in 0..65535";
  command.weight = static_cast<uint16_t>(weight);
  return std::nullopt;
}

std::optional<std::string> parse_set_node(std::span<const std::string_view> arguments,
                                          std::string_view usage, Command& command) {
  if (arguments[0] != "maint" && arguments[0] != "ready") return std::string(usage);
  command.on = arguments[0] == "maint";
  return std::nullopt;
}

std::optional<std::string> parse_set_vip_announce(std::span<const std::string_view> arguments,
                                                  std::string_view usage, Command& command) {
  if (arguments[2] != "on" && arguments[2] != "off") return std::string(usage);
  command.vip = std::string(arguments[0]);
  command.on = arguments[2] == "on";
  return std::nullopt;
}

}  // namespace sluice::api
