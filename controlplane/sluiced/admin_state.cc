// SPDX-License-Identifier: BSD-3-Clause
#include "sluiced/admin_state.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <set>

#include "net/ip_address.h"

namespace sluice::sluiced {
namespace {

// Same rule as VIP names in the config: 1-63 of [A-Za-z0-9_.-].
bool valid_vip_name(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (true) {
    i = line.find_first_not_of(" \t\r", i);
    if (i == std::string_view::npos) break;
    size_t j = line.find_first_of(" \t\r", i);
    if (j == std::string_view::npos) j = line.size();
    out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

template <typename T>
std::optional<T> integer(std::string_view s) {
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string days(int64_t seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(seconds) / 86400.0);
  return buf;
}

std::string describe(const AdminEntry& e) {
  std::string out = e.vip + " " + e.backend + " (";
  if (e.state) out += "state " + config::to_string(*e.state);
  if (e.state && e.weight) out += ", ";
  if (e.weight) out += "weight " + std::to_string(*e.weight);
  return out + ")";
}

// Parses one entry line; the error says which field is wrong.
std::optional<AdminEntry> parse_entry(std::string_view line, std::string* error) {
  std::vector<std::string_view> f = fields_of(line);
  if (f.size() != 5) {
    *error =
        "expected 5 fields (vip backend state weight updated), found " + std::to_string(f.size());
    return std::nullopt;
  }
  AdminEntry e;
  if (!valid_vip_name(f[0])) {
    *error = "VIP name '" + std::string(f[0]) + "' is not valid";
    return std::nullopt;
  }
  e.vip = std::string(f[0]);
  std::optional<IpAddress> address = IpAddress::parse(f[1]);
  if (!address) {
    *error = "backend '" + std::string(f[1]) + "' is not an IP address";
    return std::nullopt;
  }
  e.backend = address->to_string();
  if (f[2] != "-") {
    e.state = config::parse_backend_state(f[2]);
    if (!e.state) {
      *error = "state '" + std::string(f[2]) + "' is not ready, drain, maint or -";
      return std::nullopt;
    }
  }
  if (f[3] != "-") {
    std::optional<uint32_t> w = integer<uint32_t>(f[3]);
    if (!w || *w > 65535) {
      *error = "weight '" + std::string(f[3]) + "' is not an integer in 0..65535 or -";
      return std::nullopt;
    }
    e.weight = static_cast<uint16_t>(*w);
  }
  if (!e.state && !e.weight) {
    *error = "neither state nor weight is set";
    return std::nullopt;
  }
  std::optional<int64_t> t = integer<int64_t>(f[4]);
  if (!t || *t < 0) {
    *error = "updated '" + std::string(f[4]) + "' is not a Unix time";
    return std::nullopt;
  }
  e.updated_s = *t;
  return e;
}

std::string errno_text(int err) { return std::strerror(err); }

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

AdminStateParse parse_admin_state(std::string_view text, std::string_view file_name, int64_t now_s,
                                  int64_t max_age_s) {
  AdminStateParse result;
  auto corrupt = [&](size_t line_no, const std::string& why) {
    result.entries.clear();
    result.corrupt = true;
    result.messages.assign(1, "admin-state file " + std::string(file_name) + ":" +
                                  std::to_string(line_no) + ": " + why +
                                  "; ignoring the whole file, no admin state restored");
    return result;
  };

  std::set<std::pair<std::string, std::string>> seen;
  size_t line_no = 0;
  bool header = false;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (!header) {
      if (line != kAdminStateHeader)
        return corrupt(line_no, "expected the header '" + std::string(kAdminStateHeader) + "'");
      header = true;
      continue;
    }
    std::vector<std::string_view> f = fields_of(line);
    if (f.empty() || f[0].starts_with('#')) continue;
    std::string why;
    std::optional<AdminEntry> e = parse_entry(line, &why);
    if (!e) return corrupt(line_no, why);
    if (!seen.emplace(e->vip, e->backend).second)
      return corrupt(line_no, "second entry for " + e->vip + " " + e->backend);
    int64_t age = now_s - e->updated_s;
    if (age > max_age_s) {
      result.messages.push_back("admin state " + describe(*e) + " dropped: last set " + days(age) +
                                " days ago, older than the " + days(max_age_s) + "-day limit");
      continue;
    }
    result.entries.push_back(std::move(*e));
  }
  if (!header) return corrupt(1, "the file is empty");
  return result;
}

std::string serialize_admin_state(const std::vector<AdminEntry>& entries) {
  std::string out(kAdminStateHeader);
  out += "\n# vip backend state weight updated\n";
  for (const AdminEntry& e : entries) {
    out += e.vip + " " + e.backend + " ";
    out += e.state ? config::to_string(*e.state) : "-";
    out += " ";
    out += e.weight ? std::to_string(*e.weight) : "-";
    out += ' ';
    out += std::to_string(e.updated_s);
    out += '\n';
  }
  return out;
}

AdminStateStore::AdminStateStore(std::string path, int64_t max_age_s)
    : path_(std::move(path)), max_age_s_(max_age_s) {}

std::vector<std::string> AdminStateStore::load(int64_t now_s) {
  entries_.clear();
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return {};
    return {"admin-state file " + path_ + ": cannot open: " + errno_text(errno) +
            "; no admin state restored"};
  }
  std::string text;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return {"admin-state file " + path_ + ": cannot read: " + errno_text(err) +
              "; no admin state restored"};
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);

