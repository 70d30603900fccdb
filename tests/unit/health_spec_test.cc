// SPDX-License-Identifier: BSD-3-Clause
// Check specs: keys and deduplication, validation, the HTTP request and status line,
// specs from the config.
#include <gtest/gtest.h>

#include <unordered_set>

#include "health/check_spec.h"
#include "health/from_config.h"
#include "health/http_message.h"

namespace sluice::health {
namespace {

CheckSpec http(const char* addr = "10.0.0.1", uint16_t port = 80) {
  CheckSpec s;
  s.kind = CheckSpec::Kind::kHttp;
  s.address = *IpAddress::parse(addr);
  s.port = port;
  s.http_path = "/health";
  return s;
}

TEST(CheckKey, SameCheckSameKey) {
  EXPECT_EQ(http().key(), http().key());
  std::unordered_set<CheckKey> keys{http().key(), http().key(), http("10.0.0.2").key()};
  EXPECT_EQ(keys.size(), 2u);
}

TEST(CheckKey, EveryParameterCounts) {
  CheckSpec base = http();
  std::vector<CheckSpec> variants(13, base);
  variants[0].kind = CheckSpec::Kind::kTcp;
  variants[1].address = *IpAddress::parse("10.0.0.2");
  variants[2].port = 8080;
  variants[3].interval_ms = 1000;
  variants[4].fast_interval_ms = 100;
  variants[5].down_interval_ms = 100;
  variants[6].timeout_ms = 10;
  variants[7].rise = 1;
  variants[8].fall = 1;
  variants[9].http_path = "/";
  variants[10].http_host = "www.foobar.com";
  variants[11].http_status_max = 299;
  variants[12].initial = CheckSpec::Initial::kUp;
  std::unordered_set<CheckKey> keys{base.key()};
  for (const CheckSpec& v : variants) EXPECT_TRUE(keys.insert(v.key()).second) << v.key().text;
}

TEST(CheckKey, ProbeKeyIgnoresTimingAndThresholds) {
  CheckSpec a = http(), b = http();
  b.interval_ms = 100;
  b.rise = 5;
  b.initial = CheckSpec::Initial::kUp;
  EXPECT_NE(a.key(), b.key());
  EXPECT_EQ(a.probe_key(), b.probe_key());
  b.http_path = "/other";
  EXPECT_NE(a.probe_key(), b.probe_key());
}

TEST(CheckKey, UdpPayloadsAreEscapedUnambiguously) {
  CheckSpec a, b;
  a.kind = b.kind = CheckSpec::Kind::kUdp;
  a.address = b.address = *IpAddress::parse("10.0.0.1");
  a.port = b.port = 53;
  a.udp_payload = "x expect=y";
  b.udp_payload = "x";
  b.udp_expect = "y";
  EXPECT_NE(a.key(), b.key());
  a.udp_payload = std::string("\0\1 ", 3);
  EXPECT_EQ(a.probe_key(), "udp 10.0.0.1:53 send=\\x00\\x01\\x20 expect=");
}

TEST(CheckSpec, TargetsAndKeysAreReadable) {
  EXPECT_EQ(http().target(), "10.0.0.1:80");
  EXPECT_EQ(http("2001:db8::1", 8080).target(), "[2001:db8::1]:8080");
  EXPECT_EQ(http().key().text,
            "http 10.0.0.1:80 path=/health host= status=200-399 inter=2000 fastinter=0 "
            "downinter=0 timeout=1000 rise=2 fall=3 init=down");
}

TEST(CheckSpec, Validate) {
  EXPECT_EQ(http().validate(), "");
  CheckSpec s = http();
  s.port = 0;
  EXPECT_EQ(s.validate(), "port must be 1-65535");
  s = http();
  s.rise = 0;
  EXPECT_EQ(s.validate(), "rise must be at least 1");
  s = http();
  s.http_path = "health";
  EXPECT_EQ(s.validate(), "http path must start with '/'");
  s = http();
  s.http_path = "/a b";
  EXPECT_NE(s.validate(), "");
  s = http();
  s.http_host = "evil\r\nX-Injected: 1";
  EXPECT_NE(s.validate(), "");
  s = http();
  s.http_status_min = 400;
  s.http_status_max = 300;
  EXPECT_NE(s.validate(), "");
  s = CheckSpec{};
  s.port = 80;
  EXPECT_EQ(s.validate(), "address must be set");
}

TEST(HttpMessage, Request) {
  CheckSpec s = http();
  s.http_host = "www.foobar.com";
  EXPECT_EQ(http_request(s),
            "GET /health HTTP/1.0\r\nHost: www.foobar.com\r\nUser-Agent: sluice-health\r\n"
            "Connection: close\r\n\r\n");
  EXPECT_NE(http_request(http()).find("\r\nHost: 10.0.0.1\r\n"), std::string::npos);
  EXPECT_NE(http_request(http("2001:db8::1", 8080)).find("\r\nHost: [2001:db8::1]:8080\r\n"),
            std::string::npos);
}

TEST(HttpMessage, StatusLine) {
  EXPECT_EQ(parse_status_line("HTTP/1.1 200 OK\r"), 200);
  EXPECT_EQ(parse_status_line("HTTP/1.0 503 Service Unavailable"), 503);
  EXPECT_EQ(parse_status_line("HTTP/1.0 204"), 204);
  EXPECT_EQ(parse_status_line("HTTP/1.1 404\r"), 404);
  EXPECT_FALSE(parse_status_line(""));
  EXPECT_FALSE(parse_status_line("SSH-2.0-OpenSSH_9.2"));
  EXPECT_FALSE(parse_status_line("HTTP/1.1 20"));
  EXPECT_FALSE(parse_status_line("HTTP/1.1 2000"));
  EXPECT_FALSE(parse_status_line("HTTP/1.1 abc"));
  EXPECT_FALSE(parse_status_line("HTTP/x 200"));
  EXPECT_FALSE(parse_status_line("HTTP/1.1 099"));
}

TEST(FromConfig, BackendSpecFromVipCheck) {
  config::Vip vip;
  vip.port = 443;
  EXPECT_FALSE(check_spec_for(vip, *IpAddress::parse("10.0.0.1")));
  vip.check.type = config::HealthCheck::Type::kHttp;
  vip.check.http_path = "/ping";
  vip.check.rise = 4;
  vip.check.initial_up = true;
  auto s = check_spec_for(vip, *IpAddress::parse("10.0.0.1"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kind, CheckSpec::Kind::kHttp);
  EXPECT_EQ(s->port, 443);
  EXPECT_EQ(s->http_path, "/ping");
  EXPECT_EQ(s->rise, 4u);
  EXPECT_EQ(s->initial, CheckSpec::Initial::kUp);
  vip.check.port = 8080;
  EXPECT_EQ(check_spec_for(vip, *IpAddress::parse("10.0.0.1"))->port, 8080);
}

}  // namespace
}  // namespace sluice::health
