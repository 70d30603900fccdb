// SPDX-License-Identifier: BSD-3-Clause
// What sluiced exports at /metrics: every metric is one row of one table (metrics.cc), its
// name, type and HELP text, and the exposition is written from the api::Model's views
// alone, so it shows what `sluicectl show ...` shows. Call from the Model's thread (the
// daemon's loop); nothing is kept between scrapes.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "api/model.h"
#include "metrics/prometheus_text.h"

namespace sluice::metrics {

struct MetricInfo {
  // The family's name. One row is a pattern: "{counter}" stands for a dataplane counter's
  // name (as `show stats` gives it), for the counters that no other row reads.
  std::string_view name;
  MetricType type;
  std::string_view help;
  // The `show stats` counter the row reads, if it reads one.
  std::string_view stats_counter;
};

std::span<const MetricInfo> metric_table();

// The whole text of one scrape (content type kTextContentType).
std::string render_metrics(const api::Model& model);

}  // namespace sluice::metrics
