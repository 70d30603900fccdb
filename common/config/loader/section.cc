// SPDX-License-Identifier: BSD-3-Clause
#include "config/loader/section.h"

#include <algorithm>
#include <string>

namespace sluice::config::loader {

namespace {

std::string join(Keys keys) {
  std::string out;
  for (std::string_view k : keys) {
    if (!out.empty()) out += ", ";
    out += k;
  }
  return out;
}

}  // namespace

Section::Section(TomlReader& reader, const toml::table& table, std::string_view where, Keys allowed)
    : reader_(reader), table_(table) {
  for (auto&& [key, node] : table) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
    toml::source_position pos = key.source().begin;
    if (pos.line == 0) pos = node.source().begin;
    reader.error_at(pos, "unknown key '" + std::string(key.str()) + "' " + std::string(where) +
                             ", allowed: " + join(allowed));
  }
}

const toml::node* Section::require(std::string_view key, std::string_view entity,
                                   std::string_view hint) const {
  if (const toml::node* n = table_.get(key)) return n;
  reader_.error(table_, std::string(entity) + ": missing required key '" + std::string(key) +
                            "' (" + std::string(hint) + ")");
  return nullptr;
}

}  // namespace sluice::config::loader
