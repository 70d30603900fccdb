// SPDX-License-Identifier: BSD-3-Clause
// The memory of a large lookup table (the flow table, the NAT table): allocated once,
// zeroed (so every page is touched when the table is made, not on the packet path), 64-byte
// aligned and, from one huge page up, 2 MiB aligned and advised for transparent huge pages:
// one TLB entry per 2 MiB instead of a page walk on nearly every lookup of a big table.
// Throws std::bad_alloc if the memory is not there.
#pragma once

#include <cstddef>

namespace sluice {

class TableMemory {
 public:
  TableMemory() = default;
  explicit TableMemory(size_t bytes);
  ~TableMemory();
  TableMemory(const TableMemory&) = delete;
  TableMemory& operator=(const TableMemory&) = delete;

  template <typename T>
  T* as() const {
    return static_cast<T*>(data_);
  }
  size_t bytes() const { return bytes_; }

 private:
  void* data_ = nullptr;
  size_t bytes_ = 0;
};

}  // namespace sluice
