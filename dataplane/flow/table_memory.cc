// SPDX-License-Identifier: BSD-3-Clause
#include "flow/table_memory.h"

#include <linux/mempolicy.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <new>

namespace sluice {

namespace {

constexpr size_t kHugePage = size_t(2) << 20;
constexpr size_t kCacheLine = 64;

size_t alignment_for(size_t bytes) { return bytes >= kHugePage ? kHugePage : kCacheLine; }

// mbind(2) without libnuma: pages of [memory, memory + bytes) come from `node` when it has
// them.
bool prefer_node(void* memory, size_t bytes, int node) {
  constexpr int kMaxNode = 64;
  if (node < 0 || node >= kMaxNode) return false;
  const unsigned long mask = 1ul << node;
  return syscall(SYS_mbind, memory, bytes, MPOL_PREFERRED, &mask, kMaxNode + 1, 0) == 0;
}

}  // namespace

TableMemory::TableMemory(size_t bytes, int numa_node) : bytes_(bytes) {
  if (bytes == 0) return;
  const size_t align = alignment_for(bytes);
  data_ = ::operator new(bytes, std::align_val_t(align));
#if defined(MADV_HUGEPAGE)
  if (align == kHugePage) madvise(data_, bytes, MADV_HUGEPAGE);
#endif
  // Only whole pages can have a policy: the huge-page-aligned tables, the ones that matter.
  if (align == kHugePage) placed_ = prefer_node(data_, bytes, numa_node);
  std::memset(data_, 0, bytes);
}

TableMemory::~TableMemory() {
  if (data_) ::operator delete(data_, std::align_val_t(alignment_for(bytes_)));
}

}  // namespace sluice
