// SPDX-License-Identifier: BSD-3-Clause
#include "api/text.h"

namespace sluice::api {
namespace {

constexpr std::string_view kBlank = " \t\r";

std::string_view trim(std::string_view s) {
  size_t b = s.find_first_not_of(kBlank);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(kBlank);
  return s.substr(b, e - b + 1);
}

bool is_control(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

}  // namespace

std::vector<std::string_view> split_commands(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= line.size()) {
    size_t semi = line.find(';', start);
    if (semi == std::string_view::npos) semi = line.size();
    std::string_view part = trim(line.substr(start, semi - start));
    if (!part.empty()) out.push_back(part);
    start = semi + 1;
  }
  return out;
}

std::vector<std::string_view> words_of(std::string_view command) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (true) {
    i = command.find_first_not_of(kBlank, i);
    if (i == std::string_view::npos) break;
    size_t j = command.find_first_of(kBlank, i);
    if (j == std::string_view::npos) j = command.size();
    out.push_back(command.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string quoted(std::string_view s) {
  constexpr size_t kMax = 64;
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < kMax; ++i) out += is_control(s[i]) ? '?' : s[i];
  if (s.size() > kMax) out += "...";
  out += "'";
  return out;
}

std::string one_line(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (is_control(c)) c = ' ';
  return out;
}

}  // namespace sluice::api
