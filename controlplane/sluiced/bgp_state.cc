// SPDX-License-Identifier: BSD-3-Clause
#include "sluiced/bgp_state.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

namespace sluice::sluiced {
namespace {

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while ((i = line.find_first_not_of(" \t\r", i)) != std::string_view::npos) {
    size_t j = line.find_first_of(" \t\r", i);
    if (j == std::string_view::npos) j = line.size();
    out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

std::optional<int64_t> unix_time(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

// Same rule as VIP names in the config: 1-63 of [A-Za-z0-9_.-].
bool valid_vip_name(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-' || c == '.'))
      return false;
  return true;
}

}  // namespace

BgpStateParse parse_bgp_state(std::string_view text, std::string_view file_name) {
  BgpStateParse out;
  size_t line_no = 0;
  bool header = false;
  auto bad = [&](const std::string& why) {
    out.state = {};
    out.error = "bgp state file " + std::string(file_name) + ":" + std::to_string(line_no) + ": " +
                why + "; ignoring the whole file (node ready, no VIP pinned)";
    return out;
  };
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (!header) {
      if (line != kBgpStateHeader) return bad("expected '" + std::string(kBgpStateHeader) + "'");
      header = true;
      continue;
    }
    std::vector<std::string_view> f = fields_of(line);
    if (f.empty() || f[0].starts_with('#')) continue;
    if (f.size() == 3 && f[0] == "node" && f[1] == "maint") {
      auto t = unix_time(f[2]);
      if (!t) return bad("'" + std::string(f[2]) + "' is not a Unix time");
      out.state.node_maint = true;
      out.state.node_updated_s = *t;
    } else if (f.size() == 4 && f[0] == "vip" && f[2] == "off") {
      auto t = unix_time(f[3]);
      if (!t) return bad("'" + std::string(f[3]) + "' is not a Unix time");
      if (!valid_vip_name(f[1])) return bad("VIP name '" + std::string(f[1]) + "' is not valid");
      out.state.pinned.insert(std::string(f[1]));
      out.state.pins_updated_s = std::max(out.state.pins_updated_s, *t);
    } else {
      return bad("expected 'node maint TIME' or 'vip NAME off TIME'");
    }
  }
  line_no = 1;
  if (!header) return bad("the file is empty");
  return out;
}

std::string serialize_bgp_state(const BgpState& s) {
  std::string out(kBgpStateHeader);
  out += "\n";
  if (s.node_maint) out += "node maint " + std::to_string(s.node_updated_s) + "\n";
  for (const std::string& v : s.pinned)
    out += "vip " + v + " off " + std::to_string(s.pins_updated_s) + "\n";
  return out;
}

BgpStateParse load_bgp_state(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    BgpStateParse none;
    if (errno != ENOENT)
      none.error = "bgp state file " + path + ": cannot open: " + std::strerror(errno);
    return none;
  }
  std::ostringstream text;
  // The file holds one line per VIP at most: bounded by the config's VIP limit.
  text << in.rdbuf();
  return parse_bgp_state(text.str(), path);
}

std::optional<std::string> save_bgp_state(const std::string& path, const BgpState& state) {
  std::string tmp = path + ".tmp";
  std::string text = serialize_bgp_state(state);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return "bgp state file " + tmp + ": cannot create: " + std::strerror(errno);
  bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size()) && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) err = errno;
    ::unlink(tmp.c_str());
    return "bgp state file " + path + ": cannot write: " + std::strerror(err);
  }
  return std::nullopt;
}

}  // namespace sluice::sluiced
