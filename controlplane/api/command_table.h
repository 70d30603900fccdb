// SPDX-License-Identifier: BSD-3-Clause
// The runtime API's commands, one row each, as HAProxy's cli_kw_list: the words naming a
// command, the syntax of its arguments, the privilege it needs, a one-line description,
// how it reads its arguments and how it answers. Parsing, usage errors, permission
// checks, help, dispatch and sluicectl's --json and usage are all derived from the rows,
// so a command is added by adding its row to command_table.cc. Constant; any thread.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "api/later_reply.h"
#include "api/privilege.h"

namespace sluice::api {

class Model;
struct Command;

// What one command answers: its lines, each ending in '\n' (the dispatcher adds the blank
// line that ends every answer), or nothing and the connection closes (quit), or, with
// `later`, the lines it is completed with.
struct Reply {
  std::string lines;
  bool close = false;
  std::shared_ptr<LaterReply> later = nullptr;
};

// Reads a row's argument words (without the json flag) into `command`; called only when
// their number fits the syntax. nullopt when they are good, else the line to answer:
// `usage` (the row's usage line) when a value is not one the syntax allows, or an
// "Error: ..." line saying what is wrong with it.
using ArgumentParser = std::optional<std::string> (*)(std::span<const std::string_view> arguments,
                                                      std::string_view usage, Command& command);

// Answers a parsed command against the Model for a caller at `level`.
using Answerer = Reply (*)(const Command& command, Model& model, Privilege level);

struct CommandRow {
  // The words naming the command, one space apart: "show backends". Rows with the same
  // words are forms of one command, told apart by a lowercase word of their arguments.
  std::string_view words;
  // The arguments after the words, as help shows them: a CAPITAL word is a value, [X] an
  // optional value and [x Y] an optional group of words (optional ones last), a|b one of
  // these words, 0..N an integer in that range, and a lowercase word is that word itself.
  // It also says how many words they are.
  std::string_view arguments;
  Privilege level = Privilege::kRead;
  bool json = false;             // takes a trailing `json` or `--json`: answer as one line of JSON
  std::string_view description;  // one line, for help
  ArgumentParser parse = nullptr;  // nullptr: no values to read
  Answerer answer = nullptr;       // never nullptr
};

// Every command, in the order help lists them.
std::span<const CommandRow> command_table();

}  // namespace sluice::api
