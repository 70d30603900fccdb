// SPDX-License-Identifier: BSD-3-Clause
// The answers of trace and show conns, from the dataplane's results (channel/trace.h,
// channel/conns.h): human lines or one line of JSON, as format.h's. A result with an
// error is one "Error: ..." line either way. Pure; any thread.
#pragma once

#include <string>

#include "channel/conns.h"
#include "channel/trace.h"

namespace sluice::api {

std::string format_trace(const channel::TraceResult& result, bool json);
std::string format_conns(const channel::ConnsResult& result, bool json);

}  // namespace sluice::api
