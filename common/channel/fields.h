// SPDX-License-Identifier: BSD-3-Clause
// The text payloads of the channel's question-and-answer messages (trace, conns): one
// field per line, its name, one space, its value to the end of the line. A reader skips
// the fields it does not know, so either side may add some. Pure; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/ip_address.h"

namespace sluice::channel {

class FieldWriter {
 public:
  // A value with a newline in it is cut there: a field is one line.
  FieldWriter& add(std::string_view name, std::string_view value);
  FieldWriter& add(std::string_view name, uint64_t value);
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

struct Field {
  std::string_view name;
  std::string_view value;
};

// The fields of `payload`, in order; a line without a space is a field with an empty value.
std::vector<Field> read_fields(std::string_view payload);

// A value's words, separated by single spaces; nullopt when one is empty (two spaces, or
// one at either end).
std::optional<std::vector<std::string_view>> split_words(std::string_view value);

// Strict readers of one word: nullopt when it is not exactly that.
std::optional<uint64_t> read_number(std::string_view word, uint64_t max);
std::optional<IpAddress> read_address(std::string_view word);

// Bytes as lowercase hex and back (nullopt on an odd length or a non-hex digit).
std::string to_hex(std::string_view bytes);
std::optional<std::string> from_hex(std::string_view hex);

}  // namespace sluice::channel
