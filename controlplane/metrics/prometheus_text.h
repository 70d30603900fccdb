// SPDX-License-Identifier: BSD-3-Clause
// A writer of the Prometheus text exposition format, version 0.0.4: families announced by
// `# HELP` and `# TYPE` lines, then their samples, one per line, `name{labels} value`.
// It escapes what the format says to escape (in label values the backslash, the double
// quote and the newline; in HELP texts the backslash and the newline) and writes numbers as
// Prometheus parses them; the caller keeps each family's samples together and its names
// valid (valid_metric_name). Appends to one string; pure; one writer per thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sluice::metrics {

inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

enum class MetricType : uint8_t { kCounter, kGauge, kHistogram };
std::string_view to_string(MetricType type);  // "counter", "gauge", "histogram"

// [a-zA-Z_:][a-zA-Z0-9_:]*; label names the same without ':'.
bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);
// `text` with every character a metric name may not hold replaced by '_' (a leading digit
// too), for names built from outside text such as a dataplane counter's.
std::string metric_name_part(std::string_view text);

// The labels of one series, as the text between the braces: name="value",...
class Labels {
 public:
  Labels() = default;
  Labels(std::string_view name, std::string_view value) { add(name, value); }
  Labels& add(std::string_view name, std::string_view value);
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

class PrometheusText {
 public:
  // "# HELP name help" and "# TYPE name type".
  void family(std::string_view name, MetricType type, std::string_view help);
  // "name{labels} value"; no braces when `labels` is empty.
  void sample(std::string_view name, const Labels& labels, uint64_t value);
  void sample(std::string_view name, const Labels& labels, double value);
  // "name{labels,label="label_value"} value": one more label without building new Labels,
  // for the states of a state set.
  void sample(std::string_view name, const Labels& labels, std::string_view label,
              std::string_view label_value, uint64_t value);
  // A histogram's series under `name` (announced by family()): name_bucket{...,le="B"} for
  // every bound and +Inf (cumulative), name_sum and name_count. `counts` holds one count
  // per bucket, not cumulative, the last for the bucket above every bound.
  void histogram(std::string_view name, const Labels& labels, std::span<const double> upper_bounds,
                 std::span<const uint64_t> counts, double sum);

  void reserve(size_t bytes) { out_.reserve(bytes); }
  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void start_sample(std::string_view name, std::string_view labels);
  void end_sample(uint64_t value);

  std::string out_;
};

// A float as the format writes it: the shortest decimal that reads back the same, "+Inf",
// "-Inf", "NaN".
std::string format_value(double value);

}  // namespace sluice::metrics
