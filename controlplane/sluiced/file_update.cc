// SPDX-License-Identifier: BSD-3-Clause
#include "sluiced/file_update.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sluice::sluiced {

FileUpdate update_file(const std::string& path, const std::string& text) {
  FileUpdate out;
  {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::ostringstream now;
      now << in.rdbuf();
      if (now.str() == text) return out;
    }
  }
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (!std::filesystem::create_directories(dir, ec) && ec) {
    out.error = path + ": cannot create " + dir.string() + ": " + ec.message();
    return out;
  }
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    out.error = path + ": cannot create " + tmp + ": " + std::strerror(errno);
    return out;
  }
  bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size()) && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) err = errno;
    ::unlink(tmp.c_str());
    out.error = path + ": cannot write: " + std::strerror(err);
    return out;
  }
  out.changed = true;
  return out;
}

}  // namespace sluice::sluiced
