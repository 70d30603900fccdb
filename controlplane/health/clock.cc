// SPDX-License-Identifier: BSD-3-Clause
#include "health/clock.h"

#include <time.h>

namespace sluice::health {

uint64_t MonotonicClock::now_us() const {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000 + uint64_t(ts.tv_nsec) / 1000;
}

}  // namespace sluice::health
