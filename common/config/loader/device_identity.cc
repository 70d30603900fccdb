// SPDX-License-Identifier: BSD-3-Clause
#include "config/loader/device_identity.h"

namespace sluice::config::loader {

namespace {

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

std::optional<std::string> pci_identity(std::string_view s) {
  std::string full = s.size() == 7 ? "0000:" + std::string(s) : std::string(s);
  if (full.size() != 12) return std::nullopt;
  for (size_t i = 0; i < full.size(); ++i) {
    char& c = full[i];
    if (i == 4 || i == 7) {
      if (c != ':') return std::nullopt;
    } else if (i == 10) {
      if (c != '.') return std::nullopt;
    } else if (i == 11) {
      if (c < '0' || c > '7') return std::nullopt;
    } else {
      if (!is_hex(c)) return std::nullopt;
      if (c >= 'A' && c <= 'F') c = char(c - 'A' + 'a');
    }
  }
  if (full[8] > '1') return std::nullopt;  // device numbers stop at 0x1f
  return full;
}

std::optional<std::string> vdev_identity(std::string_view s) {
  if (!s.starts_with("net_")) return std::nullopt;
  size_t comma = s.find(',');
  if (comma != std::string_view::npos && comma + 1 == s.size()) return std::nullopt;
  std::string_view name = s.substr(0, comma);
  std::string_view rest = name.substr(4);
  if (rest.empty() || !(rest.front() >= 'a' && rest.front() <= 'z')) return std::nullopt;
  if (!(rest.back() >= '0' && rest.back() <= '9')) return std::nullopt;
  for (char c : rest)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return std::nullopt;
  return std::string(name);
}

}  // namespace sluice::config::loader
