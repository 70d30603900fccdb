// SPDX-License-Identifier: BSD-3-Clause
#include "api/dispatcher.h"

#include "api/command.h"
#include "api/command_table.h"
#include "api/text.h"

namespace sluice::api {

Answer execute_line(Model& model, std::string_view line, Privilege level) {
  return execute_commands(model, parse_line(line), level);
}

Answer execute_commands(Model& model, std::span<const Command> commands, Privilege level) {
  Answer a;
  for (size_t i = 0; i < commands.size(); ++i) {
    const Command& c = commands[i];
    if (c.needs > level) {
      a.text += std::string(kPermissionDenied) + "\n\n";
    } else if (!c.error.empty()) {
      a.text += one_line(c.error) + "\n\n";
    } else {
      Reply reply = c.row->answer(c, model, level);
      if (reply.close) {
        a.quit = true;
        break;
      }
      if (reply.later && !reply.later->done()) {
        a.later = std::move(reply.later);
        a.rest.assign(commands.begin() + long(i) + 1, commands.end());
        break;
      }
      a.text += (reply.later ? reply.later->lines() : reply.lines) + "\n";
    }
  }
  return a;
}

}  // namespace sluice::api
