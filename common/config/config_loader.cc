// SPDX-License-Identifier: BSD-3-Clause
// The public entry points: TOML parsing, sorting of the errors, reading the file. The
// tables themselves are read by loader/.
#include "config/config_loader.h"

#include <sys/stat.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <system_error>
#include <tuple>

#include "config/loader/sections.h"
#include "config/loader/toml_reader.h"
#include "config/node_limits.h"

// Debian's libtomlplusplus is compiled with exceptions (symbols in toml::v3::ex); the
// headers must agree or parse() would not link. toml::parse_error is caught below.
static_assert(TOML_EXCEPTIONS, "sluice expects toml++ built with exceptions");

namespace sluice::config {

std::string ConfigError::to_string() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

namespace {

// Parses the text, then `load(reader, root)` reads the tables; errors sorted by position.
template <class Load>
LoadResult parse_and_load(std::string_view toml_text, std::string_view name, Load load) {
  LoadResult result;
  try {
    toml::table root = toml::parse(toml_text, name);
    loader::TomlReader reader(name);
    Config cfg = load(reader, root);
    result.errors = reader.take_errors();
    if (result.errors.empty()) result.config = std::move(cfg);
  } catch (const toml::parse_error& e) {
    result.errors.push_back({std::string(name), e.source().begin.line, e.source().begin.column,
                             std::string(e.description())});
  }
  std::stable_sort(result.errors.begin(), result.errors.end(),
                   [](const ConfigError& a, const ConfigError& b) {
                     return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                   });
  return result;
}

}  // namespace

LoadResult parse_config(std::string_view toml_text, std::string_view file_name) {
  return parse_and_load(toml_text, file_name, loader::load_config);
}

LoadResult parse_vip_update(std::string_view toml_text, std::string_view name, const Config& base) {
  return parse_and_load(toml_text, name, [&](loader::TomlReader& reader, const toml::table& root) {
    return loader::load_vip_update(reader, root, base);
  });
}

LoadResult load_config_file(const std::string& path) {
  auto unreadable = [&](int err) {
    LoadResult result;
    result.errors.push_back(
        {path, 0, 0, "cannot read: " + std::error_code(err, std::generic_category()).message()});
    return result;
  };
  auto refused = [&](std::string why) {
    LoadResult result;
    result.errors.push_back({path, 0, 0, "cannot read: " + std::move(why)});
    return result;
  };
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return unreadable(errno);
  struct stat st;
  if (::fstat(::fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
    std::fclose(f);
    return refused("not a regular file");
  }
  // Read one byte past the limit: a file that grows while it is read is caught too.
  std::string text;
  char buf[65536];
  size_t n;
  while (text.size() <= kMaxConfigBytes && (n = std::fread(buf, 1, sizeof buf, f)) > 0)
    text.append(buf, n);
  int err = std::ferror(f) ? errno : 0;
  std::fclose(f);
  if (err) return unreadable(err);
  if (text.size() > kMaxConfigBytes)
    return refused("larger than " + std::to_string(kMaxConfigBytes >> 20) +
                   " MiB, the largest config sluice reads");
  return parse_config(text, path);
}

}  // namespace sluice::config
