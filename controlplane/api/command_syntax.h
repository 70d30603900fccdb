// SPDX-License-Identifier: BSD-3-Clause
// What a command row's words and argument syntax say (command_table.h: CommandRow): the
// line help shows, the usage line of a usage error, how many argument words it takes and
// which of them are fixed words. Pure; any thread.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/command_table.h"

namespace sluice::api {

// A row's argument syntax token by token: a value or word, or an optional group in
// brackets ("[VIP]", "[port NAME]") with its words. Optional groups come last; each may be
// given or left out, which the row's parser tells apart.
struct SyntaxToken {
  std::vector<std::string_view> words;
  bool optional = false;
};
std::vector<SyntaxToken> syntax_tokens(std::string_view arguments);

// "show backends [VIP]"
std::string syntax_of(const CommandRow& row);

// "Usage: show backends [VIP] [json]"
std::string usage_of(const CommandRow& row);

// The usage line of several rows that the words typed so far (`typed`) leave open: the
// forms of one command ("Usage: set backend VIP BACKEND state ready|drain|maint, or set
// backend VIP BACKEND weight 0..65535"), or the commands whose names begin with `typed`
// ("Usage: show info|vips|backends [VIP]|stats|health|ha [json]").
std::string usage_of(std::span<const CommandRow* const> rows,
                     std::span<const std::string_view> typed);

// How many argument words the syntax takes, json flag not counted: the required ones, and
// every one.
size_t min_arguments(const CommandRow& row);
size_t max_arguments(const CommandRow& row);

// Each of the syntax's required fixed (lowercase) words is there, in its place, in
// `arguments`.
bool has_fixed_words(const CommandRow& row, std::span<const std::string_view> arguments);

}  // namespace sluice::api
