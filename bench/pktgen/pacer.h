// SPDX-License-Identifier: BSD-3-Clause
// Rate control of one TX lcore: how many packets are due at TSC `now` for a target rate,
// in 16-bit fixed point so that rates that do not divide the TSC frequency keep their
// average exactly. A lcore that falls behind (the device refused packets, the CPU was
// taken) catches up by at most one burst: the target is a ceiling, never a burst storm.
// A rate of 0 means as fast as possible. Pure; owned by one lcore.
#pragma once

#include <algorithm>
#include <cstdint>

namespace sluice::pktgen {

class Pacer {
 public:
  Pacer(uint64_t tsc_hz, uint64_t packets_per_second, uint64_t start_tsc)
      : period_fp_(packets_per_second ? (tsc_hz << kFractionBits) / packets_per_second : 0),
        start_(start_tsc) {}

  bool unlimited() const { return period_fp_ == 0; }

  // Packets due at `now` (>= the start), at most `burst`; the caller sends them and
  // calls sent() with how many it did send.
  uint32_t due(uint64_t now, uint32_t burst) {
    if (unlimited()) return burst;
    const uint64_t now_fp = (now - start_) << kFractionBits;
    const uint64_t debt = (burst - 1) * period_fp_;
    const uint64_t earliest = now_fp > debt ? now_fp - debt : 0;
    next_fp_ = std::max(next_fp_, earliest);
    if (now_fp < next_fp_) return 0;
    return uint32_t(std::min<uint64_t>(burst, (now_fp - next_fp_) / period_fp_ + 1));
  }
  void sent(uint32_t packets) { next_fp_ += packets * period_fp_; }

 private:
  static constexpr unsigned kFractionBits = 16;
  uint64_t period_fp_;  // TSC cycles per packet << kFractionBits
  uint64_t start_;
  uint64_t next_fp_ = 0;  // when the next packet is due, since start, << kFractionBits
};

}  // namespace sluice::pktgen
