// SPDX-License-Identifier: BSD-3-Clause
#include "metrics/endpoint.h"

#include <string_view>

#include "metrics/metrics.h"
#include "metrics/prometheus_text.h"
#include "metrics/status_page.h"

namespace sluice::metrics {
namespace {

enum class Page : uint8_t { kMetrics, kHtml, kCss, kJs, kJson, kAdmin };

struct Route {
  std::string_view path;
  std::string_view methods;  // as the Allow field lists them
  Page page;
};

constexpr Route kRoutes[] = {
    {"/metrics", "GET, HEAD", Page::kMetrics},  {"/", "GET, HEAD", Page::kHtml},
    {"/status.css", "GET, HEAD", Page::kCss},   {"/status.js", "GET, HEAD", Page::kJs},
    {"/status.json", "GET, HEAD", Page::kJson}, {"/admin/backend", "POST", Page::kAdmin},
};

bool allows(std::string_view methods, std::string_view method) {
  while (!methods.empty()) {
    size_t comma = methods.find(',');
    if (methods.substr(0, comma) == method) return true;
    if (comma == std::string_view::npos) break;
    methods.remove_prefix(comma + 2);  // ", "
  }
  return false;
}

HttpResponse content(std::string_view type, std::string body) {
  HttpResponse r;
  r.content_type = std::string(type);
  r.body = std::move(body);
  return r;
}

HttpResponse serve(Page page, api::Model& model, const AdminPolicy& policy,
                   const HttpRequest& request, const IpAddress& peer) {
  switch (page) {
    case Page::kMetrics:
      return content(kTextContentType, render_metrics(model));
    case Page::kHtml:
      return content("text/html; charset=utf-8", std::string(status_html()));
    case Page::kCss:
      return content("text/css; charset=utf-8", std::string(status_css()));
    case Page::kJs:
      return content("text/javascript; charset=utf-8", std::string(status_js()));
    case Page::kJson:
      return content("application/json",
                     status_json(model, policy.enabled,
                                 privilege_for_client(policy, peer) == api::Privilege::kAdmin));
    case Page::kAdmin:
      break;
  }
  return admin_backend(model, policy, request, peer);
}

}  // namespace

HttpResponse Endpoint::handle(const HttpRequest& request, const IpAddress& peer) {
  HttpResponse r;
  const Route* route = nullptr;
  for (const Route& candidate : kRoutes)
    if (candidate.path == request.path) route = &candidate;
  if (!route) {
    r = text_response(404, "no page at " + request.path +
                               "; try / (status), /metrics (Prometheus), /status.json");
  } else if (!allows(route->methods, request.method)) {
    r = text_response(405, request.method + " is not allowed on " + request.path + "; use " +
                               std::string(route->methods));
    r.fields.emplace_back("Allow", std::string(route->methods));
  } else {
    r = serve(route->page, model_, policy_, request, peer);
  }
  r.fields.emplace_back("Content-Security-Policy",
                        "default-src 'none'; script-src 'self'; style-src 'self'; "
                        "connect-src 'self'; img-src 'self'; base-uri 'none'; "
                        "form-action 'none'; frame-ancestors 'none'");
  r.fields.emplace_back("X-Frame-Options", "DENY");
  r.fields.emplace_back("Referrer-Policy", "no-referrer");
  return r;
}

}  // namespace sluice::metrics
