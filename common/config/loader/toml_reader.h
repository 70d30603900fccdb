// SPDX-License-Identifier: BSD-3-Clause
// The loader's toolkit: reads typed values out of toml++ nodes and collects a ConfigError
// at the position of each value it cannot use, so that one pass reports every problem.
// One reader per parse; control thread only.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_loader.h"
#include "net/ip_address.h"
#include "net/mac_address.h"

namespace sluice::config::loader {

// "a string", "an integer", "an array of tables", ...: what a value is, for messages.
std::string kind_of(const toml::node& n);

// A message as an operator's terminal can show it whole: control bytes and NUL written as
// \xNN, a quoted value of more than kMaxQuotedBytes cut to its start and its size, the
// whole message at most kMaxMessageBytes.
inline constexpr size_t kMaxQuotedBytes = 48;
inline constexpr size_t kMaxMessageBytes = 1024;
std::string printable(std::string message);

class TomlReader {
 public:
  explicit TomlReader(std::string_view file) : file_(file) {}

  void error_at(const toml::source_position& pos, std::string message) {
    errors_.push_back({file_, pos.line, pos.column, printable(std::move(message))});
  }
  void error(const toml::node& n, std::string message) {
    error_at(n.source().begin, std::move(message));
  }
  std::vector<ConfigError> take_errors() { return std::move(errors_); }

  // Each reader returns nullopt (or nullptr) after reporting why the value is unusable;
  // `what` names the value in that report.
  std::optional<int64_t> integer(const toml::node& n, std::string_view what, int64_t lo,
                                 int64_t hi);
  std::optional<std::string> string(const toml::node& n, std::string_view what);
  std::optional<bool> boolean(const toml::node& n, std::string_view what);
  // A number of seconds, more than 0 and at most a day, to the millisecond.
  std::optional<uint32_t> milliseconds(const toml::node& n, std::string_view what);
  std::optional<IpAddress> address(const toml::node& n, std::string_view what);
  std::optional<IpPrefix> prefix(const toml::node& n, std::string_view what);
  std::optional<MacAddress> unicast_mac(const toml::node& n, std::string_view what);
  const toml::array* array(const toml::node& n, std::string_view what);
  const toml::table* table(const toml::node& n, std::string_view what);
  // For [[header]]: the tables, or nullopt when `n` is not an array of tables.
  std::optional<std::vector<const toml::table*>> table_array(const toml::node& n,
                                                             std::string_view what,
                                                             std::string_view header,
                                                             std::string_view item);

 private:
  std::string file_;
  std::vector<ConfigError> errors_;
};

}  // namespace sluice::config::loader
