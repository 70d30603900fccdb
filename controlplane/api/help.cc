// SPDX-License-Identifier: BSD-3-Clause
#include "api/help.h"

#include <algorithm>

#include "api/command_syntax.h"
#include "api/command_table.h"
#include "api/json_writer.h"

namespace sluice::api {
namespace {

// Wide enough for every command, so that help lines up the same at every level.
size_t syntax_width() {
  size_t width = 0;
  for (const CommandRow& row : command_table()) width = std::max(width, syntax_of(row).size());
  return width;
}

void pad_to(std::string& out, size_t used, size_t width) { out.append(width - used + 2, ' '); }

}  // namespace

std::string format_help(Privilege level, bool json) {
  if (json) {
    JsonWriter w;
    w.begin_object().key("commands").begin_array();
    for (const CommandRow& row : command_table()) {
      if (row.level > level) continue;
      w.begin_object().key("command").value(syntax_of(row));
      w.key("description").value(row.description).end_object();
    }
    w.end_array().end_object();
    return w.str() + "\n";
  }
  size_t width = syntax_width();
  std::string out =
      "Commands (';' separates several on one line; append 'json' to a show "
      "command for JSON):\n";
  for (const CommandRow& row : command_table()) {
    if (row.level > level) continue;
    std::string syntax = syntax_of(row);
    out += "  " + syntax;
    pad_to(out, syntax.size(), width);
    out += row.description;
    out += '\n';
  }
  return out;
}

std::string command_summary() {
  size_t width = syntax_width();
  size_t level_width = to_string(Privilege::kAdmin).size();
  std::string out;
  for (const CommandRow& row : command_table()) {
    std::string syntax = syntax_of(row);
    std::string_view level = to_string(row.level);
    out += "  " + syntax;
    pad_to(out, syntax.size(), width);
    out += level;
    pad_to(out, level.size(), level_width);
    out += row.description;
    out += '\n';
  }
  return out;
}

}  // namespace sluice::api
