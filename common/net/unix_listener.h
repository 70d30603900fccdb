// SPDX-License-Identifier: BSD-3-Clause
// A listening Unix stream socket at a file path, made without ever deleting what is not
// ours: an existing file that is not a socket is refused, a socket that some process still
// accepts on is refused, and only a stale socket (nobody listening: its owner died) is
// replaced. The socket is bound under a temporary name and renamed once its mode and group
// are set, so it never appears with looser permissions. Closing removes the file only
// while it is still the one this object created. Not thread-safe; one owner.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace sluice {

struct UnixListenOptions {
  mode_t mode = 0660;
  std::optional<gid_t> group;  // chown the socket file to this group
  int backlog = 64;
  // Who normally serves the path, for the refusal: "is <program> already running?".
  std::string program;
};

class UnixListener {
 public:
  UnixListener() = default;
  ~UnixListener() { close(); }
  UnixListener(const UnixListener&) = delete;
  UnixListener& operator=(const UnixListener&) = delete;

  // Creates the directory if missing and listens on `path` (non-blocking, close-on-exec).
  // nullopt on success, else an error for the operator naming the path.
  std::optional<std::string> listen(const std::string& path, const UnixListenOptions& options);
  void close();

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
  dev_t dev_ = 0;  // identity of the socket file we created
  ino_t ino_ = 0;
};

// True when a process accepts connections on the Unix socket at `path`.
bool unix_socket_is_served(const std::string& path);

}  // namespace sluice
