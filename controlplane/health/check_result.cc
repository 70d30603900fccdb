// SPDX-License-Identifier: BSD-3-Clause
#include "health/check_result.h"

#include <cstring>

namespace sluice::health {

namespace {
constexpr ReasonInfo kReasons[] = {
#define SLUICE_X(name, code, success, text) {code, success, text},
    SLUICE_HEALTH_REASONS(SLUICE_X)
#undef SLUICE_X
};
static_assert(std::size(kReasons) == size_t(Reason::kCount));
}  // namespace

const ReasonInfo& reason_info(Reason r) {
  size_t i = size_t(r) < std::size(kReasons) ? size_t(r) : size_t(Reason::kLocalError);
  return kReasons[i];
}

std::string CheckResult::text() const {
  std::string s(reason_info(reason).text);
  if (reason == Reason::kL7Ok || reason == Reason::kL7Status) {
    s += ' ';
    s += std::to_string(http_status);
  } else if (error != 0 && (reason == Reason::kL4Error || reason == Reason::kL7Error ||
                            reason == Reason::kLocalError)) {
    s += ": ";
    s += std::strerror(error);
  }
  return s;
}

}  // namespace sluice::health
