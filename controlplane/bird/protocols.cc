// SPDX-License-Identifier: BSD-3-Clause
#include "bird/protocols.h"

#include <array>
#include <cctype>
#include <string_view>

namespace sluice::bird {
namespace {

constexpr uint16_t kEnd = 0;       // "0000": the command is done
constexpr uint16_t kGreeting = 1;  // "0001 BIRD 2.0.12 ready."
constexpr uint16_t kProtocolRow = 1002;
constexpr uint16_t kProtocolHeader = 2002;

constexpr std::array<std::string_view, 6> kHeader = {"Name",  "Proto", "Table",
                                                     "State", "Since", "Info"};
// RFC 4271's states as bird names them, and bird's own closing state.
constexpr std::array<std::string_view, 7> kSessionStates = {
    "Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established", "Close"};

// The words of a line, one at a time, and what is left after them.
class Words {
 public:
  explicit Words(std::string_view s) : rest_(s) {}
  std::string_view next() {
    skip_blanks();
    size_t end = rest_.find(' ');
    std::string_view word = rest_.substr(0, end);
    rest_.remove_prefix(word.size());
    return word;
  }
  std::string_view peek() const {
    Words copy = *this;
    return copy.next();
  }
  std::string_view rest() {
    skip_blanks();
    size_t end = rest_.find_last_not_of(' ');
    return end == std::string_view::npos ? std::string_view{} : rest_.substr(0, end + 1);
  }

 private:
  void skip_blanks() {
    size_t start = rest_.find_first_not_of(' ');
    rest_.remove_prefix(start == std::string_view::npos ? rest_.size() : start);
  }
  std::string_view rest_;
};

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// "2024-06-01"
bool is_date(std::string_view s) {
  return s.size() == 10 && s[4] == '-' && s[7] == '-' && all_digits(s.substr(0, 4)) &&
         all_digits(s.substr(5, 2)) && all_digits(s.substr(8, 2));
}

// "03:18:59", "03:18:59.594"
bool is_time(std::string_view s) {
  return s.size() >= 8 && s[2] == ':' && s[5] == ':' && all_digits(s.substr(0, 2)) &&
         all_digits(s.substr(3, 2)) && all_digits(s.substr(6, 2));
}

bool header_ok(std::string_view text) {
  Words w(text);
  for (std::string_view column : kHeader)
    if (w.next() != column) return false;
  return w.rest().empty();
}

// Splits a BGP protocol's info into the session state and the last error.
void read_info(std::string_view info, ProtocolStatus& p) {
  Words w(info);
  std::string_view first = w.peek();
  for (std::string_view s : kSessionStates)
    if (first == s) {
      p.session = std::string(w.next());
      p.last_error = std::string(w.rest());
      return;
    }
  p.last_error = std::string(info);
}

}  // namespace

ProtocolsParse parse_protocols(const Reply& reply) {
  ProtocolsParse out;
  if (reply.failed()) {
    out.error = "bird answered " + quoted_text(reply.end_line());
    return out;
  }
  bool header = false;
  for (size_t i = 0; i < reply.lines.size(); ++i) {
    const ReplyLine& line = reply.lines[i];
    if (line.code == kEnd && i + 1 == reply.lines.size()) break;
    if (line.code == kProtocolHeader) {
      if (!header_ok(line.text)) {
        out.error = "unexpected header " + quoted_text(line.text);
        return out;
      }
      header = true;
      continue;
    }
    if (line.code != kProtocolRow || !header) {
      out.error =
          "unexpected line " + quoted_text(line.text) + " (code " + std::to_string(line.code) + ")";
      return out;
    }
    Words w(line.text);
    ProtocolStatus p;
    p.name = std::string(w.next());
    p.proto = std::string(w.next());
    w.next();  // the routing table: none for BGP and BFD protocols
    p.state = std::string(w.next());
    p.since = std::string(w.next());
    if (p.since.empty()) {
      out.error = "unexpected row " + quoted_text(line.text);
      return out;
    }
    if (is_date(p.since) && is_time(w.peek())) p.since += " " + std::string(w.next());
    if (p.proto != "BGP" && p.proto != "BFD") continue;
    if (p.proto == "BGP") read_info(w.rest(), p);
    out.protocols.push_back(std::move(p));
  }
  if (!header) out.error = "no protocol table in the answer";
  return out;
}

std::optional<std::string> parse_greeting(const Reply& reply) {
  if (reply.lines.size() != 1 || reply.end_code() != kGreeting) return std::nullopt;
  Words w(reply.lines[0].text);
  if (w.next() != "BIRD") return std::nullopt;
  std::string version(w.next());
  if (version.empty() || w.next() != "ready.") return std::nullopt;
  return version;
}

}  // namespace sluice::bird
