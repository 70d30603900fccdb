// SPDX-License-Identifier: BSD-3-Clause
// A token bucket: at most `per_second` events a second on average, in bursts of at most a
// second's worth. Pure; its owner's thread only; no allocation.
#pragma once

#include <algorithm>
#include <cstdint>

namespace sluice::sync {

class RateCap {
 public:
  explicit RateCap(uint32_t per_second) : per_second_(std::max<uint32_t>(per_second, 1)) {
    tokens_milli_ = uint64_t(per_second_) * 1000;
  }

  // Takes one event's token at now_ms (monotonic); false when none is left.
  bool take(uint64_t now_ms) {
    if (now_ms > last_ms_) {
      const uint64_t full = uint64_t(per_second_) * 1000;
      tokens_milli_ = std::min(full, tokens_milli_ + (now_ms - last_ms_) * per_second_);
      last_ms_ = now_ms;
    }
    if (tokens_milli_ < 1000) return false;
    tokens_milli_ -= 1000;
    return true;
  }

 private:
  uint32_t per_second_;
  uint64_t tokens_milli_;  // thousandths of an event
  uint64_t last_ms_ = 0;
};

}  // namespace sluice::sync