  AdminStateParse parsed = parse_admin_state(text, path_, now_s, max_age_s_);
  for (AdminEntry& e : parsed.entries) {
    auto key = std::make_pair(e.vip, e.backend);
    entries_.emplace(std::move(key), std::move(e));
  }
  return std::move(parsed.messages);
}

std::vector<std::string> AdminStateStore::retain(const config::Config& config) {
  std::vector<std::string> messages;
  for (auto it = entries_.begin(); it != entries_.end();) {
    const AdminEntry& e = it->second;
    const config::Vip* vip = nullptr;
    for (const config::Vip& v : config.vips)
      if (v.name == e.vip) vip = &v;
    bool has_backend = false;
    if (vip)
      for (const config::Backend& b : vip->backends)
        if (b.address.to_string() == e.backend) has_backend = true;
    if (has_backend) {
      ++it;
      continue;
    }
    messages.push_back("admin state " + describe(e) + " dropped: " +
                       (vip ? "backend " + e.backend + " is no longer in VIP '" + e.vip + "'"
                            : "VIP '" + e.vip + "' is no longer configured"));
    it = entries_.erase(it);
  }
  return messages;
}

AdminEntry& AdminStateStore::entry(const std::string& vip, const std::string& backend) {
  AdminEntry& e = entries_[{vip, backend}];
  e.vip = vip;
  e.backend = backend;
  return e;
}

void AdminStateStore::set_state(const std::string& vip, const std::string& backend,
                                config::BackendState s, int64_t now_s) {
  AdminEntry& e = entry(vip, backend);
  e.state = s;
  e.updated_s = now_s;
}

void AdminStateStore::set_weight(const std::string& vip, const std::string& backend,
                                 uint16_t weight, int64_t now_s) {
  AdminEntry& e = entry(vip, backend);
  e.weight = weight;
  e.updated_s = now_s;
}

const AdminEntry* AdminStateStore::find(const std::string& vip, const std::string& backend) const {
  auto it = entries_.find({vip, backend});
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<AdminEntry> AdminStateStore::entries() const {
  std::vector<AdminEntry> out;
  for (const auto& [key, e] : entries_) out.push_back(e);
  return out;
}

void AdminStateStore::apply(config::Config& config) const {
  for (config::Vip& v : config.vips) {
    for (config::Backend& b : v.backends) {
      const AdminEntry* e = find(v.name, b.address.to_string());
      if (!e) continue;
      if (e->state) b.state = *e->state;
      if (e->weight) b.weight = *e->weight;
    }
  }
}

std::optional<std::string> AdminStateStore::save() const {
  std::string tmp = path_ + ".tmp";
  std::string text = serialize_admin_state(entries());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return "admin-state file " + tmp + ": cannot create: " + errno_text(errno);
  if (!write_all(fd, text) || ::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return "admin-state file " + tmp + ": cannot write: " + errno_text(err);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return "admin-state file " + path_ + ": cannot replace: " + errno_text(err);
  }
  // The rename is durable only once the directory is.
  size_t slash = path_.rfind('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path_.substr(0, slash));
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return std::nullopt;
}

}  // namespace sluice::sluiced
