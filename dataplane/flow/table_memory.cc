// SPDX-License-Identifier: BSD-3-Clause
#include "flow/table_memory.h"

#include <sys/mman.h>

#include <cstring>
#include <new>

namespace sluice {

namespace {

constexpr size_t kHugePage = size_t(2) << 20;
constexpr size_t kCacheLine = 64;

size_t alignment_for(size_t bytes) { return bytes >= kHugePage ? kHugePage : kCacheLine; }

}  // namespace

TableMemory::TableMemory(size_t bytes) : bytes_(bytes) {
  if (bytes == 0) return;
  const size_t align = alignment_for(bytes);
  data_ = ::operator new(bytes, std::align_val_t(align));
#if defined(MADV_HUGEPAGE)
  if (align == kHugePage) madvise(data_, bytes, MADV_HUGEPAGE);
#endif
  std::memset(data_, 0, bytes);
}

TableMemory::~TableMemory() {
  if (data_) ::operator delete(data_, std::align_val_t(alignment_for(bytes_)));
}

}  // namespace sluice
