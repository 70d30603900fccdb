// SPDX-License-Identifier: BSD-3-Clause
// The BGP state file ([bgp] state_file): what the operator set from the runtime API for
// the announcements, kept across restarts of sluiced: the node in maintenance, and the
// VIPs pinned to "never announce". A node taken out for maintenance must not announce
// itself again because sluiced restarted.
//
// Format (text, '#' comments allowed), replaced atomically like the admin-state file:
//
//   sluice-bgp-state 1
//   node maint 1718000000
//   vip www off 1718000000
//
// The last field is the Unix time of the change. A file that is not exactly this format
// is ignored as a whole with one message naming its line. Main loop only.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::sluiced {

inline constexpr std::string_view kBgpStateHeader = "sluice-bgp-state 1";

struct BgpState {
  bool node_maint = false;
  int64_t node_updated_s = 0;
  std::set<std::string> pinned;  // VIP names pinned off by the operator
  int64_t pins_updated_s = 0;
  friend bool operator==(const BgpState&, const BgpState&) = default;
};

struct BgpStateParse {
  BgpState state;
  std::optional<std::string> error;  // set: the file was ignored as a whole
};

BgpStateParse parse_bgp_state(std::string_view text, std::string_view file_name);
std::string serialize_bgp_state(const BgpState& state);

// Reads `path`: a missing file is an empty state and no message.
BgpStateParse load_bgp_state(const std::string& path);
// Writes `path` atomically (temporary file, fsync, rename). nullopt on success.
std::optional<std::string> save_bgp_state(const std::string& path, const BgpState& state);

}  // namespace sluice::sluiced
