// SPDX-License-Identifier: BSD-3-Clause
// What bird says about its BGP sessions: its `show protocols` reply read into one entry
// per BGP and BFD protocol, and the version in its greeting. Pure; any thread.
//
// A row of `show protocols` is "name proto table state since info", the columns apart by
// spaces (a long name pushes the others right). `since` is in bird's `timeformat
// protocol`: "03:18:59.594" by default, a date alone for older changes, "2024-06-01
// 03:18:59" with `iso long`. A BGP protocol's info is its session's state, then the last
// error: "Active        Socket: Connection refused".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bird/reply.h"

namespace sluice::bird {

struct ProtocolStatus {
  std::string name{};   // the protocol's name in bird's config: "router1"
  std::string proto{};  // "BGP" or "BFD"
  // bird's protocol state: "up", "start", "stop", "flush", "down"; a BGP protocol is
  // "up" while its session is established.
  std::string state{};
  std::string since{};       // when `state` last changed, as bird wrote it
  std::string session{};     // BGP: "Idle", "Connect", "Active", "OpenSent", "OpenConfirm",
                             // "Established", "Close"; "" when bird gives none
  std::string last_error{};  // BGP: "Socket: Connection refused", "Error: BFD session down"
  friend bool operator==(const ProtocolStatus&, const ProtocolStatus&) = default;
};

struct ProtocolsParse {
  std::vector<ProtocolStatus> protocols;  // BGP and BFD ones, in bird's order
  std::string error;                      // "" when the reply was understood whole
};

ProtocolsParse parse_protocols(const Reply& reply);

// "2.0.12" from the greeting "0001 BIRD 2.0.12 ready."; nullopt for any other reply.
std::optional<std::string> parse_greeting(const Reply& reply);

}  // namespace sluice::bird
