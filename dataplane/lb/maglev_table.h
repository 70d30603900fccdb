// SPDX-License-Identifier: BSD-3-Clause
// A built Maglev table, immutable and shared: snapshots that have the same backend set
// for a VIP (and VIPs on the same backend set) hold the same table instead of a copy.
// Copied and released on the main lcore only (snapshot build and RCU reclaim); workers
// read data() and size() of a published snapshot.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace sluice {

class MaglevTable {
 public:
  MaglevTable() = default;
  explicit MaglevTable(std::vector<uint16_t> slots)
      : owner_(std::make_shared<const std::vector<uint16_t>>(std::move(slots))),
        data_(owner_->data()),
        size_(owner_->size()) {}

  const uint16_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  uint16_t operator[](size_t slot) const { return data_[slot]; }
  // Whether a copy other than this one holds the table (main lcore only).
  bool held_elsewhere() const { return owner_.use_count() > 1; }

 private:
  std::shared_ptr<const std::vector<uint16_t>> owner_;
  const uint16_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace sluice
