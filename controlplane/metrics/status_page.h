// SPDX-License-Identifier: BSD-3-Clause
// The status page in the spirit of HAProxy's stats page: one HTML page, its stylesheet and
// its script, all served from the binary, and the JSON the script renders every few
// seconds (one table per VIP with its backends, the HA state, the drops by reason). The
// JSON is the runtime API's own `--json` answers put together, so the page shows exactly
// what sluicectl shows. The script builds the page with DOM text nodes only (no markup from
// data), and the page loads nothing from anywhere else (the listener's CSP says so).
// Pure; the JSON from the Model's thread.
#pragma once

#include <string>
#include <string_view>

#include "api/model.h"

namespace sluice::metrics {

std::string_view status_html();
std::string_view status_css();
std::string_view status_js();

// {"info":...,"vips":...,"backends":...,"stats":...,"ha":...,"admin":{"enabled":B,
// "allowed":B}}: show info, show vips, show backends, show stats, show ha as --json gives
// them; admin: whether admin actions are on, and whether this client may use them.
std::string status_json(const api::Model& model, bool admin_enabled, bool admin_allowed);

}  // namespace sluice::metrics
