// SPDX-License-Identifier: BSD-3-Clause
// The runtime API's command language: one line holds one or more commands separated by
// ';'. Each is matched against the command table (command_table.h) and parsed into a
// Command, or into an error line to answer instead. Pure; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/privilege.h"
#include "channel/conns.h"
#include "channel/trace.h"
#include "config/config.h"

namespace sluice::api {

struct CommandRow;

inline constexpr size_t kMaxLineBytes = 4096;

struct Command {
  // The row to run; nullptr when the words name no one command (then `error` is set).
  const CommandRow* row = nullptr;
  // The level needed for this answer, error line included: checked first, so a caller
  // below it learns nothing about the arguments of a command it may not run.
  Privilege needs = Privilege::kRead;
  // Non-empty: the command is not to be run and this one line is its answer.
  std::string error;
  bool json = false;
  std::string vip;      // show backends (empty = all), set backend, show conns
  std::string backend;  // set backend; canonical address text
  config::BackendState state = config::BackendState::kReady;
  uint16_t weight = 0;
  bool on = false;              // set node (true: maint), set vip announce (true: on)
  channel::TraceRequest trace;  // trace
  uint32_t limit = channel::kDefaultConnsRows;  // show conns

  friend bool operator==(const Command&, const Command&) = default;
};

// Every answer that is an error starts with one of these; sluicectl exits 1 on them.
bool is_error_line(std::string_view line);

Command parse_command(std::string_view text);

// One Command per non-empty part; an empty line gives none. A line longer than
// kMaxLineBytes gives a single error Command.
std::vector<Command> parse_line(std::string_view line);

inline constexpr std::string_view kPermissionDenied = "Permission denied";

}  // namespace sluice::api
