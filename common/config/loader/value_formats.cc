// SPDX-License-Identifier: BSD-3-Clause
#include "config/loader/value_formats.h"

namespace sluice::config::loader {

bool valid_name(std::string_view s, size_t max_len, bool allow_dot) {
  if (s.empty() || s.size() > max_len) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || (allow_dot && c == '.');
    if (!ok) return false;
  }
  return true;
}

// sockaddr_un holds 108 bytes; keep a margin.
bool valid_socket_path(const std::string& p) { return !p.empty() && p[0] == '/' && p.size() < 100; }

}  // namespace sluice::config::loader
