// SPDX-License-Identifier: BSD-3-Clause
#include "bird/reply.h"

#include <cctype>

namespace sluice::bird {
namespace {

bool has_code(std::string_view line) {
  if (line.size() < 5 || (line[4] != '-' && line[4] != ' ')) return false;
  for (size_t i = 0; i < 4; ++i)
    if (!std::isdigit(static_cast<unsigned char>(line[i]))) return false;
  return true;
}

}  // namespace

std::string quoted_text(std::string_view s) {
  constexpr size_t kMax = 80;
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    out += (c < 0x20 || c >= 0x7f) ? '?' : char(c);
  }
  if (s.size() > kMax) out += "...";
  return out + "'";
}

std::string Reply::end_line() const {
  if (lines.empty()) return {};
  std::string code = std::to_string(end_code());
  return std::string(4 - code.size(), '0') + code + " " + lines.back().text;
}

bool ReplyReader::fail(std::string why) {
  if (error_.empty()) error_ = "not BIRD's CLI protocol: " + std::move(why);
  return false;
}

bool ReplyReader::feed(std::string_view bytes) {
  if (!error_.empty()) return false;
  while (!bytes.empty()) {
    size_t eol = bytes.find('\n');
    if (eol == std::string_view::npos) {
      partial_.append(bytes);
      if (partial_.size() > kMaxLine)
        return fail("a line of more than " + std::to_string(kMaxLine) + " bytes");
      return true;
    }
    bool ok;
    if (partial_.empty()) {
      ok = take_line(bytes.substr(0, eol));
    } else {
      partial_.append(bytes.substr(0, eol));
      ok = partial_.size() <= kMaxLine
               ? take_line(partial_)
               : fail("a line of more than " + std::to_string(kMaxLine) + " bytes");
      partial_.clear();
    }
    if (!ok) return false;
    bytes.remove_prefix(eol + 1);
  }
  return true;
}

bool ReplyReader::take_line(std::string_view line) {
  if (!line.empty() && line[0] == '+') return true;
  building_bytes_ += line.size() + 1;
  if (building_bytes_ > kMaxReply)
    return fail("a reply of more than " + std::to_string(kMaxReply) + " bytes");
  if (!line.empty() && line[0] == ' ') {
    if (building_.lines.empty())
      return fail("continuation line " + quoted_text(line) + " opens a reply");
    building_.lines.push_back({building_.lines.back().code, std::string(line.substr(1))});
    return true;
  }
  if (!has_code(line)) return fail("line " + quoted_text(line) + " has no 4-digit code");
  uint16_t code = 0;
  for (size_t i = 0; i < 4; ++i) code = uint16_t(code * 10 + (line[i] - '0'));
  building_.lines.push_back({code, std::string(line.substr(5))});
  if (line[4] == ' ') {
    done_.push_back(std::move(building_));
    building_ = {};
    building_bytes_ = 0;
  }
  return true;
}

bool ReplyReader::next(Reply& out) {
  if (done_.empty()) return false;
  out = std::move(done_.front());
  done_.pop_front();
  return true;
}

}  // namespace sluice::bird
