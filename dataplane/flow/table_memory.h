// SPDX-License-Identifier: BSD-3-Clause
// The memory of a large lookup table (the flow table, the NAT table): allocated once,
// zeroed (so every page is touched when the table is made, not on the packet path), 64-byte
// aligned and, from one huge page up, 2 MiB aligned and advised for transparent huge pages:
// one TLB entry per 2 MiB instead of a page walk on nearly every lookup of a big table.
// Given a NUMA node (the worker lcore's socket), a table of huge pages is placed there
// (preferred, before it is first touched), whichever thread makes it: the main lcore
// builds every worker's tables, and first touch would put them all on its own node.
// Throws std::bad_alloc if the memory is not there.
#pragma once

#include <cstddef>

namespace sluice {

class TableMemory {
 public:
  TableMemory() = default;
  // numa_node < 0: wherever the making thread runs.
  explicit TableMemory(size_t bytes, int numa_node = -1);
  ~TableMemory();
  TableMemory(const TableMemory&) = delete;
  TableMemory& operator=(const TableMemory&) = delete;

  template <typename T>
  T* as() const {
    return static_cast<T*>(data_);
  }
  size_t bytes() const { return bytes_; }
  // Whether the kernel took the NUMA placement asked for.
  bool placed_on_node() const { return placed_; }

 private:
  void* data_ = nullptr;
  size_t bytes_ = 0;
  bool placed_ = false;
};

}  // namespace sluice
