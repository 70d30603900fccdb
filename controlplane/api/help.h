// SPDX-License-Identifier: BSD-3-Clause
// The `help` answer, derived from the command table. Pure; any thread.
#pragma once

#include <string>

#include "api/privilege.h"

namespace sluice::api {

// The commands open to `level`, each with its description; human lines or one line of
// JSON, each ending in '\n'.
std::string format_help(Privilege level, bool json);

}  // namespace sluice::api
