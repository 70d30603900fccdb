// SPDX-License-Identifier: BSD-3-Clause
#include "health/duration_histogram.h"

#include <algorithm>

namespace sluice::health {

void DurationHistogram::observe(uint32_t duration_us) {
  auto bound = std::lower_bound(kUpperBoundsUs.begin(), kUpperBoundsUs.end(), duration_us);
  ++counts_[size_t(bound - kUpperBoundsUs.begin())];
  ++count_;
  sum_us_ += duration_us;
}

}  // namespace sluice::health
