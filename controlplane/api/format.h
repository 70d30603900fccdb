// SPDX-License-Identifier: BSD-3-Clause
// Answers of the show commands, as human tables (aligned columns, a header line) or as
// one line of JSON. Each function returns the answer's lines, each ending in '\n'; the
// blank line that ends an answer is added by the dispatcher. No human output ever holds
// an empty line or a control character, so the blank line cannot occur inside an answer.
// Pure; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/model.h"

namespace sluice::api {

std::string_view to_string(Health h);     // "UP", "DOWN", "unchecked"
std::string_view to_string(Effective e);  // "serving", "draining", "out"

// Left-aligned columns two spaces apart; the last column is not padded. Cells are shown
// with control characters replaced by '?', and an empty cell as "-".
class Table {
 public:
  explicit Table(std::vector<std::string> header);
  void add(std::vector<std::string> row);  // as many cells as the header
  std::string render() const;
  std::string render_rows() const;  // without the header line, aligned among themselves

 private:
  std::string render_from(size_t first) const;
  std::vector<std::vector<std::string>> rows_;
};

std::string format_info(const InfoView& info, bool json);
std::string format_vips(const std::vector<VipView>& vips, bool json);
// `vips` already narrowed to the VIP asked for, if any.
std::string format_backends(const std::vector<VipView>& vips, bool json);
std::string format_stats(const StatsView& stats, bool json);
// The dataplane's flow sync counters (its sync_<name> counters, without the prefix).
std::string format_sync(const StatsView& stats, bool json);
std::string format_health(const std::vector<HealthView>& health, bool json);
std::string format_bgp(const BgpView& bgp, bool json);
// A BGP session's state and last error: "Active (Socket: Connection refused)",
// "Established", "Error: No listening socket"; "" when bird gives neither.
std::string session_info(const BgpSessionView& session);
std::string format_floods(const std::vector<FloodView>& floods, bool json);
std::string format_ha(const std::vector<HaView>& instances, bool json);

}  // namespace sluice::api
