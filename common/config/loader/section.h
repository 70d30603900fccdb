// SPDX-License-Identifier: BSD-3-Clause
// One TOML table being read: reports its unknown keys when constructed, then hands out its
// values. Errors go to the TomlReader it was given.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "config/loader/toml_reader.h"

namespace sluice::config::loader {

using Keys = std::initializer_list<std::string_view>;

inline constexpr std::string_view kAddressHint = "an IPv4 or IPv6 address";

class Section {
 public:
  // `where` completes "unknown key 'x' ...": "in [vip.backend]", "at the top level".
  Section(TomlReader& reader, const toml::table& table, std::string_view where, Keys allowed);

  const toml::node* get(std::string_view key) const { return table_.get(key); }
  // Reports "<entity>: missing required key '<key>' (<hint>)" at the table when absent.
  const toml::node* require(std::string_view key, std::string_view entity,
                            std::string_view hint) const;
  const toml::table& table() const { return table_; }

  // Each sets `out` when the key is present and its value usable; `out` keeps its default
  // when the key is absent.
  template <class T>
  void read_integer(std::string_view key, T& out, int64_t lo, int64_t hi) const {
    if (const toml::node* n = get(key))
      if (auto v = reader_.integer(*n, key, lo, hi)) out = T(*v);
  }
  void read_boolean(std::string_view key, bool& out) const {
    if (const toml::node* n = get(key))
      if (auto v = reader_.boolean(*n, key)) out = *v;
  }
  void read_milliseconds(std::string_view key, uint32_t& out) const {
    if (const toml::node* n = get(key))
      if (auto v = reader_.milliseconds(*n, key)) out = *v;
  }
  void read_string(std::string_view key, std::string& out) const {
    if (const toml::node* n = get(key))
      if (auto v = reader_.string(*n, key)) out = *v;
  }

 private:
  TomlReader& reader_;
  const toml::table& table_;
};

}  // namespace sluice::config::loader
