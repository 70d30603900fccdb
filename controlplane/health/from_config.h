// SPDX-License-Identifier: BSD-3-Clause
// The check spec of one backend from its VIP's [vip.check] table. Pure; any thread.
#pragma once

#include <optional>

#include "config/config.h"
#include "health/check_spec.h"

namespace sluice::health {

// nullopt when the VIP has no check (type "none"). A check port of 0 means the VIP's
// port.
std::optional<CheckSpec> check_spec_for(const config::Vip& vip, const IpAddress& backend);

}  // namespace sluice::health
