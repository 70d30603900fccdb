// SPDX-License-Identifier: BSD-3-Clause
// The lists of commands, derived from the command table: the `help` answer and the
// command list of `sluicectl --help`. Pure; any thread.
#pragma once

#include <string>

#include "api/privilege.h"

namespace sluice::api {

// The commands open to `level`, each with its description; human lines or one line of
// JSON, each ending in '\n'.
std::string format_help(Privilege level, bool json);

// Every command with the level it needs and its description, one indented line each.
std::string command_summary();

}  // namespace sluice::api
