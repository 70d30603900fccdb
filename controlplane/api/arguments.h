// SPDX-License-Identifier: BSD-3-Clause
// The ArgumentParsers of the command table's rows: each reads the argument words of one
// command, laid out as its row's syntax says, into a Command. Pure; any thread.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "api/command.h"

namespace sluice::api {

// [VIP]
std::optional<std::string> parse_show_backends(std::span<const std::string_view> arguments,
                                               std::string_view usage, Command& command);
// VIP BACKEND state ready|drain|maint
std::optional<std::string> parse_set_backend_state(std::span<const std::string_view> arguments,
                                                   std::string_view usage, Command& command);
// VIP BACKEND weight 0..65535
std::optional<std::string> parse_set_backend_weight(std::span<const std::string_view> arguments,
                                                    std::string_view usage, Command& command);

// frame HEX [port NAME]
std::optional<std::string> parse_trace_frame(std::span<const std::string_view> arguments,
                                             std::string_view usage, Command& command);
// tcp CLIENT:PORT VIP:PORT [syn|ack] [port NAME], udp CLIENT:PORT VIP:PORT [port NAME]
std::optional<std::string> parse_trace_tuple(std::span<const std::string_view> arguments,
                                             std::string_view usage, Command& command);
// VIP [limit 1..10000]
std::optional<std::string> parse_show_conns(std::span<const std::string_view> arguments,
                                            std::string_view usage, Command& command);

// maint|ready
std::optional<std::string> parse_set_node(std::span<const std::string_view> arguments,
                                          std::string_view usage, Command& command);
// VIP announce on|off
std::optional<std::string> parse_set_vip_announce(std::span<const std::string_view> arguments,
                                                  std::string_view usage, Command& command);

}  // namespace sluice::api
