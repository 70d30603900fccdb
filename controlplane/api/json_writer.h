// SPDX-License-Identifier: BSD-3-Clause
// A minimal streaming JSON writer producing compact text (one line). Commas are placed by
// the writer; the caller nests begin/end calls correctly. Strings are escaped per RFC 8259
// and invalid UTF-8 is replaced by U+FFFD, so the output is always valid JSON text.
// Pure; one writer per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::api {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);  // inside an object, before its value

  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(uint64_t v);
  JsonWriter& value(int64_t v);
  JsonWriter& value(uint32_t v) { return value(uint64_t{v}); }
  JsonWriter& value(uint16_t v) { return value(uint64_t{v}); }
  JsonWriter& value(int v) { return value(int64_t{v}); }
  JsonWriter& value(bool b);
  JsonWriter& null();

  const std::string& str() const { return out_; }

 private:
  void separate();

  std::string out_;
  // One entry per open container: true once it holds an element.
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

// `s` as a JSON string literal, quotes included.
std::string json_quote(std::string_view s);

}  // namespace sluice::api
