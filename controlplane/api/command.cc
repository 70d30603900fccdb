// SPDX-License-Identifier: BSD-3-Clause
#include "api/command.h"

#include <algorithm>

#include "api/command_syntax.h"
#include "api/command_table.h"
#include "api/text.h"

namespace sluice::api {
namespace {

using Words = std::span<const std::string_view>;

Command error(const CommandRow* row, Privilege needs, std::string line) {
  Command c;
  c.row = row;
  c.needs = needs;
  c.error = std::move(line);
  return c;
}

Command unknown(std::string_view text) {
  return error(nullptr, Privilege::kRead, "Unknown command " + quoted(text) + ". Type 'help'.");
}

bool begins_with(Words words, Words prefix) {
  return words.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), words.begin());
}

Privilege lowest_level(std::span<const CommandRow* const> rows) {
  Privilege level = Privilege::kAdmin;
  for (const CommandRow* r : rows) level = std::min(level, r->level);
  return level;
}

Command parse_arguments(const CommandRow& row, Words arguments, bool json) {
  if (arguments.size() < min_arguments(row) || arguments.size() > max_arguments(row))
    return error(&row, row.level, usage_of(row));
  Command c;
  c.row = &row;
  c.needs = row.level;
  c.json = json;
  if (row.parse) {
    if (auto e = row.parse(arguments, usage_of(row), c)) return error(&row, row.level, *e);
  }
  return c;
}

// `input` names no command, but may be the start of the names of some: "show", "set".
Command unfinished(std::string_view text, Words input) {
  std::vector<const CommandRow*> begun;
  for (const CommandRow& row : command_table())
    if (begins_with(words_of(row.words), input)) begun.push_back(&row);
  if (begun.empty()) return unknown(text);
  return error(nullptr, lowest_level(begun), usage_of(begun, input));
}

}  // namespace

bool is_error_line(std::string_view line) {
  for (std::string_view prefix : {"Error: ", "Usage: ", "Unknown command ", "Permission denied"})
    if (line.starts_with(prefix)) return true;
  return false;
}

Command parse_command(std::string_view text) {
  std::vector<std::string_view> input = words_of(text);
  if (input.empty()) return unknown(text);

  // The rows whose words begin the input, the longest name winning; several rows are the
  // forms of one command.
  std::vector<const CommandRow*> named;
  size_t name_size = 0;
  for (const CommandRow& row : command_table()) {
    std::vector<std::string_view> name = words_of(row.words);
    if (!begins_with(input, name) || name.size() < name_size) continue;
    if (name.size() > name_size) named.clear();
    name_size = name.size();
    named.push_back(&row);
  }
  if (named.empty()) return unfinished(text, input);

  Words after_name = Words(input).subspan(name_size);
  for (const CommandRow* row : named) {
    Words arguments = after_name;
    bool json = row->json && !arguments.empty() &&
                (arguments.back() == "json" || arguments.back() == "--json");
    if (json) arguments = arguments.first(arguments.size() - 1);
    if (has_fixed_words(*row, arguments)) return parse_arguments(*row, arguments, json);
  }
  return error(named.size() == 1 ? named.front() : nullptr, lowest_level(named),
               usage_of(named, Words(input).first(name_size)));
}

std::vector<Command> parse_line(std::string_view line) {
  if (line.size() > kMaxLineBytes)
    return {error(nullptr, Privilege::kRead,
                  "Error: line too long (more than " + std::to_string(kMaxLineBytes) + " bytes)")};
  std::vector<Command> out;
  for (std::string_view part : split_commands(line)) out.push_back(parse_command(part));
  return out;
}

}  // namespace sluice::api
