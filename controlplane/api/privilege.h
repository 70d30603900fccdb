// SPDX-License-Identifier: BSD-3-Clause
// Privilege levels of the runtime API. A connection gets one level when it is accepted and
// keeps it; each command needs a level (its row in command_table.cc). Pure; any thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string_view>

namespace sluice::api {

enum class Privilege : uint8_t {
  kRead,   // help, show ...
  kAdmin,  // everything: set, reload
};

// The level of a peer found with SO_PEERCRED. The socket file is mode 0660, so only its
// owner and group can connect at all; of those, root and the daemon's own uid are admins,
// every other uid (group members) can only read.
constexpr Privilege privilege_for_peer(uid_t peer_uid, uid_t daemon_uid) {
  return (peer_uid == 0 || peer_uid == daemon_uid) ? Privilege::kAdmin : Privilege::kRead;
}

constexpr std::string_view to_string(Privilege p) {
  return p == Privilege::kAdmin ? "admin" : "read";
}

}  // namespace sluice::api
