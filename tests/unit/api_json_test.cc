// SPDX-License-Identifier: BSD-3-Clause
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "api/json_writer.h"

namespace sluice::api {
namespace {

TEST(ApiJson, Escapes) {
  EXPECT_EQ(json_quote(""), R"("")");
  EXPECT_EQ(json_quote("plain text"), R"("plain text")");
  EXPECT_EQ(json_quote("a\"b\\c/d"), R"("a\"b\\c/d")");
  EXPECT_EQ(json_quote("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(json_quote(std::string("\x00\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001f\x7f\"");
}

TEST(ApiJson, Utf8KeptInvalidReplaced) {
  EXPECT_EQ(json_quote("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  EXPECT_EQ(json_quote("\xff"), R"("\ufffd")");
  EXPECT_EQ(json_quote("a\xc3"), R"("a\ufffd")");                              // truncated
  EXPECT_EQ(json_quote("\xc0\xaf"), R"("\ufffd\ufffd")");                      // overlong '/'
  EXPECT_EQ(json_quote("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");            // surrogate
  EXPECT_EQ(json_quote("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // > U+10FFFF
}

TEST(ApiJson, Nesting) {
  JsonWriter w;
  w.begin_object();
  w.key("a").value(uint64_t{1});
  w.key("b").begin_array().value("x").value(true).null().begin_object().end_object();
  w.begin_array().end_array().end_array();
  w.key("c").value(int64_t{-5});
  w.key("d\n").value(false);
  w.end_object();
  EXPECT_EQ(w.str(), R"({"a":1,"b":["x",true,null,{},[]],"c":-5,"d\n":false})");
}

TEST(ApiJson, Limits) {
  JsonWriter w;
  w.begin_array()
      .value(std::numeric_limits<uint64_t>::max())
      .value(std::numeric_limits<int64_t>::min())
      .value(uint16_t{65535})
      .end_array();
  EXPECT_EQ(w.str(), "[18446744073709551615,-9223372036854775808,65535]");
}

}  // namespace
}  // namespace sluice::api
