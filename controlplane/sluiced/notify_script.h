// SPDX-License-Identifier: BSD-3-Clause
// A VRRP instance's notify script, run as keepalived runs it: `SCRIPT INSTANCE STATE
// PRIORITY`. Main loop only.
#pragma once

#include <string>

namespace sluice::sluiced {

// Starts `script` detached and returns at once: the script is not waited for, leaves no
// zombie behind, and runs with no signal blocked. An empty `script` runs nothing.
void run_notify_script(const std::string& script, const std::string& instance, const char* state,
                       unsigned priority);

}  // namespace sluice::sluiced
