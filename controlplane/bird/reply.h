// SPDX-License-Identifier: BSD-3-Clause
// BIRD's control-socket protocol (what birdc speaks; BIRD's doc/reply_codes): the bytes
// bird writes, cut into replies. Every line ends in '\n' and is one of
//
//   "1002-text"  a line with its 4-digit code; more lines of the reply follow
//   "0000 text"  the reply's last line: its code ends the reply (0xxx done, 8xxx run-time
//                error, 9xxx parse error)
//   " text"      a continuation: same code as the line before
//   "+text"      a spontaneous printout (log lines a client asked to echo), in no reply
//
// On connecting, bird sends one reply of its own: "0001 BIRD 2.0.12 ready.". Pure; one
// reader per connection, any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::bird {

struct ReplyLine {
  uint16_t code = 0;  // 0..9999; a continuation line carries the code before it
  std::string text;   // after the code and its separator, or after the continuation's space
  friend bool operator==(const ReplyLine&, const ReplyLine&) = default;
};

struct Reply {
  std::vector<ReplyLine> lines;  // the last one holds the end code
  uint16_t end_code() const { return lines.empty() ? 0 : lines.back().code; }
  bool failed() const { return end_code() >= 8000; }  // 8xxx and 9xxx
  // The last line as bird wrote it, e.g. "9001 syntax error, unexpected ...".
  std::string end_line() const;
};

class ReplyReader {
 public:
  // A line longer than this, or a reply of more bytes, is not BIRD's protocol.
  static constexpr size_t kMaxLine = 64 * 1024;
  static constexpr size_t kMaxReply = 4 * 1024 * 1024;

  // Takes the next bytes; false once the stream broke the protocol (error() says how,
  // and every later call fails too).
  bool feed(std::string_view bytes);
  // The oldest complete reply, if any.
  bool next(Reply& out);
  const std::string& error() const { return error_; }

 private:
  bool take_line(std::string_view line);
  bool fail(std::string why);

  std::string partial_;  // bytes of a line whose '\n' has not arrived
  Reply building_;
  size_t building_bytes_ = 0;
  std::deque<Reply> done_;
  std::string error_;
};

// `s` quoted for an error message: at most 80 bytes, control and non-ASCII bytes as '?'.
std::string quoted_text(std::string_view s);

}  // namespace sluice::bird
