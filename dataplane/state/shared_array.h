// SPDX-License-Identifier: BSD-3-Clause
// An immutable array that snapshots share instead of copying: a snapshot built from the
// last one takes a reference to each table that did not change. Copied and released on
// the main lcore only (snapshot build and RCU reclaim); workers read it through the
// published snapshot, with one indirection as from a vector.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace sluice {

template <class T>
class SharedArray {
 public:
  SharedArray() = default;
  explicit SharedArray(std::vector<T> items)
      : owner_(std::make_shared<const std::vector<T>>(std::move(items))),
        data_(owner_->data()),
        size_(owner_->size()) {}

  const T& operator[](size_t i) const { return data_[i]; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }

 private:
  std::shared_ptr<const std::vector<T>> owner_;
  const T* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace sluice
