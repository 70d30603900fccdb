// SPDX-License-Identifier: BSD-3-Clause
// A rate limit for a log line that can repeat with every packet (a misconfigured VRRP peer
// sends one advert a second, or a hundred): the first event is logged at once, later ones
// at most once per period, and each line allowed says how many events it stands for.
// One per (instance, kind of line); main loop only.
#pragma once

#include <cstdint>

namespace sluice::sluiced {

class LogLimiter {
 public:
  explicit LogLimiter(uint64_t period_us) : period_us_(period_us) {}

  // An event at now_us (monotonic): true when a line may be written for it. Then
  // suppressed() is the number of events held back since the previous line.
  bool allow(uint64_t now_us) {
    ++total_;
    if (logged_ && now_us - last_us_ < period_us_) {
      ++held_;
      return false;
    }
    logged_ = true;
    last_us_ = now_us;
    suppressed_ = held_;
    held_ = 0;
    return true;
  }
  uint64_t suppressed() const { return suppressed_; }
  uint64_t total() const { return total_; }  // every event, allowed or not

 private:
  uint64_t period_us_;
  bool logged_ = false;
  uint64_t last_us_ = 0;
  uint64_t held_ = 0;
  uint64_t suppressed_ = 0;
  uint64_t total_ = 0;
};

}  // namespace sluice::sluiced
