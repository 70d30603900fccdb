// SPDX-License-Identifier: BSD-3-Clause
// The metrics listener's request parser (http_request.h): what it accepts, what it waits
// for, and the status it refuses everything else with.
#include "metrics/http_request.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace sluice::metrics {
namespace {

using State = HttpParse::State;
using ::testing::ElementsAre;
using ::testing::Pair;

constexpr HttpLimits kLimits{.max_header_bytes = 256, .max_fields = 4, .max_body_bytes = 16};

HttpParse parse(std::string_view text) { return parse_http_request(text, kLimits); }

TEST(HttpRequest, AWholeGet) {
  const std::string text =
      "GET /metrics?name[]=x HTTP/1.1\r\nHost: 127.0.0.1:9101\r\nAccept:  text/plain \r\n"
      "X-Empty:\r\n\r\n";
  HttpParse p = parse(text + "GET / HTTP/1.1\r\n");
  ASSERT_EQ(p.state, State::kComplete) << p.reason;
  EXPECT_EQ(p.consumed, text.size()) << "the pipelined request after it is left";
  const HttpRequest& r = p.request;
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/metrics?name[]=x");
  EXPECT_EQ(r.path, "/metrics");
  EXPECT_EQ(r.query, "name[]=x");
  EXPECT_EQ(r.minor_version, 1);
  EXPECT_THAT(r.fields, ElementsAre(Pair("host", "127.0.0.1:9101"), Pair("accept", "text/plain"),
                                    Pair("x-empty", "")));
  EXPECT_EQ(r.field("accept"), "text/plain");
  EXPECT_FALSE(r.field("cookie"));
  EXPECT_TRUE(r.body.empty());
  EXPECT_TRUE(r.keep_alive);
}

TEST(HttpRequest, KeepAliveAsHttp11Says) {
  EXPECT_FALSE(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Close\r\n\r\n")
                   .request.keep_alive);
  EXPECT_TRUE(
      parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n").request.keep_alive);
  HttpParse old = parse("GET / HTTP/1.0\r\n\r\n");
  ASSERT_EQ(old.state, State::kComplete) << "HTTP/1.0 needs no Host";
  EXPECT_EQ(old.request.minor_version, 0);
  EXPECT_FALSE(old.request.keep_alive);
}

TEST(HttpRequest, ABodyByContentLength) {
  const std::string head = "POST /admin/backend HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n";
  EXPECT_EQ(parse(head).state, State::kIncomplete);
  EXPECT_EQ(parse(head + "vip=www").state, State::kIncomplete);
  HttpParse p = parse(head + "vip=www&b=GET / HTTP/1.1");
  ASSERT_EQ(p.state, State::kComplete);
  EXPECT_EQ(p.request.body, "vip=www&b=");
  EXPECT_EQ(p.consumed, head.size() + 10);
  EXPECT_EQ(
      parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab").state,
      State::kComplete)
      << "the same length twice is one length";
}

TEST(HttpRequest, WaitsForWhatIsStillArriving) {
  for (std::string_view partial :
       {"", "G", "GET", "GET /", "GET / HTTP/1.1", "GET / HTTP/1.1\r", "GET / HTTP/1.1\r\n",
        "GET / HTTP/1.1\r\nHost: h", "GET / HTTP/1.1\r\nHost: h\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\n\r", "\r\n\r\nGET / HTTP/1.1\r\n"})
    EXPECT_EQ(parse(partial).state, State::kIncomplete) << partial;
}

TEST(HttpRequest, EmptyLinesBeforeTheRequestLine) {
  HttpParse p = parse("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_EQ(p.state, State::kComplete);
  EXPECT_EQ(p.consumed, 4u + 27u);
}

struct Refused {
  const char* name;
  std::string text;
  int status;
  std::string reason;
};

void PrintTo(const Refused& row, std::ostream* os) { *os << row.name; }

const std::string kLongLine = "GET /" + std::string(300, 'a') + " HTTP/1.1\r\n";

const Refused kRefused[] = {
    {"NotHttp", "HELLO\r\n", 400, "malformed request line; want METHOD /path HTTP/1.1"},
    {"TwoSpaces", "GET  / HTTP/1.1\r\n", 400, "malformed request line; want METHOD /path HTTP/1.1"},
    {"TrailingSpace", "GET / HTTP/1.1 \r\n", 400,
     "malformed request line; want METHOD /path HTTP/1.1"},
    {"BareLf", "GET / HTTP/1.1\nHost: h\n\n", 400,
     "a bare CR or LF inside a line; lines end with CRLF"},
    {"BareCr", "GET / HTTP/1.1\rHost: h\r\n\r\n", 400,
     "a bare CR or LF inside a line; lines end with CRLF"},
    {"AbsoluteForm", "GET http://h/ HTTP/1.1\r\n", 400,
     "the request target must be a path such as /"},
    {"Asterisk", "OPTIONS * HTTP/1.1\r\n", 400, "the request target must be a path such as /"},
    {"NonAsciiTarget", "GET /\xc3\xa9 HTTP/1.1\r\n", 400,
     "the request target must be a path such as /"},
    {"MethodNotAToken", "G(T / HTTP/1.1\r\n", 400, "malformed method in the request line"},
    {"MethodTooLong", "ABCDEFGHIJKLMNOPQ / HTTP/1.1\r\n", 400,
     "malformed method in the request line"},
    {"BadVersion", "GET / HTTP/1.1x\r\n", 400, "malformed HTTP version in the request line"},
    {"LowerCaseVersion", "GET / http/1.1\r\n", 400, "malformed HTTP version in the request line"},
    {"Http2", "GET / HTTP/2.0\r\n", 505, "only HTTP/1.1 and HTTP/1.0 are served"},
    {"Http09", "GET / HTTP/0.9\r\n", 505, "only HTTP/1.1 and HTTP/1.0 are served"},
    {"NoHost", "GET / HTTP/1.1\r\n\r\n", 400, "HTTP/1.1 request without a Host field"},
    {"TwoHosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "more than one Host field"},
    {"SpaceBeforeColon", "GET / HTTP/1.1\r\nHost : h\r\n", 400,
     "malformed header field; want Name: value"},
    {"NoColon", "GET / HTTP/1.1\r\nHost\r\n", 400, "malformed header field; want Name: value"},
    {"Folding", "GET / HTTP/1.1\r\nHost: h\r\n  more\r\n", 400, "obsolete header line folding"},
    {"ControlInValue", "GET / HTTP/1.1\r\nHost: h\x01\r\n", 400,
     "control character in a header field's value"},
    {"DelInValue", "GET / HTTP/1.1\r\nHost: h\x7f\r\n", 400,
     "control character in a header field's value"},
    {"TooManyFields", "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n", 431,
     "more than 4 header fields"},
    {"HeaderTooLong", "GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(240, 'x'), 431,
     "request header section longer than 256 bytes"},
    {"RequestLineTooLong", kLongLine, 414, "request line longer than 256 bytes"},
    {"RequestLineTooLongStillArriving", kLongLine.substr(0, 270), 414,
     "request line longer than 256 bytes"},
    {"Chunked", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", 501,
     "Transfer-Encoding is not supported; send a Content-Length"},
    {"BodyTooLarge", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 17\r\n\r\n", 413,
     "request body larger than 16 bytes"},
    {"HugeContentLength",
     "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n", 400,
     "Content-Length is not a number"},
    {"SignedContentLength", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +1\r\n\r\n", 400,
     "Content-Length is not a number"},
    {"ConflictingContentLength",
     "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400,
     "conflicting Content-Length fields"},
    {"FiveEmptyLines", "\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n", 400,
     "too many empty lines before the request"},
};

class RefusedRequest : public ::testing::TestWithParam<Refused> {};

TEST_P(RefusedRequest, ItsStatusAndReason) {
  const Refused& row = GetParam();
  HttpParse p = parse(row.text);
  ASSERT_EQ(p.state, State::kRefused);
  EXPECT_EQ(p.status, row.status);
  EXPECT_EQ(p.reason, row.reason);
}

INSTANTIATE_TEST_SUITE_P(HttpRequest, RefusedRequest, ::testing::ValuesIn(kRefused),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace sluice::metrics
