// SPDX-License-Identifier: BSD-3-Clause
// Runs one input line against a Model at a caller's privilege and builds the text to send
// back: one answer per command, each ending with a blank line, errors as one line. Each
// command is answered by its row of the command table. Call only from the thread that
// owns the Model (the daemon's main loop).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/command.h"
#include "api/later_reply.h"
#include "api/model.h"
#include "api/privilege.h"

namespace sluice::api {

struct Answer {
  std::string text;   // the answers of the commands run, in order
  bool quit = false;  // a `quit` was reached: send `text`, then close; later commands skipped
  // A command answers later (Reply::later, not yet complete): `text` holds the answers
  // before it; once `later` is complete its lines and a blank line follow, then the
  // answers of `rest`, the commands after it.
  std::shared_ptr<LaterReply> later;
  std::vector<Command> rest;
};

// `line` without its '\n'. An empty or blank line answers nothing at all.
Answer execute_line(Model& model, std::string_view line, Privilege level);
// The same for commands already parsed (Answer::rest).
Answer execute_commands(Model& model, std::span<const Command> commands, Privilege level);

}  // namespace sluice::api
