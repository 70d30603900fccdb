// SPDX-License-Identifier: BSD-3-Clause
// What EAL leaves behind when a primary process exits: the hugepage files of its file
// prefix (<hugetlbfs mount>/<prefix>map_<n>, whose pages stay taken while the files exist)
// and its runtime directory (/var/run/dpdk/<prefix>). rte_eal_cleanup() unmaps the memory
// but removes neither, so that secondary processes could still attach. Pure but for
// remove_eal_leftovers(), which deletes only the files these functions name; no EAL.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice {

// Where EAL keeps hugepage files: the --huge-dir among `eal_argv` when there is one, else
// every hugetlbfs mount point in `proc_mounts` (the text of /proc/mounts).
std::vector<std::string> hugepage_dirs(std::string_view proc_mounts,
                                       const std::vector<std::string>& eal_argv);

// Whether `file_name` is one of `file_prefix`'s hugepage files: <prefix>map_<digits>
// (never another prefix's, even one that begins with this one).
bool is_hugepage_file(std::string_view file_name, std::string_view file_prefix);

struct LeftoversRemoved {
  size_t hugepage_files = 0;
  bool runtime_dir = false;
  std::vector<std::string> errors;  // "<path>: <reason>" for what could not be removed
};

// After rte_eal_cleanup(): removes `file_prefix`'s hugepage files from `dirs` and the
// runtime directory `runtime_dir` (when its last component is `file_prefix`) with its
// contents.
LeftoversRemoved remove_eal_leftovers(const std::vector<std::string>& dirs,
                                      std::string_view file_prefix, const std::string& runtime_dir);

}  // namespace sluice
