// SPDX-License-Identifier: BSD-3-Clause
#include "api/command_syntax.h"

#include <algorithm>

#include "api/text.h"

namespace sluice::api {
namespace {

bool is_fixed_word(std::string_view token) {
  return std::all_of(token.begin(), token.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

std::string syntax_and_json(const CommandRow& row) {
  return syntax_of(row) + (row.json ? " [json]" : "");
}

}  // namespace

std::vector<SyntaxToken> syntax_tokens(std::string_view arguments) {
  std::vector<SyntaxToken> out;
  bool in_group = false;
  for (std::string_view word : words_of(arguments)) {
    const bool opens = word.starts_with('[');
    if (opens) word.remove_prefix(1);
    const bool closes = word.ends_with(']');
    if (closes) word.remove_suffix(1);
    if (!in_group) out.push_back({{}, opens});
    out.back().words.push_back(word);
    in_group = (in_group || opens) && !closes;
  }
  return out;
}

std::string syntax_of(const CommandRow& row) {
  std::string out(row.words);
  if (!row.arguments.empty()) out += " " + std::string(row.arguments);
  return out;
}

std::string usage_of(const CommandRow& row) { return "Usage: " + syntax_and_json(row); }

std::string usage_of(std::span<const CommandRow* const> rows,
                     std::span<const std::string_view> typed) {
  if (rows.size() == 1) return usage_of(*rows.front());
  bool forms = std::all_of(rows.begin(), rows.end(),
                           [&](const CommandRow* r) { return r->words == rows.front()->words; });
  std::string out = "Usage: ";
  if (forms) {
    for (const CommandRow* r : rows) {
      if (r != rows.front()) out += ", or ";
      out += syntax_and_json(*r);
    }
    return out;
  }
  size_t typed_length = 0;
  for (std::string_view word : typed) {
    out += word;
    out += ' ';
    typed_length += word.size() + 1;
  }
  bool json = true;
  for (const CommandRow* r : rows) {
    if (r != rows.front()) out += '|';
    out += syntax_of(*r).substr(typed_length);
    json = json && r->json;
  }
  if (json) out += " [json]";
  return out;
}

size_t min_arguments(const CommandRow& row) {
  size_t n = 0;
  for (const SyntaxToken& t : syntax_tokens(row.arguments))
    if (!t.optional) n += t.words.size();
  return n;
}

size_t max_arguments(const CommandRow& row) { return words_of(row.arguments).size(); }

bool has_fixed_words(const CommandRow& row, std::span<const std::string_view> arguments) {
  size_t i = 0;
  for (const SyntaxToken& t : syntax_tokens(row.arguments)) {
    if (t.optional) break;
    for (std::string_view word : t.words) {
      if (is_fixed_word(word) && (i >= arguments.size() || arguments[i] != word)) return false;
      ++i;
    }
  }
  return true;
}

}  // namespace sluice::api
