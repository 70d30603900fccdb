// SPDX-License-Identifier: BSD-3-Clause
#include "api/command_table.h"

#include "api/answers.h"
#include "api/arguments.h"

namespace sluice::api {
namespace {

constexpr Privilege kRead = Privilege::kRead;
constexpr Privilege kAdmin = Privilege::kAdmin;

constexpr CommandRow kCommands[] = {
    {.words = "help",
     .arguments = "",
     .level = kRead,
     .json = true,
     .description = "this list",
     .parse = nullptr,
     .answer = answer_help},
    {.words = "show info",
     .arguments = "",
     .level = kRead,
     .json = true,
     .description = "version, uptime, config, dataplane connection",
     .parse = nullptr,
     .answer = answer_show_info},
    {.words = "show vips",
     .arguments = "",
     .level = kRead,
     .json = true,
     .description = "virtual services",
     .parse = nullptr,
     .answer = answer_show_vips},
    {.words = "show backends",
     .arguments = "[VIP]",
     .level = kRead,
     .json = true,
     .description = "backends: admin state, weight, health, counters",
     .parse = parse_show_backends,
     .answer = answer_show_backends},
    {.words = "show stats",
     .arguments = "",
     .level = kRead,
     .json = true,
     .description = "dataplane counters, drops by reason",
     .parse = nullptr,
     .answer = answer_show_stats},
    {.words = "show health",
     .arguments = "",
     .level = kRead,
     .json = true,
     .description = "health checks: status, reason, age",
     .parse = nullptr,
     .answer = answer_show_health},
    {.words = "show ha",
     .arguments = "",
     .level = kRead,
     .json = true,
     .description = "high-availability (VRRP) state",
     .parse = nullptr,
     .answer = answer_show_ha},
    {.words = "set backend",
     .arguments = "VIP BACKEND state ready|drain|maint",
     .level = kAdmin,
     .json = false,
     .description = "set the admin state (persisted)",
     .parse = parse_set_backend_state,
     .answer = answer_set_backend_state},
    {.words = "set backend",
     .arguments = "VIP BACKEND weight 0..65535",
     .level = kAdmin,
     .json = false,
     .description = "override the weight (persisted)",
     .parse = parse_set_backend_weight,
     .answer = answer_set_backend_weight},
    {.words = "reload",
     .arguments = "",
     .level = kAdmin,
     .json = false,
     .description = "re-read the config file",
     .parse = nullptr,
     .answer = answer_reload},
    {.words = "quit",
     .arguments = "",
     .level = kRead,
     .json = false,
     .description = "close the connection",
     .parse = nullptr,
     .answer = answer_quit},
};

}  // namespace

std::span<const CommandRow> command_table() { return kCommands; }

}  // namespace sluice::api
