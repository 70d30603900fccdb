// SPDX-License-Identifier: BSD-3-Clause
// Writes VIPs back as TOML in the config syntax, so parse_vip_update() reads them again
// unchanged. Used by sluiced to send the desired state. Pure; any thread.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"

namespace sluice::config {

// [[vip]] tables with their [[vip.backend]] tables; health checks are not written (the
// dataplane does not use them).
std::string vips_to_toml(const std::vector<Vip>& vips);

}  // namespace sluice::config
