// SPDX-License-Identifier: BSD-3-Clause
// A strict parser of HTTP/1.1 (and 1.0) requests, for sluiced's metrics listener. It reads
// one request from the start of a buffer and says whether the buffer holds a whole one,
// not yet, or something to refuse (with the status to answer and why). What it accepts:
//  * a request line `METHOD SP /origin-form-target SP HTTP/1.x` (empty lines before it are
//    skipped), lines ending in CRLF; no bare CR or LF, no control characters;
//  * header fields `name: value`, no obsolete line folding, no whitespace before ':';
//    HTTP/1.1 needs exactly one Host;
//  * a body only by Content-Length (one value; Transfer-Encoding is refused).
// Limits: the request line and header section together, the number of fields, the body.
// Pure; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::metrics {

struct HttpLimits {
  size_t max_header_bytes = 8192;  // request line and header fields, CRLFs included
  size_t max_fields = 64;
  size_t max_body_bytes = 4096;
};

struct HttpRequest {
  std::string method;  // as sent (methods are case-sensitive)
  std::string target;  // as sent
  std::string path;    // the target before any '?'
  std::string query;   // after the '?', without it
  int minor_version = 1;
  std::vector<std::pair<std::string, std::string>> fields;  // names lower-case, values trimmed
  std::string body;
  bool keep_alive = true;  // HTTP/1.1 without `Connection: close`

  // The value of the first field named `name` (lower-case), if any.
  std::optional<std::string_view> field(std::string_view name) const;
};

struct HttpParse {
  enum class State : uint8_t { kIncomplete, kComplete, kRefused };
  State state = State::kIncomplete;
  size_t consumed = 0;  // kComplete: the request's bytes, body included
  HttpRequest request;  // kComplete
  int status = 0;       // kRefused: 400, 413, 414, 431, 501 or 505
  std::string reason;   // kRefused: one line for the answer's body
};

HttpParse parse_http_request(std::string_view buffer, const HttpLimits& limits);

}  // namespace sluice::metrics
