// SPDX-License-Identifier: BSD-3-Clause
// What sluiced's metrics listener serves, path by path:
//
//   GET|HEAD /metrics        the Prometheus text format (metrics.h)
//   GET|HEAD /               the status page (status_page.h), its /status.css and
//                            /status.js, and /status.json, which the page renders
//   POST     /admin/backend  an admin action (admin_action.h)
//
// 404 for any other path, 405 (with Allow) for another method. Every answer forbids
// framing and other-origin scripts and styles (CSP), sends no Referer. Call handle() from
// the Model's thread (it is HttpServer's handler).
#pragma once

#include "api/model.h"
#include "metrics/admin_action.h"
#include "metrics/http_request.h"
#include "metrics/http_server.h"

namespace sluice::metrics {

class Endpoint {
 public:
  Endpoint(api::Model& model, AdminPolicy policy) : model_(model), policy_(std::move(policy)) {}

  void set_policy(AdminPolicy policy) { policy_ = std::move(policy); }  // a reload
  const AdminPolicy& policy() const { return policy_; }

  HttpResponse handle(const HttpRequest& request, const IpAddress& peer);

 private:
  api::Model& model_;
  AdminPolicy policy_;
};

}  // namespace sluice::metrics
