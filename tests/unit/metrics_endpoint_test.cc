// SPDX-License-Identifier: BSD-3-Clause
// What the metrics listener serves (endpoint.h) for the fake model: the pages, 404 and
// 405, and who may use the admin actions (admin_action.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/testing/fake_model.h"
#include "metrics/endpoint.h"
#include "metrics/metrics.h"
#include "metrics/status_page.h"

namespace sluice::metrics {
namespace {

using api::testing::FakeModel;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

const IpAddress kLocal = *IpAddress::parse("127.0.0.1");
const IpAddress kStranger = *IpAddress::parse("10.9.9.9");

AdminPolicy allow_loopback() {
  return {.enabled = true, .sources = {*IpPrefix::parse("127.0.0.0/8")}};
}

HttpRequest request(std::string method, std::string path) {
  HttpRequest r;
  r.method = std::move(method);
  r.target = path;
  r.path = std::move(path);
  r.fields = {{"host", "127.0.0.1:9101"}};
  return r;
}

// A POST as the status page sends it.
HttpRequest action(std::string body) {
  HttpRequest r = request("POST", "/admin/backend");
  r.fields.emplace_back("x-sluice-admin", "1");
  r.fields.emplace_back("content-type", "application/x-www-form-urlencoded");
  r.fields.emplace_back("origin", "http://127.0.0.1:9101");
  r.body = std::move(body);
  return r;
}

std::optional<std::string> field(const HttpResponse& r, std::string_view name) {
  for (const auto& [n, v] : r.fields)
    if (n == name) return v;
  return std::nullopt;
}

TEST(MetricsEndpoint, Pages) {
  FakeModel model;
  Endpoint endpoint(model, {});
  HttpResponse m = endpoint.handle(request("GET", "/metrics"), kLocal);
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(m.body, render_metrics(model));
  EXPECT_EQ(endpoint.handle(request("HEAD", "/metrics"), kLocal).status, 200);

  HttpResponse page = endpoint.handle(request("GET", "/"), kLocal);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(page.body, status_html());
  EXPECT_THAT(page.body, HasSubstr("<script src=\"/status.js\" defer></script>"));
  EXPECT_EQ(field(page, "Content-Security-Policy"),
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  EXPECT_EQ(field(page, "X-Frame-Options"), "DENY");
  EXPECT_EQ(endpoint.handle(request("GET", "/status.css"), kLocal).content_type,
            "text/css; charset=utf-8");
  EXPECT_EQ(endpoint.handle(request("GET", "/status.js"), kLocal).body, status_js());
}

TEST(MetricsEndpoint, StatusJsonIsTheApisJsonTogether) {
  FakeModel model;
  Endpoint endpoint(model, allow_loopback());
  HttpResponse local = endpoint.handle(request("GET", "/status.json"), kLocal);
  EXPECT_EQ(local.content_type, "application/json");
  EXPECT_TRUE(local.body.starts_with(R"({"info":{"version":"0.1.0","pid":4242,)")) << local.body;
  EXPECT_THAT(local.body, HasSubstr(R"(,"vips":{"vips":[{"name":"www",)"));
  EXPECT_THAT(local.body, HasSubstr(R"(,"backends":{"backends":[{"vip":"www",)"));
  EXPECT_THAT(local.body,
              HasSubstr(R"(,"stats":{"rx_packets":1507,"tx_packets":1500,"drop_no_vip":3})"));
  EXPECT_THAT(local.body, HasSubstr(R"(,"ha":{"configured":false})"));
  EXPECT_TRUE(local.body.ends_with(R"(,"admin":{"enabled":true,"allowed":true}})"));
  EXPECT_TRUE(endpoint.handle(request("GET", "/status.json"), kStranger)
                  .body.ends_with(R"(,"admin":{"enabled":true,"allowed":false}})"));
  endpoint.set_policy({});
  EXPECT_TRUE(endpoint.handle(request("GET", "/status.json"), kLocal)
                  .body.ends_with(R"(,"admin":{"enabled":false,"allowed":false}})"));
}

TEST(MetricsEndpoint, NotFoundAndMethodNotAllowed) {
  FakeModel model;
  Endpoint endpoint(model, allow_loopback());
  HttpResponse none = endpoint.handle(request("GET", "/nope"), kLocal);
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(none.body, "no page at /nope; try / (status), /metrics (Prometheus), /status.json\n");
  HttpResponse post = endpoint.handle(request("POST", "/metrics"), kLocal);
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.body, "POST is not allowed on /metrics; use GET, HEAD\n");
  EXPECT_EQ(field(post, "Allow"), "GET, HEAD");
  HttpResponse get = endpoint.handle(request("GET", "/admin/backend"), kLocal);
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(field(get, "Allow"), "POST");
  EXPECT_EQ(endpoint.handle(request("DELETE", "/"), kLocal).status, 405);
  EXPECT_EQ(endpoint.handle(request("get", "/"), kLocal).status, 405) << "methods are exact";
  EXPECT_THAT(model.changes, IsEmpty());
}

TEST(MetricsEndpoint, AdminActionsDisabled) {
  FakeModel model;
  Endpoint endpoint(model, {.enabled = false, .sources = {*IpPrefix::parse("127.0.0.0/8")}});
  HttpResponse r = endpoint.handle(action("vip=www&backend=10.0.0.12&state=drain"), kLocal);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, "admin actions are disabled; set admin_actions = true in [metrics]\n");
  EXPECT_THAT(model.changes, IsEmpty());
}

TEST(MetricsEndpoint, AdminActionsFromAnotherSource) {
  FakeModel model;
  Endpoint endpoint(model, allow_loopback());
  HttpResponse r = endpoint.handle(action("vip=www&backend=10.0.0.12&state=drain"), kStranger);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body,
            "admin actions are not allowed from 10.9.9.9: not in [metrics] admin_sources\n");
  EXPECT_EQ(privilege_for_client(allow_loopback(), kStranger), api::Privilege::kRead);
  EXPECT_EQ(privilege_for_client(allow_loopback(), kLocal), api::Privilege::kAdmin);
  EXPECT_EQ(privilege_for_client(allow_loopback(), *IpAddress::parse("::1")), api::Privilege::kRead)
      << "an IPv4 prefix holds no IPv6 address";
  EXPECT_THAT(model.changes, IsEmpty());
}

