// SPDX-License-Identifier: BSD-3-Clause
// What /metrics exports (metrics.h) for the runtime API's fake model, line for line.
#include "metrics/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "api/testing/fake_model.h"

namespace sluice::metrics {
namespace {

using api::testing::FakeModel;

// The fake model plus one VRRP instance and one histogram of two buckets.
FakeModel full_model() {
  FakeModel m;
  api::HaView h;
  h.name = "vi_www";
  h.state = "MASTER";
  h.priority = 150;
  h.adverts_sent = 40;
  h.adverts_received = 2;
  h.address_mismatches = 1;
  h.became_master = 1;
  h.became_backup = 2;
  h.became_fault = 0;
  m.ha_.push_back(h);
  m.check_durations_.push_back({.type = "tcp",
                                .success = true,
                                .upper_bounds_us = {500, 1000},
                                .counts = {3, 1, 1},
                                .sum_us = 2500});
  return m;
}

TEST(Metrics, TheFakeModelExactly) {
  EXPECT_EQ(
      render_metrics(full_model()),
      "# HELP sluice_info sluiced's version (label version); always 1.\n"
      "# TYPE sluice_info gauge\n"
      "sluice_info{version=\"0.1.0\"} 1\n"
      "# HELP sluice_uptime_seconds Seconds since sluiced started.\n"
      "# TYPE sluice_uptime_seconds gauge\n"
      "sluice_uptime_seconds 75\n"
      "# HELP sluice_config_generation Config generation: 1 at start, +1 per reload applied.\n"
      "# TYPE sluice_config_generation gauge\n"
      "sluice_config_generation 3\n"
      "# HELP sluice_config_last_reload_successful 1 when the last reload was applied (or none was "
      "tried), 0 when it was refused and the previous config runs on.\n"
      "# TYPE sluice_config_last_reload_successful gauge\n"
      "sluice_config_last_reload_successful 0\n"
      "# HELP sluice_config_last_reload_timestamp_seconds When the last reload was tried (UNIX "
      "time); sluiced's start before any.\n"
      "# TYPE sluice_config_last_reload_timestamp_seconds gauge\n"
      "sluice_config_last_reload_timestamp_seconds 1700000000\n"
      "# HELP sluice_dataplane_connected 1 while sluiced is connected to the dataplane's control "
      "socket.\n"
      "# TYPE sluice_dataplane_connected gauge\n"
      "sluice_dataplane_connected 1\n"
      "# HELP sluice_dataplane_sync_state Whether the dataplane runs sluiced's desired state: 1 "
      "for the current state (in sync, pending, refused, disconnected), 0 for the others.\n"
      "# TYPE sluice_dataplane_sync_state gauge\n"
      "sluice_dataplane_sync_state{state=\"in sync\"} 0\n"
      "sluice_dataplane_sync_state{state=\"pending\"} 0\n"
      "sluice_dataplane_sync_state{state=\"refused\"} 1\n"
      "sluice_dataplane_sync_state{state=\"disconnected\"} 0\n"
      "# HELP sluice_dataplane_last_sync_age_seconds Seconds since the dataplane last acknowledged "
      "a desired state (absent before the first).\n"
      "# TYPE sluice_dataplane_last_sync_age_seconds gauge\n"
      "sluice_dataplane_last_sync_age_seconds 2\n"
      "# HELP sluice_health_check_duration_seconds How long finished health checks took, by check "
      "type and result (success, failure).\n"
      "# TYPE sluice_health_check_duration_seconds histogram\n"
      "sluice_health_check_duration_seconds_bucket{type=\"tcp\",result=\"success\",le=\"0.0005\"} "
      "3\n"
      "sluice_health_check_duration_seconds_bucket{type=\"tcp\",result=\"success\",le=\"0.001\"} "
      "4\n"
      "sluice_health_check_duration_seconds_bucket{type=\"tcp\",result=\"success\",le=\"+Inf\"} 5\n"
      "sluice_health_check_duration_seconds_sum{type=\"tcp\",result=\"success\"} 0.0025\n"
      "sluice_health_check_duration_seconds_count{type=\"tcp\",result=\"success\"} 5\n"
      "# HELP sluice_dataplane_drops_total Packets the dataplane dropped, by reason (show stats: "
      "drop_<reason>).\n"
      "# TYPE sluice_dataplane_drops_total counter\n"
      "sluice_dataplane_drops_total{reason=\"no_vip\"} 3\n"
      "# HELP sluice_dataplane_rx_packets_total The dataplane's counter rx_packets, as show stats "
      "gives it.\n"
      "# TYPE sluice_dataplane_rx_packets_total counter\n"
      "sluice_dataplane_rx_packets_total 1507\n"
      "# HELP sluice_dataplane_tx_packets_total The dataplane's counter tx_packets, as show stats "
      "gives it.\n"
      "# TYPE sluice_dataplane_tx_packets_total counter\n"
      "sluice_dataplane_tx_packets_total 1500\n"
      "# HELP sluice_vip_packets_total Packets the dataplane received for the VIP.\n"
      "# TYPE sluice_vip_packets_total counter\n"
      "sluice_vip_packets_total{vip=\"www\"} 1503\n"
      "sluice_vip_packets_total{vip=\"dns\"} 7\n"
      "# HELP sluice_vip_bytes_total Bytes the dataplane received for the VIP.\n"
      "# TYPE sluice_vip_bytes_total counter\n"
      "sluice_vip_bytes_total{vip=\"www\"} 120300\n"
      "sluice_vip_bytes_total{vip=\"dns\"} 700\n"
      "# HELP sluice_vip_new_flows_total Flows the VIP's traffic started.\n"
      "# TYPE sluice_vip_new_flows_total counter\n"
      "sluice_vip_new_flows_total{vip=\"www\"} 31\n"
      "sluice_vip_new_flows_total{vip=\"dns\"} 7\n"
      "# HELP sluice_vip_backends Backends configured for the VIP.\n"
      "# TYPE sluice_vip_backends gauge\n"
      "sluice_vip_backends{vip=\"www\"} 2\n"
      "sluice_vip_backends{vip=\"dns\"} 1\n"
      "# HELP sluice_vip_serving_backends Backends of the VIP that take new flows (effective state "
      "serving).\n"
      "# TYPE sluice_vip_serving_backends gauge\n"
      "sluice_vip_serving_backends{vip=\"www\"} 1\n"
      "sluice_vip_serving_backends{vip=\"dns\"} 0\n"
      "# HELP sluice_vip_in_dataplane 1 when the dataplane's last counters list the VIP, 0 when "
      "they do not (absent while unknown).\n"
      "# TYPE sluice_vip_in_dataplane gauge\n"
      "sluice_vip_in_dataplane{vip=\"www\"} 1\n"
      "sluice_vip_in_dataplane{vip=\"dns\"} 0\n"
      "# HELP sluice_backend_packets_total Packets the dataplane sent to the backend.\n"
      "# TYPE sluice_backend_packets_total counter\n"
      "sluice_backend_packets_total{vip=\"www\",backend=\"10.0.0.11\"} 1500\n"
      "sluice_backend_packets_total{vip=\"www\",backend=\"10.0.0.12\"} 0\n"
      "sluice_backend_packets_total{vip=\"dns\",backend=\"2001:db8::1\"} 7\n"
      "# HELP sluice_backend_bytes_total Bytes the dataplane sent to the backend.\n"
      "# TYPE sluice_backend_bytes_total counter\n"
      "sluice_backend_bytes_total{vip=\"www\",backend=\"10.0.0.11\"} 120000\n"
      "sluice_backend_bytes_total{vip=\"www\",backend=\"10.0.0.12\"} 0\n"
      "sluice_backend_bytes_total{vip=\"dns\",backend=\"2001:db8::1\"} 700\n"
      "# HELP sluice_backend_new_flows_total Flows the dataplane started on the backend.\n"
      "# TYPE sluice_backend_new_flows_total counter\n"
      "sluice_backend_new_flows_total{vip=\"www\",backend=\"10.0.0.11\"} 30\n"
      "sluice_backend_new_flows_total{vip=\"www\",backend=\"10.0.0.12\"} 0\n"
      "sluice_backend_new_flows_total{vip=\"dns\",backend=\"2001:db8::1\"} 7\n"
      "# HELP sluice_backend_health The backend's health: 1 for the current state (up, down, "
      "unchecked), 0 for the others.\n"
      "# TYPE sluice_backend_health gauge\n"
      "sluice_backend_health{vip=\"www\",backend=\"10.0.0.11\",state=\"up\"} 1\n"
      "sluice_backend_health{vip=\"www\",backend=\"10.0.0.11\",state=\"down\"} 0\n"
      "sluice_backend_health{vip=\"www\",backend=\"10.0.0.11\",state=\"unchecked\"} 0\n"
      "sluice_backend_health{vip=\"www\",backend=\"10.0.0.12\",state=\"up\"} 0\n"
      "sluice_backend_health{vip=\"www\",backend=\"10.0.0.12\",state=\"down\"} 1\n"
      "sluice_backend_health{vip=\"www\",backend=\"10.0.0.12\",state=\"unchecked\"} 0\n"
      "sluice_backend_health{vip=\"dns\",backend=\"2001:db8::1\",state=\"up\"} 0\n"
      "sluice_backend_health{vip=\"dns\",backend=\"2001:db8::1\",state=\"down\"} 0\n"
      "sluice_backend_health{vip=\"dns\",backend=\"2001:db8::1\",state=\"unchecked\"} 1\n"
      "# HELP sluice_backend_admin_state The operator's state for the backend: 1 for the current "
      "one (ready, drain, maint), 0 for the others.\n"
      "# TYPE sluice_backend_admin_state gauge\n"
      "sluice_backend_admin_state{vip=\"www\",backend=\"10.0.0.11\",state=\"ready\"} 1\n"
      "sluice_backend_admin_state{vip=\"www\",backend=\"10.0.0.11\",state=\"drain\"} 0\n"
      "sluice_backend_admin_state{vip=\"www\",backend=\"10.0.0.11\",state=\"maint\"} 0\n"
      "sluice_backend_admin_state{vip=\"www\",backend=\"10.0.0.12\",state=\"ready\"} 0\n"
      "sluice_backend_admin_state{vip=\"www\",backend=\"10.0.0.12\",state=\"drain\"} 1\n"
      "sluice_backend_admin_state{vip=\"www\",backend=\"10.0.0.12\",state=\"maint\"} 0\n"
      "sluice_backend_admin_state{vip=\"dns\",backend=\"2001:db8::1\",state=\"ready\"} 1\n"
      "sluice_backend_admin_state{vip=\"dns\",backend=\"2001:db8::1\",state=\"drain\"} 0\n"
      "sluice_backend_admin_state{vip=\"dns\",backend=\"2001:db8::1\",state=\"maint\"} 0\n"
      "# HELP sluice_backend_effective_state What the dataplane does with the backend: 1 for the "
      "current state (serving, draining, out), 0 for the others.\n"
      "# TYPE sluice_backend_effective_state gauge\n"
      "sluice_backend_effective_state{vip=\"www\",backend=\"10.0.0.11\",state=\"serving\"} 1\n"
      "sluice_backend_effective_state{vip=\"www\",backend=\"10.0.0.11\",state=\"draining\"} 0\n"
      "sluice_backend_effective_state{vip=\"www\",backend=\"10.0.0.11\",state=\"out\"} 0\n"
      "sluice_backend_effective_state{vip=\"www\",backend=\"10.0.0.12\",state=\"serving\"} 0\n"
      "sluice_backend_effective_state{vip=\"www\",backend=\"10.0.0.12\",state=\"draining\"} 0\n"
      "sluice_backend_effective_state{vip=\"www\",backend=\"10.0.0.12\",state=\"out\"} 1\n"
      "sluice_backend_effective_state{vip=\"dns\",backend=\"2001:db8::1\",state=\"serving\"} 0\n"
      "sluice_backend_effective_state{vip=\"dns\",backend=\"2001:db8::1\",state=\"draining\"} 1\n"
      "sluice_backend_effective_state{vip=\"dns\",backend=\"2001:db8::1\",state=\"out\"} 0\n"
      "# HELP sluice_backend_weight The backend's weight in effect (the operator's override, else "
      "the configured weight).\n"
      "# TYPE sluice_backend_weight gauge\n"
      "sluice_backend_weight{vip=\"www\",backend=\"10.0.0.11\"} 1\n"
      "sluice_backend_weight{vip=\"www\",backend=\"10.0.0.12\"} 2\n"
      "sluice_backend_weight{vip=\"dns\",backend=\"2001:db8::1\"} 0\n"
      "# HELP sluice_backend_configured_weight The backend's weight in the config file.\n"
      "# TYPE sluice_backend_configured_weight gauge\n"
      "sluice_backend_configured_weight{vip=\"www\",backend=\"10.0.0.11\"} 1\n"
      "sluice_backend_configured_weight{vip=\"www\",backend=\"10.0.0.12\"} 2\n"
      "sluice_backend_configured_weight{vip=\"dns\",backend=\"2001:db8::1\"} 10\n"
      "# HELP sluice_vrrp_state The VRRP instance's state: 1 for the current one (INIT, BACKUP, "
      "MASTER, FAULT), 0 for the others.\n"
      "# TYPE sluice_vrrp_state gauge\n"
      "sluice_vrrp_state{vrrp_instance=\"vi_www\",state=\"INIT\"} 0\n"
      "sluice_vrrp_state{vrrp_instance=\"vi_www\",state=\"BACKUP\"} 0\n"
      "sluice_vrrp_state{vrrp_instance=\"vi_www\",state=\"MASTER\"} 1\n"
      "sluice_vrrp_state{vrrp_instance=\"vi_www\",state=\"FAULT\"} 0\n"
      "# HELP sluice_vrrp_transitions_total Transitions of the VRRP instance, by the state "
      "entered.\n"
      "# TYPE sluice_vrrp_transitions_total counter\n"
      "sluice_vrrp_transitions_total{vrrp_instance=\"vi_www\",state=\"MASTER\"} 1\n"
      "sluice_vrrp_transitions_total{vrrp_instance=\"vi_www\",state=\"BACKUP\"} 2\n"
      "sluice_vrrp_transitions_total{vrrp_instance=\"vi_www\",state=\"FAULT\"} 0\n"
      "# HELP sluice_vrrp_priority The priority the instance advertises now.\n"
      "# TYPE sluice_vrrp_priority gauge\n"
      "sluice_vrrp_priority{vrrp_instance=\"vi_www\"} 150\n"
      "# HELP sluice_vrrp_adverts_sent_total VRRP advertisements the instance sent.\n"
      "# TYPE sluice_vrrp_adverts_sent_total counter\n"
      "sluice_vrrp_adverts_sent_total{vrrp_instance=\"vi_www\"} 40\n"
      "# HELP sluice_vrrp_adverts_received_total VRRP advertisements the instance received.\n"
      "# TYPE sluice_vrrp_adverts_received_total counter\n"
      "sluice_vrrp_adverts_received_total{vrrp_instance=\"vi_www\"} 2\n"
      "# HELP sluice_vrrp_address_mismatches_total Advertisements listing other addresses than the "
      "instance's (RFC 5798 7.1).\n"
      "# TYPE sluice_vrrp_address_mismatches_total counter\n"
      "sluice_vrrp_address_mismatches_total{vrrp_instance=\"vi_www\"} 1\n");
}

TEST(Metrics, AbsentViewsLeaveTheirFamiliesOut) {
  FakeModel m;  // no HA instance, no check durations
  m.vips_.clear();
  m.info_.last_dataplane_sync_s = std::nullopt;
  m.stats_.counters = {
      {"dataplane_connected", 0}, {"dataplane_generation", 0}, {"health_checks", 0}};
  const std::string text = render_metrics(m);
  for (std::string_view gone :
       {"sluice_vip_", "sluice_backend_", "sluice_vrrp_", "sluice_health_check_duration",
        "sluice_dataplane_drops_total", "sluice_dataplane_last_sync_age_seconds"})
    EXPECT_EQ(text.find(gone), std::string::npos) << gone;
  EXPECT_THAT(text, ::testing::HasSubstr("\nsluice_dataplane_applied_generation 0\n"));
  EXPECT_THAT(text, ::testing::HasSubstr("\nsluice_health_checks 0\n"));
  EXPECT_EQ(text.find("sluice_dataplane_dataplane_connected"), std::string::npos)
      << "sluiced's own dataplane_connected is sluice_dataplane_connected, from show info";
}

TEST(Metrics, DataplaneCountersGetNamesOfTheirOwn) {
  FakeModel m;
  m.vips_.clear();
  m.stats_.counters = {{"active_flows", 12},        {"drop_tx_full", 4}, {"steering_lan-0_pass", 9},
                       {"flow_insert_failures", 2}, {"drop_too_big", 1}, {"generation", 7},
                       {"flow_insert_failures", 3}};  // a second of one name: written once
  const std::string text = render_metrics(m);
  EXPECT_THAT(text, ::testing::HasSubstr(
                        "# TYPE sluice_dataplane_generation gauge\nsluice_dataplane_generation 7\n"
                        "# HELP sluice_dataplane_active_flows Flows in the dataplane's flow "
                        "tables, all workers.\n# TYPE sluice_dataplane_active_flows gauge\n"
                        "sluice_dataplane_active_flows 12\n"));
  EXPECT_THAT(text, ::testing::HasSubstr("# TYPE sluice_dataplane_drops_total counter\n"
                                         "sluice_dataplane_drops_total{reason=\"tx_full\"} 4\n"
                                         "sluice_dataplane_drops_total{reason=\"too_big\"} 1\n"));
  EXPECT_THAT(text, ::testing::HasSubstr(
                        "# HELP sluice_dataplane_steering_lan_0_pass_total The dataplane's counter "
                        "steering_lan-0_pass, as show stats gives it.\n"
                        "# TYPE sluice_dataplane_steering_lan_0_pass_total counter\n"
                        "sluice_dataplane_steering_lan_0_pass_total 9\n"));
  EXPECT_THAT(text, ::testing::HasSubstr("\nsluice_dataplane_flow_insert_failures_total 2\n"));
  EXPECT_EQ(text.find("sluice_dataplane_flow_insert_failures_total 3"), std::string::npos);
}

TEST(Metrics, SyncGaugesAreGauges) {
  FakeModel m;
  m.vips_.clear();
  m.stats_.counters = {{"sync_installed", 5}, {"sync_lag_ms", 1250}, {"sync_join_pending", 1}};
  const std::string text = render_metrics(m);
  EXPECT_THAT(text, ::testing::HasSubstr(
                        "# HELP sluice_sync_lag_seconds Flow sync: the age of the last batch "
                        "this node accepted from a peer, by its clock.\n"
                        "# TYPE sluice_sync_lag_seconds gauge\nsluice_sync_lag_seconds 1.25\n"));
  EXPECT_THAT(text, ::testing::HasSubstr("\nsluice_dataplane_sync_installed_total 5\n"));
  EXPECT_THAT(text, ::testing::HasSubstr("# TYPE sluice_sync_join_pending gauge\n"
                                         "sluice_sync_join_pending 1\n"));
  EXPECT_EQ(text.find("sync_lag_ms"), std::string::npos);
  EXPECT_EQ(text.find("sluice_dataplane_sync_join_pending_total"), std::string::npos);
}

TEST(Metrics, PerWorkerSeries) {
  FakeModel m;
  m.vips_.clear();
  m.stats_.workers = {{.lcore = 1,
                       .busy_ppm = 125'000,
                       .active_flows = 1024,
                       .flow_capacity = 4096,
                       .flow_insert_failures = 3,
                       .flow_evictions = 7},
                      {.lcore = 3, .busy_ppm = 1'000'000, .flow_capacity = 4096}};
  EXPECT_THAT(
      render_metrics(m),
      ::testing::HasSubstr(
          "# TYPE sluice_worker_busy_ratio gauge\n"
          "sluice_worker_busy_ratio{worker=\"0\",lcore=\"1\"} 0.125\n"
          "sluice_worker_busy_ratio{worker=\"1\",lcore=\"3\"} 1\n"
          "# HELP sluice_worker_flow_table_occupancy The worker's active flows over its flow "
          "table's capacity (0..1); new flows begin to be refused or to evict others from about "
          "0.5.\n"
          "# TYPE sluice_worker_flow_table_occupancy gauge\n"
          "sluice_worker_flow_table_occupancy{worker=\"0\",lcore=\"1\"} 0.25\n"
          "sluice_worker_flow_table_occupancy{worker=\"1\",lcore=\"3\"} 0\n"
          "# HELP sluice_worker_active_flows Flows in the worker's flow table (expired ones not "
          "yet swept included).\n"
          "# TYPE sluice_worker_active_flows gauge\n"
          "sluice_worker_active_flows{worker=\"0\",lcore=\"1\"} 1024\n"
          "sluice_worker_active_flows{worker=\"1\",lcore=\"3\"} 0\n"
          "# HELP sluice_worker_flow_table_capacity Flows the worker's flow table has room for.\n"
          "# TYPE sluice_worker_flow_table_capacity gauge\n"
          "sluice_worker_flow_table_capacity{worker=\"0\",lcore=\"1\"} 4096\n"
          "sluice_worker_flow_table_capacity{worker=\"1\",lcore=\"3\"} 4096\n"
          "# HELP sluice_worker_flow_insert_failures_total New flows the worker's full flow table "
          "refused (forwarded by Maglev alone).\n"
          "# TYPE sluice_worker_flow_insert_failures_total counter\n"
          "sluice_worker_flow_insert_failures_total{worker=\"0\",lcore=\"1\"} 3\n"
          "sluice_worker_flow_insert_failures_total{worker=\"1\",lcore=\"3\"} 0\n"
          "# HELP sluice_worker_flow_evictions_total Live half-open, UDP or other flows a new "
          "flow displaced from the worker's flow table.\n"
          "# TYPE sluice_worker_flow_evictions_total counter\n"
          "sluice_worker_flow_evictions_total{worker=\"0\",lcore=\"1\"} 7\n"
          "sluice_worker_flow_evictions_total{worker=\"1\",lcore=\"3\"} 0\n"));
  // Without the dataplane's counters there are no workers, and no worker series.
  m.stats_.workers.clear();
  EXPECT_EQ(render_metrics(m).find("sluice_worker_"), std::string::npos);
}

TEST(Metrics, LabelValuesAreEscaped) {
  FakeModel m;
  m.vips_.resize(1);
  m.vips_[0].name = "we\\ird\"vip\n";
  m.vips_[0].backends.resize(1);
  const std::string text = render_metrics(m);
  EXPECT_THAT(text, ::testing::HasSubstr("sluice_vip_packets_total{vip=\"we\\\\ird\\\"vip\\n\"} "
                                         "1503\n"));
}

TEST(Metrics, BgpOnlyWhenEnabled) {
  struct BgpModel : FakeModel {
    api::BgpView view;
    api::BgpView bgp() const override { return view; }
  } m;
  m.vips_.clear();
  EXPECT_EQ(render_metrics(m).find("sluice_bgp_"), std::string::npos);
  m.view.enabled = true;
  m.view.node = "maint";
  m.view.vips.resize(2);
  m.view.vips[0].name = "www";
  m.view.vips[1].name = "dns";
  m.view.vips[1].announced = true;
  const std::string text = render_metrics(m);
  EXPECT_THAT(text, ::testing::HasSubstr("# TYPE sluice_bgp_node_state gauge\n"
                                         "sluice_bgp_node_state{state=\"ready\"} 0\n"
                                         "sluice_bgp_node_state{state=\"maint\"} 1\n"
                                         "sluice_bgp_node_state{state=\"stopping\"} 0\n"));
  EXPECT_THAT(text, ::testing::HasSubstr("# TYPE sluice_bgp_vip_announced gauge\n"
                                         "sluice_bgp_vip_announced{vip=\"www\"} 0\n"
                                         "sluice_bgp_vip_announced{vip=\"dns\"} 1\n"));
}

// [bgp] bird_socket: whether bird answers, and each of its sessions up or not, with its
// state as a state set; nothing of bird without the key.
TEST(Metrics, BirdSessions) {
  struct BgpModel : FakeModel {
    api::BgpView view;
    api::BgpView bgp() const override { return view; }
  } m;
  m.view.enabled = true;
  m.view.node = "ready";
  EXPECT_EQ(render_metrics(m).find("sluice_bgp_bird_"), std::string::npos);
  m.view.bird.socket = "/run/bird/bird.ctl";
  EXPECT_THAT(render_metrics(m), ::testing::HasSubstr("# TYPE sluice_bgp_bird_reachable gauge\n"
                                                      "sluice_bgp_bird_reachable 0\n"));
  EXPECT_EQ(render_metrics(m).find("sluice_bgp_session_"), std::string::npos);
  m.view.bird.reachable = true;
  m.view.bird.sessions = {
      {.name = "router1", .proto = "BGP", .state = "up", .session = "Established"},
      {.name = "router2",
       .proto = "BGP",
       .state = "start",
       .session = "Active",
       .last_error = "Socket: Connection refused"}};
  const std::string text = render_metrics(m);
  EXPECT_THAT(text, ::testing::HasSubstr("sluice_bgp_bird_reachable 1\n"));
  EXPECT_THAT(text, ::testing::HasSubstr(
                        "# HELP sluice_bgp_session_up 1 while bird's BGP or BFD protocol is up (a "
                        "BGP session established), 0 otherwise.\n"
                        "# TYPE sluice_bgp_session_up gauge\n"
                        "sluice_bgp_session_up{session=\"router1\",proto=\"BGP\"} 1\n"
                        "sluice_bgp_session_up{session=\"router2\",proto=\"BGP\"} 0\n"));
  EXPECT_THAT(
      text, ::testing::HasSubstr(
                "# TYPE sluice_bgp_session_state gauge\n"
                "sluice_bgp_session_state{session=\"router1\",proto=\"BGP\",state=\"up\"} 1\n"
                "sluice_bgp_session_state{session=\"router1\",proto=\"BGP\",state=\"start\"} 0\n"
                "sluice_bgp_session_state{session=\"router1\",proto=\"BGP\",state=\"stop\"} 0\n"
                "sluice_bgp_session_state{session=\"router1\",proto=\"BGP\",state=\"flush\"} 0\n"
                "sluice_bgp_session_state{session=\"router1\",proto=\"BGP\",state=\"down\"} 0\n"
                "sluice_bgp_session_state{session=\"router1\",proto=\"BGP\",state=\"unknown\"} 0\n"
                "sluice_bgp_session_state{session=\"router2\",proto=\"BGP\",state=\"up\"} 0\n"
                "sluice_bgp_session_state{session=\"router2\",proto=\"BGP\",state=\"start\"} 1\n"));
}

// Every row: a valid, unique name; counters end in _total and only they do; a HELP text.
TEST(Metrics, TheTableIsConsistent) {
  std::set<std::string> names;
  for (const MetricInfo& m : metric_table()) {
    std::string name(m.name);
    if (auto at = name.find("{counter}"); at != std::string::npos) name.replace(at, 9, "x");
    EXPECT_TRUE(valid_metric_name(name)) << name;
    EXPECT_TRUE(names.insert(name).second) << "twice: " << name;
    EXPECT_EQ(name.ends_with("_total"), m.type == MetricType::kCounter) << name;
    EXPECT_TRUE(name.starts_with("sluice_")) << name;
    EXPECT_FALSE(m.help.empty()) << name;
    EXPECT_TRUE(m.help.ends_with(".")) << name;
  }
}

// controlplane/metrics/README.md lists every family of the table.
TEST(Metrics, TheReadmeNamesEveryFamily) {
  const char* root = std::getenv("MESON_SOURCE_ROOT");
  if (!root) GTEST_SKIP() << "MESON_SOURCE_ROOT not set";
  std::ifstream in(std::filesystem::path(root) / "controlplane/metrics/README.md");
  ASSERT_TRUE(in) << "controlplane/metrics/README.md not found";
  std::stringstream text;
  text << in.rdbuf();
  for (const MetricInfo& m : metric_table())
    EXPECT_THAT(text.str(), ::testing::HasSubstr("`" + std::string(m.name) + "`")) << m.name;
}

// The scrape of a node at 10,000 VIPs x 2 backends: its shape, not its time (bench/
// metrics_bench.cc measures that).
TEST(Metrics, TenThousandVips) {
  FakeModel m;
  m.vips_.clear();
  for (int i = 0; i < 10'000; ++i) {
    api::VipView v;
    v.name = "vip-" + std::to_string(i);
    v.backends.resize(2);
    v.backends[0].address = "10.1." + std::to_string(i / 256) + "." + std::to_string(i % 256);
    v.backends[1].address = "10.2." + std::to_string(i / 256) + "." + std::to_string(i % 256);
    m.vips_.push_back(std::move(v));
  }
  const std::string text = render_metrics(m);
  size_t vip_samples = 0, backend_samples = 0;
  for (size_t at = 0; at < text.size();) {
    size_t nl = text.find('\n', at);
    std::string_view line = std::string_view(text).substr(at, nl - at);
    vip_samples += line.starts_with("sluice_vip_");
    backend_samples += line.starts_with("sluice_backend_");
    at = nl + 1;
  }
  // Per VIP: packets, bytes, new flows, backends, serving (in_dataplane unknown here); per
  // backend: 3 counters, 3 states in each of 3 state sets, 2 weights.
  EXPECT_EQ(vip_samples, 10'000u * 5);
  EXPECT_EQ(backend_samples, 20'000u * (3 + 9 + 2));
  EXPECT_THAT(
      text, ::testing::HasSubstr("\nsluice_backend_health{vip=\"vip-9999\",backend=\"10.2.39.15\","
                                 "state=\"unchecked\"} 1\n"));
}

}  // namespace
}  // namespace sluice::metrics
