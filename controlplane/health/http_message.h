// SPDX-License-Identifier: BSD-3-Clause
// The HTTP health-check request and the status-line parser; pure functions, any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "health/check_spec.h"

namespace sluice::health {

// "GET <path> HTTP/1.0\r\nHost: <host>\r\nUser-Agent: sluice-health\r\n
//  Connection: close\r\n\r\n". Host defaults to the address literal, with ":port"
// unless the port is 80.
std::string http_request(const CheckSpec& spec);

// The status code of "HTTP/<major>.<minor> <3 digits>[ reason]"; the line may end with
// CRLF, LF or nothing. nullopt for anything else.
std::optional<uint16_t> parse_status_line(std::string_view line);

}  // namespace sluice::health
