// SPDX-License-Identifier: BSD-3-Clause
#include "net/unix_listener.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace sluice {
namespace {

bool fill_address(const std::string& path, sockaddr_un* addr) {
  std::memset(addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr->sun_path) return false;
  std::memcpy(addr->sun_path, path.data(), path.size());
  return true;
}

std::string errno_text(int err) { return std::strerror(err); }

}  // namespace

bool unix_socket_is_served(const std::string& path) {
  sockaddr_un addr;
  if (!fill_address(path, &addr)) return false;
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool served = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return served;
}

std::optional<std::string> UnixListener::listen(const std::string& path,
                                                const UnixListenOptions& options) {
  if (fd_ >= 0) return "already listening on " + path_;
  const std::string tmp = path + ".tmp";
  sockaddr_un addr;
  if (!fill_address(tmp, &addr))
    return "socket path " + path + " is too long (at most " +
           std::to_string(sizeof addr.sun_path - 5) + " bytes)";

  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (!dir.empty() && !std::filesystem::is_directory(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return "cannot create directory " + dir.string() + ": " + ec.message();
  }

  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return path + " exists and is not a socket; remove it";
    if (unix_socket_is_served(path))
      return "another process is listening on " + path +
             (options.program.empty() ? "" : " (is " + options.program + " already running?)");
    if (::unlink(path.c_str()) != 0)
      return "cannot remove stale socket " + path + ": " + errno_text(errno);
  }

  ::unlink(tmp.c_str());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return "cannot create socket: " + errno_text(errno);
  auto fail = [&](const std::string& what) -> std::optional<std::string> {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return what + ": " + errno_text(err);
  };
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return fail("cannot bind " + tmp);
  if (::chmod(tmp.c_str(), options.mode) != 0) return fail("cannot chmod " + tmp);
  if (options.group && ::chown(tmp.c_str(), static_cast<uid_t>(-1), *options.group) != 0)
    return fail("cannot chown " + tmp + " to group " + std::to_string(*options.group));
  if (::listen(fd, options.backlog) != 0) return fail("cannot listen on " + tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("cannot rename " + tmp + " to " + path);
  if (::stat(path.c_str(), &st) != 0) return fail("cannot stat " + path);
  fd_ = fd;
  path_ = path;
  dev_ = st.st_dev;
  ino_ = st.st_ino;
  return std::nullopt;
}

void UnixListener::close() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  struct stat st;
  if (::stat(path_.c_str(), &st) == 0 && st.st_dev == dev_ && st.st_ino == ino_)
    ::unlink(path_.c_str());
}

}  // namespace sluice
