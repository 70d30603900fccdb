// SPDX-License-Identifier: BSD-3-Clause
// How many new SYN-only flows one worker inserts into its flow table per second (the
// dataplane's syn_admission_limit; Katran's flood guard). Above the limit a SYN is still
// forwarded, by Maglev alone, as when the table is full: a SYN flood then neither churns
// the table nor pushes other clients' half-open flows out of it, and a client that
// completes its handshake gets its entry with its first ACK. Established flows are never
// affected. Fixed one-second windows, the first opened by the first SYN. One per worker,
// owned by its Pipeline.
#pragma once

#include <cstdint>

namespace sluice {

class FloodGuard {
 public:
  static constexpr uint32_t kWindowMs = 1000;

  // 0: no limit.
  explicit FloodGuard(uint32_t limit_per_second) : limit_(limit_per_second) {}

  // True when one more SYN-only flow may be inserted at `now_ms`, and counts it.
  bool admit(uint32_t now_ms) {
    if (limit_ == 0) return true;
    if (!started_ || now_ms - window_start_ms_ >= kWindowMs) {
      started_ = true;
      window_start_ms_ = now_ms;
      admitted_ = 0;
    }
    if (admitted_ == limit_) return false;
    ++admitted_;
    return true;
  }

 private:
  uint32_t limit_;
  uint32_t window_start_ms_ = 0;
  uint32_t admitted_ = 0;
  bool started_ = false;
};

}  // namespace sluice
