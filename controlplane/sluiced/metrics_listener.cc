// SPDX-License-Identifier: BSD-3-Clause
// The [metrics] listener: /metrics, the status page and its admin actions
// (controlplane/metrics/), served from the daemon's loop with the daemon as the Model.
#include <cstdio>

#include "sluiced/daemon.h"

namespace sluice::sluiced {

namespace {

metrics::AdminPolicy policy_of(const config::MetricsSettings& m) {
  return {.enabled = m.admin_actions, .sources = m.admin_sources};
}

}  // namespace

std::optional<std::string> Daemon::start_metrics() {
  if (!config_.metrics) return std::nullopt;
  metrics_endpoint_ = std::make_unique<metrics::Endpoint>(*this, policy_of(*config_.metrics));
  metrics::HttpServerOptions options;
  options.listen = config_.metrics->listen;
  metrics_server_ = std::make_unique<metrics::HttpServer>(
      options, [this](const metrics::HttpRequest& request, const IpAddress& peer) {
        return metrics_endpoint_->handle(request, peer);
      });
  return metrics_server_->listen();
}

void Daemon::reload_metrics(config::Config& next, std::vector<std::string>& details) {
  if (!metrics_server_) {
    if (next.metrics) details.push_back("[metrics] added: the listener starts at the next restart");
    next.metrics.reset();
    return;
  }
  if (!next.metrics) {
    // The listener stays until a restart; the admin actions stop now.
    details.push_back(
        "[metrics] removed: the listener stops at the next restart; admin actions "
        "are off now");
    next.metrics = config_.metrics;
    next.metrics->admin_actions = false;
  } else if (next.metrics->listen != config_.metrics->listen) {
    details.push_back("[metrics] listen changes need a restart; still on " +
                      config_.metrics->listen.to_string());
    next.metrics->listen = config_.metrics->listen;
  }
  metrics_endpoint_->set_policy(policy_of(*next.metrics));
}

}  // namespace sluice::sluiced
