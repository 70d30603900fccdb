// SPDX-License-Identifier: BSD-3-Clause
#include "api/dispatcher.h"

#include "api/command.h"
#include "api/command_table.h"
#include "api/text.h"

namespace sluice::api {

Answer execute_line(Model& model, std::string_view line, Privilege level) {
  Answer a;
  for (const Command& c : parse_line(line)) {
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
      a.text += reply.lines + "\n";
    }
  }
  return a;
}

}  // namespace sluice::api
