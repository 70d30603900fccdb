// SPDX-License-Identifier: BSD-3-Clause
// TOML text -> validated Config. Runs on the control thread (startup, reload); no
// exception leaves these functions for a bad file. Every problem found is reported, each
// at the line and column of the offending value (or of the table missing a key).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace sluice::config {

struct ConfigError {
  std::string file;
  uint32_t line = 0;  // 1-based; 0 when the file could not be read
  uint32_t column = 0;
  std::string message;

  std::string to_string() const;  // "file:line:column: message"
  friend bool operator==(const ConfigError&, const ConfigError&) = default;
};

struct LoadResult {
  std::optional<Config> config;     // set exactly when errors is empty
  std::vector<ConfigError> errors;  // sorted by position
};

// file_name is only used in the errors.
LoadResult parse_config(std::string_view toml_text, std::string_view file_name);
LoadResult load_config_file(const std::string& path);

// A desired-state update from sluiced: a TOML document holding only [[vip]] tables,
// validated against `base` (its ports and neighbors). The result is `base` with its VIPs
// replaced.
LoadResult parse_vip_update(std::string_view toml_text, std::string_view name, const Config& base);

}  // namespace sluice::config
