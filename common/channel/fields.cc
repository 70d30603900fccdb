// SPDX-License-Identifier: BSD-3-Clause
#include "channel/fields.h"

#include <charconv>

namespace sluice::channel {

FieldWriter& FieldWriter::add(std::string_view name, std::string_view value) {
  value = value.substr(0, value.find('\n'));
  out_.append(name);
  out_ += ' ';
  out_.append(value);
  out_ += '\n';
  return *this;
}

FieldWriter& FieldWriter::add(std::string_view name, uint64_t value) {
  return add(name, std::to_string(value));
}

std::vector<Field> read_fields(std::string_view payload) {
  std::vector<Field> out;
  while (!payload.empty()) {
    const size_t end = payload.find('\n');
    std::string_view line = payload.substr(0, end);
    payload = end == std::string_view::npos ? std::string_view() : payload.substr(end + 1);
    if (line.empty()) continue;
    const size_t space = line.find(' ');
    if (space == std::string_view::npos)
      out.push_back({line, {}});
    else
      out.push_back({line.substr(0, space), line.substr(space + 1)});
  }
  return out;
}

std::optional<std::vector<std::string_view>> split_words(std::string_view value) {
  std::vector<std::string_view> out;
  for (;;) {
    const size_t space = value.find(' ');
    out.push_back(value.substr(0, space));
    if (out.back().empty()) return std::nullopt;
    if (space == std::string_view::npos) return out;
    value.remove_prefix(space + 1);
  }
}

std::optional<uint64_t> read_number(std::string_view word, uint64_t max) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), v);
  if (word.empty() || ec != std::errc() || end != word.data() + word.size() || v > max)
    return std::nullopt;
  return v;
}

std::optional<IpAddress> read_address(std::string_view word) { return IpAddress::parse(word); }

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2) return std::nullopt;
  auto digit = [](char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = digit(hex[i]), lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += char(hi << 4 | lo);
  }
  return out;
}

}  // namespace sluice::channel
