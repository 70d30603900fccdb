// SPDX-License-Identifier: BSD-3-Clause
#include "runtime/eal_leftovers.h"

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <system_error>

namespace sluice {

std::vector<std::string> hugepage_dirs(std::string_view proc_mounts,
                                       const std::vector<std::string>& eal_argv) {
  constexpr std::string_view kHugeDir = "--huge-dir";
  for (size_t i = 0; i < eal_argv.size(); ++i) {
    const std::string_view arg = eal_argv[i];
    if (arg == kHugeDir && i + 1 < eal_argv.size()) return {eal_argv[i + 1]};
    if (arg.size() > kHugeDir.size() + 1 && arg.substr(0, kHugeDir.size()) == kHugeDir &&
        arg[kHugeDir.size()] == '=')
      return {std::string(arg.substr(kHugeDir.size() + 1))};
  }
  std::vector<std::string> dirs;
  std::istringstream lines{std::string(proc_mounts)};
  std::string device, mount_point, type;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    if (fields >> device >> mount_point >> type && type == "hugetlbfs") dirs.push_back(mount_point);
  }
  return dirs;
}

bool is_hugepage_file(std::string_view file_name, std::string_view file_prefix) {
  constexpr std::string_view kMap = "map_";
  if (file_prefix.empty() || file_name.size() <= file_prefix.size() + kMap.size() ||
      file_name.substr(0, file_prefix.size()) != file_prefix ||
      file_name.substr(file_prefix.size(), kMap.size()) != kMap)
    return false;
  const std::string_view index = file_name.substr(file_prefix.size() + kMap.size());
  return std::all_of(index.begin(), index.end(), [](char c) { return c >= '0' && c <= '9'; });
}

LeftoversRemoved remove_eal_leftovers(const std::vector<std::string>& dirs,
                                      std::string_view file_prefix,
                                      const std::string& runtime_dir) {
  namespace fs = std::filesystem;
  LeftoversRemoved removed;
  auto failed = [&removed](const fs::path& path, const std::error_code& ec) {
    removed.errors.push_back(path.string() + ": " + ec.message());
  };
  for (const std::string& dir : dirs) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (!is_hugepage_file(it->path().filename().string(), file_prefix)) continue;
      std::error_code rm;
      if (fs::remove(it->path(), rm))
        ++removed.hugepage_files;
      else if (rm)
        failed(it->path(), rm);
    }
    if (ec && ec != std::errc::no_such_file_or_directory) failed(dir, ec);
  }
  if (!runtime_dir.empty() && fs::path(runtime_dir).filename() == file_prefix) {
    std::error_code ec;
    removed.runtime_dir = fs::remove_all(runtime_dir, ec) > 0;
    if (ec) failed(runtime_dir, ec);
  }
  return removed;
}

}  // namespace sluice
