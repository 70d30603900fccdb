// SPDX-License-Identifier: BSD-3-Clause
// The admin-state file: the admin state and weight overrides set from the runtime API,
// per (VIP name, backend address), so that they survive a restart of sluiced and a
// reload. Owned and used by the daemon's main thread only.
//
// Format (text, one entry per line, fields separated by spaces, '#' comments allowed):
//
//   sluice-admin-state 1
//   # vip backend state weight updated
//   www 10.0.0.11 drain - 1718000000
//   www 2001:db8::12 - 5 1718000000
//
// state is ready|drain|maint or '-' (not overridden), weight 0..65535 or '-', updated is
// the Unix time of the last change. The file is replaced atomically (temporary file,
// fsync, rename, fsync of the directory). On load a file that is not exactly this format
// is ignored as a whole with one message naming its line (never fatal), and entries older
// than the staleness limit are dropped, one message each: a drain forgotten for weeks
// must not come back by surprise after a restart.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"

namespace sluice::sluiced {

inline constexpr int64_t kDefaultAdminStateMaxAgeS = 7 * 24 * 3600;
inline constexpr std::string_view kAdminStateHeader = "sluice-admin-state 1";

struct AdminEntry {
  std::string vip;
  std::string backend;                        // canonical address text
  std::optional<config::BackendState> state;  // nullopt: the config's state applies
  std::optional<uint16_t> weight;             // nullopt: the config's weight applies
  int64_t updated_s = 0;                      // Unix time of the last change

  friend bool operator==(const AdminEntry&, const AdminEntry&) = default;
};

struct AdminStateParse {
  std::vector<AdminEntry> entries;    // fresh ones, in file order
  std::vector<std::string> messages;  // for the log: stale entries dropped, corruption
  bool corrupt = false;               // the whole file was ignored
};

// `file_name` only appears in messages.
AdminStateParse parse_admin_state(std::string_view text, std::string_view file_name, int64_t now_s,
                                  int64_t max_age_s);
std::string serialize_admin_state(const std::vector<AdminEntry>& entries);

class AdminStateStore {
 public:
  explicit AdminStateStore(std::string path, int64_t max_age_s = kDefaultAdminStateMaxAgeS);

  // Replaces the entries with the file's. A missing file means no entries and no message.
  // Returns messages for the log.
  std::vector<std::string> load(int64_t now_s);

  // Drops entries whose VIP or backend `config` no longer has; returns one message each.
  // Call after load and after each successful reload, then save() if anything was dropped.
  std::vector<std::string> retain(const config::Config& config);

  // Records a change made from the API; call save() afterwards.
  void set_state(const std::string& vip, const std::string& backend, config::BackendState s,
                 int64_t now_s);
  void set_weight(const std::string& vip, const std::string& backend, uint16_t weight,
                  int64_t now_s);

  const AdminEntry* find(const std::string& vip, const std::string& backend) const;
  std::vector<AdminEntry> entries() const;  // sorted by (vip, backend)

  // The overrides written into `config`'s backends (admin state and weight).
  void apply(config::Config& config) const;

  // Writes the file atomically. nullopt on success, else the error for the log.
  std::optional<std::string> save() const;

  const std::string& path() const { return path_; }

 private:
  AdminEntry& entry(const std::string& vip, const std::string& backend);

  std::string path_;
  int64_t max_age_s_;
  std::map<std::pair<std::string, std::string>, AdminEntry> entries_;
};

}  // namespace sluice::sluiced
