// SPDX-License-Identifier: BSD-3-Clause
// The outcome of one health check and the text operators see for it. Every reason is
// declared once in SLUICE_HEALTH_REASONS: its code (short, for CSV/JSON), whether it
// counts as a success, and its text. Plain value types; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::health {

// X(enumerator, code, success, text). HTTP reasons are followed by the status code,
// errno-carrying reasons by the system error text.
#define SLUICE_HEALTH_REASONS(X)                             \
  X(kNotChecked, "INI", false, "not checked yet")            \
  X(kL4Ok, "L4OK", true, "L4 OK")                            \
  X(kL4Refused, "L4CON", false, "L4 connection refused")     \
  X(kL4Timeout, "L4TOUT", false, "L4 timeout")               \
  X(kL4Unreachable, "L4UNR", false, "L4 unreachable")        \
  X(kL4Error, "L4ERR", false, "L4 error")                    \
  X(kL7Ok, "L7OK", true, "L7 OK HTTP")                       \
  X(kL7Status, "L7STS", false, "L7 HTTP")                    \
  X(kL7BadResponse, "L7RSP", false, "L7 bad response")       \
  X(kL7Timeout, "L7TOUT", false, "L7 timeout")               \
  X(kL7Error, "L7ERR", false, "L7 connection error")         \
  X(kUdpOk, "UDPOK", true, "UDP OK")                         \
  X(kUdpRefused, "UDPCON", false, "UDP connection refused")  \
  X(kUdpNoReply, "UDPTOUT", false, "UDP no reply")           \
  X(kUdpUnexpected, "UDPRSP", false, "UDP unexpected reply") \
  X(kLocalError, "LOCAL", false, "local error")

enum class Reason : uint8_t {
#define SLUICE_X(name, code, success, text) name,
  SLUICE_HEALTH_REASONS(SLUICE_X)
#undef SLUICE_X
      kCount
};

struct ReasonInfo {
  std::string_view code;
  bool success;
  std::string_view text;
};
const ReasonInfo& reason_info(Reason r);

struct CheckResult {
  Reason reason = Reason::kNotChecked;
  uint16_t http_status = 0;  // kL7Ok, kL7Status
  int error = 0;             // errno for kL4Error, kL7Error, kLocalError

  bool ok() const { return reason_info(reason).success; }
  // "L4 connection refused", "L7 HTTP 503", "L7 OK HTTP 200", "L4 error: No route to host".
  std::string text() const;

  friend bool operator==(const CheckResult&, const CheckResult&) = default;
};

}  // namespace sluice::health
