// SPDX-License-Identifier: BSD-3-Clause
// The runtime API's command language: one line holds one or more commands separated by
// ';'. Each is parsed into a Command, or into an error line to answer instead. Pure; any
// thread.
//
//   help                                              read
//   show info | vips | backends [VIP] | stats | health | ha   [json|--json]   read
//   set backend VIP BACKEND state ready|drain|maint   admin
//   set backend VIP BACKEND weight 0..65535           admin
//   reload                                            admin
//   quit                                              read (closes the connection)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/privilege.h"
#include "config/config.h"

namespace sluice::api {

inline constexpr size_t kMaxLineBytes = 4096;

enum class Verb : uint8_t {
  kUnknown,
  kHelp,
  kShowInfo,
  kShowVips,
  kShowBackends,
  kShowStats,
  kShowHealth,
  kShowHa,
  kSetBackendState,
  kSetBackendWeight,
  kReload,
  kQuit,
};

struct Command {
  Verb verb = Verb::kUnknown;
  // Non-empty: the command is not to be run and this one line is its answer. `verb` is
  // still set when the words named a known command, so that privilege is checked first.
  std::string error;
  bool json = false;
  std::string vip;      // show backends (empty = all), set backend
  std::string backend;  // set backend; canonical address text
  config::BackendState state = config::BackendState::kReady;
  uint16_t weight = 0;

  friend bool operator==(const Command&, const Command&) = default;
};

Privilege required_privilege(Verb verb);

// Every answer that is an error starts with one of these; sluicectl exits 1 on them.
bool is_error_line(std::string_view line);

Command parse_command(std::string_view text);

// One Command per non-empty part; an empty line gives none. A line longer than
// kMaxLineBytes gives a single error Command.
std::vector<Command> parse_line(std::string_view line);

// Error lines, exactly as answered.
inline constexpr std::string_view kPermissionDenied = "Permission denied";
inline constexpr std::string_view kUsageShow =
    "Usage: show info|vips|backends [VIP]|stats|health|ha [json]";
inline constexpr std::string_view kUsageShowInfo = "Usage: show info [json]";
inline constexpr std::string_view kUsageShowVips = "Usage: show vips [json]";
inline constexpr std::string_view kUsageShowBackends = "Usage: show backends [VIP] [json]";
inline constexpr std::string_view kUsageShowStats = "Usage: show stats [json]";
inline constexpr std::string_view kUsageShowHealth = "Usage: show health [json]";
inline constexpr std::string_view kUsageShowHa = "Usage: show ha [json]";
inline constexpr std::string_view kUsageHelp = "Usage: help [json]";
inline constexpr std::string_view kUsageSet =
    "Usage: set backend VIP BACKEND state ready|drain|maint, or set backend VIP BACKEND "
    "weight 0..65535";
inline constexpr std::string_view kUsageSetState =
    "Usage: set backend VIP BACKEND state ready|drain|maint";
inline constexpr std::string_view kUsageSetWeight =
    "Usage: set backend VIP BACKEND weight 0..65535";
inline constexpr std::string_view kUsageReload = "Usage: reload";
inline constexpr std::string_view kUsageQuit = "Usage: quit";

}  // namespace sluice::api
