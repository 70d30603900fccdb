// SPDX-License-Identifier: BSD-3-Clause
// What a port's `device` names, independent of its spelling: two ports may not share one.
// Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::config::loader {

// "DDDD:BB:DD.F" or "BB:DD.F" -> lower-case "dddd:bb:dd.f", the form DPDK names it by.
std::optional<std::string> pci_identity(std::string_view s);

// "net_<driver><n>[,args]" -> "net_<driver><n>".
std::optional<std::string> vdev_identity(std::string_view s);

}  // namespace sluice::config::loader
