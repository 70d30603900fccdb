// SPDX-License-Identifier: BSD-3-Clause
// A token bucket on the millisecond clock the workers already read: `rate` tokens a
// second, at most `capacity` saved up. One per worker and port for the bulk lane toward
// the host (pipeline/host_lane.h); owned and used by one thread.
#pragma once

#include <algorithm>
#include <cstdint>

namespace sluice {

class TokenBucket {
 public:
  // rate 0: no limit. The bucket starts full.
  TokenBucket(uint32_t rate_per_second, uint32_t capacity)
      : rate_(rate_per_second),
        capacity_milli_(uint64_t(std::max(capacity, 1u)) * 1000),
        milli_tokens_(capacity_milli_) {}

  // True when a token is left at `now_ms`, and takes it.
  bool take(uint32_t now_ms) {
    if (rate_ == 0) return true;
    if (!started_) {
      started_ = true;
      last_ms_ = now_ms;
    }
    // One token is 1000 milli-tokens, so a rate of r tokens/s adds r milli-tokens a ms.
    const uint32_t elapsed = now_ms - last_ms_;
    last_ms_ = now_ms;
    milli_tokens_ = std::min(capacity_milli_, milli_tokens_ + uint64_t(elapsed) * rate_);
    if (milli_tokens_ < 1000) return false;
    milli_tokens_ -= 1000;
    return true;
  }

 private:
  uint32_t rate_;
  uint64_t capacity_milli_;
  uint64_t milli_tokens_;
  uint32_t last_ms_ = 0;
  bool started_ = false;
};

}  // namespace sluice
