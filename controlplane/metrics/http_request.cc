// SPDX-License-Identifier: BSD-3-Clause
#include "metrics/http_request.h"

#include <algorithm>

namespace sluice::metrics {
namespace {

constexpr size_t kMaxMethod = 16;
constexpr size_t kMaxEmptyLines = 4;

// RFC 9110 5.6.2 tchar.
bool token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool token(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), token_char); }

// VCHAR, SP, HTAB and obs-text: what a field value may hold.
bool value_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u == '\t' || (u >= 0x20 && u != 0x7f);
}

// An origin-form target: '/' then visible ASCII only.
bool origin_form(std::string_view t) {
  if (t.empty() || t[0] != '/') return false;
  return std::all_of(t.begin(), t.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

HttpParse refuse(int status, std::string reason) {
  HttpParse p;
  p.state = HttpParse::State::kRefused;
  p.status = status;
  p.reason = std::move(reason);
  return p;
}

// Whether a comma-separated list of tokens (Connection) holds `want`, case-insensitively.
bool has_token(std::string_view list, std::string_view want) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = trim(list.substr(0, comma));
    if (lower(item) == want) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

std::optional<std::string_view> HttpRequest::field(std::string_view name) const {
  for (const auto& [n, v] : fields)
    if (n == name) return std::string_view(v);
  return std::nullopt;
}

HttpParse parse_http_request(std::string_view buffer, const HttpLimits& limits) {
  size_t start = 0;
  for (size_t i = 0; i < kMaxEmptyLines && buffer.substr(start).starts_with("\r\n"); ++i)
    start += 2;
  std::string_view in = buffer.substr(start);
  if (in.starts_with("\r\n")) return refuse(400, "too many empty lines before the request");

  size_t end = in.find("\r\n\r\n");
  const size_t head_bytes = end == std::string_view::npos ? in.size() : end + 4;
  if (head_bytes > limits.max_header_bytes) {
    size_t first = in.find("\r\n");
    if (first == std::string_view::npos || first + 2 > limits.max_header_bytes)
      return refuse(
          414, "request line longer than " + std::to_string(limits.max_header_bytes) + " bytes");
    return refuse(431, "request header section longer than " +
                           std::to_string(limits.max_header_bytes) + " bytes");
  }
  // Whatever arrived so far must already be well-formed: refuse garbage without waiting.
  std::string_view head = in.substr(0, end == std::string_view::npos ? in.size() : end + 2);
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < head.size();) {
    size_t eol = head.find("\r\n", pos);
    std::string_view line = head.substr(pos, eol == std::string_view::npos ? eol : eol - pos);
    if (eol == std::string_view::npos && line.ends_with('\r')) line.remove_suffix(1);  // CR|LF
    if (line.find_first_of("\r\n") != std::string_view::npos)
      return refuse(400, "a bare CR or LF inside a line; lines end with CRLF");
    if (eol == std::string_view::npos) break;  // the line is still arriving
    lines.push_back(line);
    pos = eol + 2;
  }

  HttpParse p;
  HttpRequest& r = p.request;
  if (!lines.empty()) {
    std::string_view line = lines[0];
    size_t sp1 = line.find(' ');
    size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
      return refuse(400, "malformed request line; want METHOD /path HTTP/1.1");
    std::string_view method = line.substr(0, sp1);
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string_view version = line.substr(sp2 + 1);
    if (!token(method) || method.size() > kMaxMethod)
      return refuse(400, "malformed method in the request line");
    if (!origin_form(target)) return refuse(400, "the request target must be a path such as /");
    if (version.size() != 8 || !version.starts_with("HTTP/") || version[6] != '.' ||
        version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9')
      return refuse(400, "malformed HTTP version in the request line");
    if (version != "HTTP/1.1" && version != "HTTP/1.0")
      return refuse(505, "only HTTP/1.1 and HTTP/1.0 are served");
    r.method = std::string(method);
    r.target = std::string(target);
    size_t q = target.find('?');
    r.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
    r.minor_version = version[7] - '0';
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (line.empty()) continue;
    if (line[0] == ' ' || line[0] == '\t') return refuse(400, "obsolete header line folding");
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || !token(line.substr(0, colon)))
      return refuse(400, "malformed header field; want Name: value");
    std::string_view value = trim(line.substr(colon + 1));
    if (!std::all_of(value.begin(), value.end(), value_char))
      return refuse(400, "control character in a header field's value");
    if (r.fields.size() == limits.max_fields)
      return refuse(431, "more than " + std::to_string(limits.max_fields) + " header fields");
    r.fields.emplace_back(lower(line.substr(0, colon)), std::string(value));
  }
  if (end == std::string_view::npos) return p;  // kIncomplete

  size_t hosts = 0;
  std::optional<std::string_view> length;
  for (const auto& [name, value] : r.fields) {
    if (name == "host") ++hosts;
    if (name == "transfer-encoding")
      return refuse(501, "Transfer-Encoding is not supported; send a Content-Length");
    if (name == "content-length") {
      if (length && *length != value) return refuse(400, "conflicting Content-Length fields");
      length = value;
    }
    if (name == "connection" && has_token(value, "close")) r.keep_alive = false;
  }
  if (r.minor_version == 0) r.keep_alive = false;
  if (r.minor_version == 1 && hosts != 1)
    return refuse(
        400, hosts == 0 ? "HTTP/1.1 request without a Host field" : "more than one Host field");
  size_t body_bytes = 0;
  if (length) {
    if (length->empty() || length->size() > 19 ||
        !std::all_of(length->begin(), length->end(), [](char c) { return c >= '0' && c <= '9'; }))
      return refuse(400, "Content-Length is not a number");
    for (char c : *length) body_bytes = body_bytes * 10 + size_t(c - '0');
    if (body_bytes > limits.max_body_bytes)
      return refuse(413,
                    "request body larger than " + std::to_string(limits.max_body_bytes) + " bytes");
  }
  const size_t total = start + end + 4 + body_bytes;
  if (buffer.size() < total) return p;  // kIncomplete: the body is still arriving
  r.body = std::string(buffer.substr(start + end + 4, body_bytes));
  p.state = HttpParse::State::kComplete;
  p.consumed = total;
  return p;
}

}  // namespace sluice::metrics
