// SPDX-License-Identifier: BSD-3-Clause
// Text in and out of the runtime API: a line cut into commands and words, and text from
// outside (the caller's words, the Model's strings) made safe to put in an answer. Pure;
// any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::api {

// The ';'-separated parts of `line`, trimmed of spaces and tabs, empty parts dropped.
std::vector<std::string_view> split_commands(std::string_view line);

// The words of one command: separated by spaces, tabs or '\r'; no quoting.
std::vector<std::string_view> words_of(std::string_view command);

// `s` in single quotes for an error line: control characters as '?', at most 64 bytes
// (then "..."), so the answer stays one short line.
std::string quoted(std::string_view s);

// `s` with every control character as ' ': a newline in it would split the answer.
std::string one_line(std::string_view s);

}  // namespace sluice::api