TEST(MetricsEndpoint, AdminActionsAllowed) {
  FakeModel model;
  Endpoint endpoint(model, allow_loopback());
  HttpResponse r = endpoint.handle(action("vip=www&backend=10.0.0.12&state=drain"), kLocal);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "Backend 10.0.0.12 of VIP www: state drain\n");
  r = endpoint.handle(action("backend=2001%3ADB8%3A%3A1&weight=5&vip=dns"), kLocal);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "Backend 2001:db8::1 of VIP dns: weight 5\n");
  r = endpoint.handle(action("vip=www&backend=10.0.0.11&state=maint"), kLocal);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(model.changes, (std::vector<FakeModel::Change>{{"www", "10.0.0.12", "state drain"},
                                                           {"dns", "2001:db8::1", "weight 5"},
                                                           {"www", "10.0.0.11", "state maint"}}));
}

TEST(MetricsEndpoint, AdminActionsRefusedForAnotherSite) {
  FakeModel model;
  Endpoint endpoint(model, allow_loopback());
  HttpRequest no_header = action("vip=www&backend=10.0.0.12&state=drain");
  std::erase_if(no_header.fields, [](const auto& f) { return f.first == "x-sluice-admin"; });
  HttpRequest by_name = action("vip=www&backend=10.0.0.12&state=drain");
  by_name.fields[0].second = "sluice.example:9101";
  by_name.fields.back().second = "http://sluice.example:9101";
  HttpRequest other_origin = action("vip=www&backend=10.0.0.12&state=drain");
  other_origin.fields.back().second = "http://evil.example";
  HttpRequest json = action("{}");
  json.fields[2].second = "application/json";
  EXPECT_EQ(endpoint.handle(no_header, kLocal).body,
            "admin actions need the header X-Sluice-Admin: 1\n");
  EXPECT_EQ(endpoint.handle(by_name, kLocal).body,
            "admin actions need a Host that is an IP address, not a name\n");
  EXPECT_EQ(endpoint.handle(other_origin, kLocal).body,
            "admin actions from another origin are refused\n");
  EXPECT_EQ(endpoint.handle(json, kLocal).status, 415);
  EXPECT_THAT(model.changes, IsEmpty());
  HttpRequest v6 = action("vip=www&backend=10.0.0.12&state=ready");
  v6.fields[0].second = "[::1]:9101";
  std::erase_if(v6.fields, [](const auto& f) { return f.first == "origin"; });
  EXPECT_EQ(endpoint.handle(v6, kLocal).status, 200) << "no Origin (curl), a bracketed address";
}

TEST(MetricsEndpoint, AdminFormsRefused) {
  struct Row {
    std::string body;
    std::string answer;
  };
  const Row rows[] = {
      {"", "empty form; want vip=NAME&backend=ADDRESS&state=ready|drain|maint"},
      {"vip=www&backend", "malformed form field (no '=')"},
      {"vip=w%4&backend=10.0.0.12&state=drain", "malformed percent-encoding in the form"},
      {"vip=www&backend=10.0.0.12&state=drain&reload=1",
       "unknown form field 'reload'; allowed: vip, backend, state, weight"},
      {"vip=www&vip=dns&backend=10.0.0.12&state=drain", "form field 'vip' given twice"},
      {"vip=www%3Breload&backend=10.0.0.12&state=drain",
       "vip: a VIP name of 1-63 characters from A-Z a-z 0-9 _ . -"},
      {"vip=www+x&backend=10.0.0.12&state=drain",
       "vip: a VIP name of 1-63 characters from A-Z a-z 0-9 _ . -"},
      {"vip=www&backend=web1&state=drain", "backend: an IP address"},
      {"vip=www&backend=10.0.0.12", "give either state or weight"},
      {"vip=www&backend=10.0.0.12&state=drain&weight=1", "give either state or weight"},
      {"vip=www&backend=10.0.0.12&state=drain%3Breload", "state: ready, drain or maint"},
      {"vip=www&backend=10.0.0.12&state=sleep",
       "Usage: set backend VIP BACKEND state ready|drain|maint"},
      {"vip=www&backend=10.0.0.12&weight=70000",
       "Error: weight '70000' is not an integer in 0..65535"},
      {"vip=nope&backend=10.0.0.12&state=drain", "Error: no VIP named 'nope'"},
      {"vip=www&backend=10.0.0.99&state=drain", "Error: VIP 'www' has no backend 10.0.0.99"},
  };
  FakeModel model;
  Endpoint endpoint(model, allow_loopback());
  for (const Row& row : rows) {
    HttpResponse r = endpoint.handle(action(row.body), kLocal);
    EXPECT_EQ(r.status, 400) << row.body;
    EXPECT_EQ(r.body, row.answer + "\n") << row.body;
  }
  EXPECT_THAT(model.changes, IsEmpty());
  EXPECT_EQ(model.reloads, 0);
}

}  // namespace
}  // namespace sluice::metrics
