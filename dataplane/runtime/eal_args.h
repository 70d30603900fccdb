// SPDX-License-Identifier: BSD-3-Clause
// The EAL command line derived from the config: lcores, memory, file prefix, and one
// --vdev or -a per port. Pure, so it is unit-tested without starting EAL.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace sluice {

// argv[0] is "sluice-dataplane".
std::vector<std::string> eal_arguments(const config::Config& config);

// The name DPDK gives the port of a device string: the vdev name before the first comma,
// or the PCI address with its domain ("3b:00.0" -> "0000:3b:00.0").
std::string ethdev_name(const std::string& device);

bool is_vdev(const std::string& device);

// The non-empty value of `key` in a vdev string's arguments ("net_af_xdp0,iface=eth1" -> "eth1").
std::optional<std::string> vdev_argument(const std::string& device, std::string_view key);

// Where the dataplane writes the XDP steering program's object for DPDK's af_xdp PMD to
// load (the xdp_prog= argument of every port with exception_path = "xdp").
std::string steering_object_path(const config::DataplaneSettings& settings);

// The DPDK name of port `index`'s exception-path TAP device.
std::string tap_device_name(size_t index);

}  // namespace sluice
