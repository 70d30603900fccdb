// SPDX-License-Identifier: BSD-3-Clause
// The exposition format writer (prometheus_text.h): names, escaping, numbers, histograms.
#include "metrics/prometheus_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace sluice::metrics {
namespace {

TEST(PrometheusText, Names) {
  EXPECT_TRUE(valid_metric_name("sluice_vip_packets_total"));
  EXPECT_TRUE(valid_metric_name("a:b_C9"));
  EXPECT_TRUE(valid_metric_name("_x"));
  EXPECT_FALSE(valid_metric_name(""));
  EXPECT_FALSE(valid_metric_name("9lives"));
  EXPECT_FALSE(valid_metric_name("a-b"));
  EXPECT_FALSE(valid_metric_name("a b"));
  EXPECT_FALSE(valid_metric_name("a.b"));
  EXPECT_TRUE(valid_label_name("vip"));
  EXPECT_FALSE(valid_label_name("a:b"));
  EXPECT_EQ(metric_name_part("steering_lan-0.1_pass"), "steering_lan_0_1_pass");
  EXPECT_EQ(metric_name_part("0x"), "_x");
  EXPECT_EQ(metric_name_part("a:b"), "a_b");
}

TEST(PrometheusText, FamilyAndSamples) {
  PrometheusText t;
  t.family("sluice_x_total", MetricType::kCounter, "Backslash \\ and\nnewline; \"quotes\" stay.");
  t.sample("sluice_x_total", Labels(), uint64_t{0});
  t.sample("sluice_x_total", Labels("vip", "www").add("backend", "10.0.0.1"),
           std::numeric_limits<uint64_t>::max());
  t.sample("sluice_x_total", Labels("vip", "a\\b\"c\nd"), uint64_t{7});
  t.sample("sluice_x_total", Labels("vip", "www"), "state", "in \"sync\"", uint64_t{1});
  t.sample("sluice_x_total", Labels(), "state", "up", uint64_t{0});
  EXPECT_EQ(t.text(),
            "# HELP sluice_x_total Backslash \\\\ and\\nnewline; \"quotes\" stay.\n"
            "# TYPE sluice_x_total counter\n"
            "sluice_x_total 0\n"
            "sluice_x_total{vip=\"www\",backend=\"10.0.0.1\"} 18446744073709551615\n"
            "sluice_x_total{vip=\"a\\\\b\\\"c\\nd\"} 7\n"
            "sluice_x_total{vip=\"www\",state=\"in \\\"sync\\\"\"} 1\n"
            "sluice_x_total{state=\"up\"} 0\n");
  EXPECT_EQ(to_string(MetricType::kGauge), "gauge");
  EXPECT_EQ(to_string(MetricType::kHistogram), "histogram");
}

TEST(PrometheusText, FloatsAsPrometheusReadsThem) {
  EXPECT_EQ(format_value(0.0), "0");
  EXPECT_EQ(format_value(1.0), "1");
  EXPECT_EQ(format_value(2.5), "2.5");
  EXPECT_EQ(format_value(0.0005), "0.0005");
  EXPECT_EQ(format_value(0.0001), "0.0001");
  EXPECT_EQ(format_value(0.00001), "1e-05");
  EXPECT_EQ(format_value(-3.25), "-3.25");
  EXPECT_EQ(format_value(123456789012.5), "123456789012.5");
  EXPECT_EQ(format_value(1e21), "1e+21");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(std::nan("")), "NaN");
  PrometheusText t;
  t.sample("g", Labels(), 0.1);
  EXPECT_EQ(t.text(), "g 0.1\n");
}

TEST(PrometheusText, HistogramBucketsAreCumulative) {
  PrometheusText t;
  t.family("d_seconds", MetricType::kHistogram, "Durations.");
  const double bounds[] = {0.001, 0.01, 1};
  const uint64_t counts[] = {2, 0, 3, 1};  // the last: above 1 s
  t.histogram("d_seconds", Labels("type", "tcp"), bounds, counts, 4.5);
  t.histogram("d_seconds", Labels(), {}, {}, 0.0);
  EXPECT_EQ(t.text(),
            "# HELP d_seconds Durations.\n"
            "# TYPE d_seconds histogram\n"
            "d_seconds_bucket{type=\"tcp\",le=\"0.001\"} 2\n"
            "d_seconds_bucket{type=\"tcp\",le=\"0.01\"} 2\n"
            "d_seconds_bucket{type=\"tcp\",le=\"1\"} 5\n"
            "d_seconds_bucket{type=\"tcp\",le=\"+Inf\"} 6\n"
            "d_seconds_sum{type=\"tcp\"} 4.5\n"
            "d_seconds_count{type=\"tcp\"} 6\n"
            "d_seconds_bucket{le=\"+Inf\"} 0\n"
            "d_seconds_sum 0\n"
            "d_seconds_count 0\n");
}

}  // namespace
}  // namespace sluice::metrics
