// SPDX-License-Identifier: BSD-3-Clause
// The command table row by row: each row is listed by help at its level and refused below
// it, answers through its handler, gets its own usage line, and is in the README.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "api/command.h"
#include "api/command_syntax.h"
#include "api/command_table.h"
#include "api/dispatcher.h"
#include "api/testing/fake_model.h"
#include "api/text.h"

namespace sluice::api {
namespace {

using testing::FakeModel;

constexpr Privilege kLevels[] = {Privilege::kRead, Privilege::kAdmin};

// A value the fake model accepts for one token of an argument syntax.
std::string example_value(std::string_view token) {
  if (token == "VIP") return "www";
  if (token == "BACKEND") return "10.0.0.11";
  if (token == "HEX") return "020000000010";
  if (token == "NAME") return "lan0";
  if (token == "CLIENT:PORT") return "192.0.2.1:40000";
  if (token == "VIP:PORT") return "10.0.0.100:80";
  if (size_t bar = token.find('|'); bar != std::string_view::npos)
    return std::string(token.substr(0, bar));
  if (size_t dots = token.find(".."); dots != std::string_view::npos)
    return std::string(token.substr(0, dots));
  if (std::all_of(token.begin(), token.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
    return std::string(token);
  ADD_FAILURE() << "no example value for '" << token << "': add one to example_value()";
  return std::string(token);
}

// A command line that runs `row`, its optional values given or left out.
std::string example(const CommandRow& row, bool with_optional) {
  std::string out(row.words);
  for (const SyntaxToken& token : syntax_tokens(row.arguments)) {
    if (token.optional && !with_optional) continue;
    for (std::string_view word : token.words) out += ' ' + example_value(word);
  }
  return out;
}

std::string run(std::string_view line, Privilege level) {
  FakeModel m;
  return execute_line(m, line, level).text;
}

TEST(ApiCommandTable, RowsAreWellFormed) {
  std::set<std::string> syntaxes;
  for (const CommandRow& row : command_table()) {
    SCOPED_TRACE(syntax_of(row));
    std::vector<std::string_view> words = words_of(row.words);
    ASSERT_FALSE(words.empty());
    std::string spaced;
    for (std::string_view w : words) spaced += (spaced.empty() ? "" : " ") + std::string(w);
    EXPECT_EQ(spaced, row.words) << "words one space apart";
    EXPECT_FALSE(row.description.empty());
    EXPECT_EQ(row.description.find('\n'), std::string_view::npos);
    EXPECT_NE(row.answer, nullptr) << "a row without a handler";
    EXPECT_TRUE(syntaxes.insert(syntax_of(row)).second) << "listed twice";
    std::vector<SyntaxToken> tokens = syntax_tokens(row.arguments);
    for (size_t i = 0; i + 1 < tokens.size(); ++i)
      EXPECT_TRUE(!tokens[i].optional || tokens[i + 1].optional)
          << "a required value after an optional one";
  }
}

TEST(ApiCommandTable, HelpListsEachRowFromItsLevel) {
  for (const CommandRow& row : command_table()) {
    std::string line = "\n  " + syntax_of(row) + "  ";
    std::string json = "{\"command\":\"" + syntax_of(row) + "\",\"description\":\"" +
                       std::string(row.description) + "\"}";
    for (Privilege level : kLevels) {
      bool listed = row.level <= level;
      EXPECT_EQ(run("help", level).find(line) != std::string::npos, listed)
          << syntax_of(row) << " at " << to_string(level);
      EXPECT_EQ(run("help json", level).find(json) != std::string::npos, listed)
          << syntax_of(row) << " at " << to_string(level);
    }
  }
}

TEST(ApiCommandTable, BelowItsLevelPermissionDenied) {
  for (const CommandRow& row : command_table()) {
    for (Privilege level : kLevels) {
      if (level >= row.level) continue;
      for (const std::string& line : {example(row, true), example(row, false),
                                      std::string(row.words), example(row, true) + " extra"}) {
        FakeModel m;
        EXPECT_EQ(execute_line(m, line, level).text, "Permission denied\n\n")
            << line << " at " << to_string(level);
        EXPECT_TRUE(m.changes.empty());
        EXPECT_EQ(m.reloads, 0);
      }
    }
  }
}

TEST(ApiCommandTable, EveryRowDispatches) {
  for (const CommandRow& row : command_table()) {
    for (bool with_optional : {false, true}) {
      std::string line = example(row, with_optional);
      Command c = parse_command(line);
      EXPECT_EQ(c.row, &row) << line;
      EXPECT_EQ(c.error, "") << line;
      for (Privilege level : kLevels) {
        if (level < row.level) continue;
        FakeModel m;
        Answer a = execute_line(m, line, level);
        if (a.quit) {
          EXPECT_EQ(a.text, "") << line;
          continue;
        }
        EXPECT_TRUE(a.text.ends_with("\n\n")) << line;
        EXPECT_GT(a.text.size(), 2u) << line;
        EXPECT_FALSE(is_error_line(a.text)) << line << " answered " << a.text;
      }
    }
  }
}

TEST(ApiCommandTable, TooManyArgumentsGetTheRowsUsage) {
  for (const CommandRow& row : command_table()) {
    std::string line = example(row, true) + " extra";
    std::string expected = "Usage: " + syntax_of(row) + (row.json ? " [json]" : "") + "\n\n";
    EXPECT_EQ(run(line, Privilege::kAdmin), expected) << line;
    EXPECT_EQ(usage_of(row) + "\n\n", expected);
  }
}

TEST(ApiCommandTable, BareWordsGetTheUsageOfEveryForm) {
  for (const CommandRow& row : command_table()) {
    if (min_arguments(row) == 0) continue;
    std::string answer = run(row.words, Privilege::kAdmin);
    EXPECT_TRUE(answer.starts_with("Usage: ")) << answer;
    EXPECT_NE(answer.find(syntax_of(row)), std::string::npos) << answer;
  }
}

TEST(ApiCommandTable, TheReadmeListsEveryCommand) {
  const char* root = std::getenv("MESON_SOURCE_ROOT");
  if (root == nullptr) GTEST_SKIP() << "MESON_SOURCE_ROOT not set (meson test sets it)";
  std::ifstream file(std::string(root) + "/controlplane/api/README.md");
  ASSERT_TRUE(file) << "cannot read controlplane/api/README.md";
  std::stringstream text;
  text << file.rdbuf();
  std::string readme = text.str();
  size_t section = readme.find("\n## Commands\n");
  ASSERT_NE(section, std::string::npos);
  std::string commands = readme.substr(section, readme.find("\n## ", section + 1) - section);
  size_t listed = 0;
  for (size_t at = commands.find("\n| `"); at != std::string::npos;
       at = commands.find("\n| `", at + 1))
    ++listed;
  EXPECT_EQ(listed, command_table().size()) << "README rows against table rows";
  for (const CommandRow& row : command_table()) {
    std::string cell;
    for (char c : syntax_of(row)) cell += c == '|' ? "\\|" : std::string(1, c);
    std::string line = "\n| `" + cell + "` | " + std::string(to_string(row.level)) + " |";
    EXPECT_NE(commands.find(line), std::string::npos) << "README lacks" << line;
  }
}

}  // namespace
}  // namespace sluice::api
