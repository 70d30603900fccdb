// SPDX-License-Identifier: BSD-3-Clause
// The textual forms the schema allows for names and paths. Pure.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"

namespace sluice::config::loader {

// 1..max_len characters from [A-Za-z0-9_-], plus '.' when allow_dot.
bool valid_name(std::string_view s, size_t max_len, bool allow_dot);

// An absolute path that fits a Unix socket address.
bool valid_socket_path(const std::string& p);

// "ASN:VALUE" (two numbers 0..65535) or "GLOBAL:LOCAL1:LOCAL2" (three numbers
// 0..4294967295), decimal digits only.
std::optional<BgpCommunity> parse_bgp_community(std::string_view s);

}  // namespace sluice::config::loader
