// SPDX-License-Identifier: BSD-3-Clause
// A Model for tests: fixed views, records the changes asked for. Header-only, test use.
#pragma once

#include <string>
#include <vector>

#include "api/model.h"

namespace sluice::api::testing {

class FakeModel : public Model {
 public:
  struct Change {
    std::string vip;
    std::string backend;
    std::string what;  // "state drain", "weight 5"
    friend bool operator==(const Change&, const Change&) = default;
  };

  FakeModel() {
    info_ = {.version = "0.1.0",
             .pid = 4242,
             .uptime_s = 75,
             .config_path = "/etc/sluice/sluice.toml",
             .config_generation = 3,
             .dataplane_connected = true,
             .last_dataplane_sync_s = 2,
             .dataplane_sync = "refused",
             .dataplane_refusal = "2 new VIPs but only 1 ids are free\nsecond line",
             .last_reload_ok = false,
             .last_reload_unix_s = 1700000000};
    VipView www{.name = "www",
                .address = "10.0.0.100",
                .protocol = "tcp",
                .port = 80,
                .mode = "dsr-l2",
                .backends = {},
                .in_dataplane = true,
                .packets = 1503,
                .bytes = 120300,
                .new_flows = 31};
    www.backends.push_back({.address = "10.0.0.11",
                            .weight = 1,
                            .admin_state = config::BackendState::kReady,
                            .admin_weight = 1,
                            .health = Health::kUp,
                            .health_reason = "connected in 0.3 ms",
                            .last_change_s = 120,
                            .effective = Effective::kServing,
                            .packets = 1500,
                            .bytes = 120000,
                            .new_flows = 30});
    www.backends.push_back({.address = "10.0.0.12",
                            .weight = 2,
                            .admin_state = config::BackendState::kDrain,
                            .admin_weight = 2,
                            .health = Health::kDown,
                            .health_reason = "connection refused",
                            .last_change_s = 5,
                            .effective = Effective::kOut,
                            .packets = 0,
                            .bytes = 0,
                            .new_flows = 0});
    VipView dns{.name = "dns",
                .address = "2001:db8::53",
                .protocol = "udp",
                .port = 0,
                .mode = "ipip",
                .backends = {},
                .in_dataplane = false,
                .packets = 7,
                .bytes = 700,
                .new_flows = 7};
    dns.backends.push_back({.address = "2001:db8::1",
                            .weight = 10,
                            .admin_state = config::BackendState::kReady,
                            .admin_weight = 0,
                            .health = Health::kUnchecked,
                            .health_reason = "",
                            .last_change_s = std::nullopt,
                            .effective = Effective::kDraining,
                            .packets = 7,
                            .bytes = 700,
                            .new_flows = 7});
    vips_ = {www, dns};
    stats_.counters = {{"rx_packets", 1507}, {"tx_packets", 1500}, {"drop_no_vip", 3}};
    health_ = {{.vip = "www",
                .backend = "10.0.0.11",
                .check = "tcp",
                .status = Health::kUp,
                .reason = "connected in 0.3 ms",
                .last_change_s = 120},
               {.vip = "www",
                .backend = "10.0.0.12",
                .check = "http GET /health",
                .status = Health::kDown,
                .reason = "connection refused",
                .last_change_s = 5},
               {.vip = "dns",
                .backend = "2001:db8::1",
                .check = "",
                .status = Health::kUnchecked,
                .reason = "",
                .last_change_s = std::nullopt}};
  }

  InfoView info() const override { return info_; }
  std::vector<VipView> vips() const override { return vips_; }
  StatsView stats() const override { return stats_; }
  std::vector<HealthView> health() const override { return health_; }
  std::vector<HaView> ha() const override { return ha_; }
  std::vector<CheckDurationsView> check_durations() const override { return check_durations_; }
  std::vector<FloodView> floods() const override { return floods_; }

  std::optional<std::string> set_backend_state(const std::string& vip, const std::string& backend,
                                               config::BackendState state) override {
    if (auto e = check(vip, backend)) return e;
    changes.push_back({vip, backend, "state " + config::to_string(state)});
    return std::nullopt;
  }
  std::optional<std::string> set_backend_weight(const std::string& vip, const std::string& backend,
                                                uint16_t weight) override {
    if (auto e = check(vip, backend)) return e;
    changes.push_back({vip, backend, "weight " + std::to_string(weight)});
    return std::nullopt;
  }
  // BGP: recorded with vip "" and backend "" for the node.
  std::optional<std::string> set_node_maint(bool maint) override {
    changes.push_back({"", "", maint ? "node maint" : "node ready"});
    return std::nullopt;
  }
  std::optional<std::string> set_vip_announce(const std::string& vip, bool on) override {
    if (vip != "www" && vip != "dns") return "no VIP named '" + vip + "'";
    changes.push_back({vip, "", on ? "announce on" : "announce off"});
    return std::nullopt;
  }
  ReloadResult reload() override {
    ++reloads;
    return reload_result;
  }
  // The dataplane's answers: at once, or, with answer_later, when a test calls answer().
  void trace(const channel::TraceRequest& request, TraceDone done) override {
    traces.push_back(request);
    if (answer_later)
      pending_traces.push_back(std::move(done));
    else
      done(trace_result);
  }
  void conns(const channel::ConnsRequest& request, ConnsDone done) override {
    conns_asked.push_back(request);
    channel::ConnsResult unknown;
    unknown.error = "no VIP named '" + request.vip + "'";
    done(request.vip == "www" ? conns_result : unknown);
  }
  void answer() {
    for (TraceDone& done : pending_traces) done(trace_result);
    pending_traces.clear();
  }

  InfoView info_;
  std::vector<VipView> vips_;
  StatsView stats_;
  std::vector<HealthView> health_;
  std::vector<HaView> ha_;  // none unless a test sets them
  std::vector<CheckDurationsView> check_durations_;
  std::vector<FloodView> floods_{{.name = "www",
                                  .address = "10.0.0.100",
                                  .protocol = "tcp",
                                  .port = 80,
                                  .new_flows_per_s = 120500,
                                  .syns_not_admitted_per_s = 20500,
                                  .syns_not_admitted = 246000,
                                  .under_flood = true,
                                  .flood_for_s = 12,
                                  .last_flood_s = 0},
                                 {.name = "dns",
                                  .address = "2001:db8::53",
                                  .protocol = "udp",
                                  .port = 0,
                                  .new_flows_per_s = 7,
                                  .syns_not_admitted_per_s = 0,
                                  .syns_not_admitted = 0,
                                  .under_flood = false,
                                  .flood_for_s = std::nullopt,
                                  .last_flood_s = std::nullopt}};
  std::vector<Change> changes;
  int reloads = 0;
  ReloadResult reload_result{
      .ok = true, .summary = "generation 4: 2 VIPs, 3 backends", .details = {}};
  std::vector<channel::TraceRequest> traces;
  std::vector<channel::ConnsRequest> conns_asked;
  bool answer_later = false;
  std::vector<TraceDone> pending_traces;
  channel::TraceResult trace_result = example_trace();
  channel::ConnsResult conns_result = example_conns();

  static channel::TraceResult example_trace() {
    channel::TraceResult r;
    r.port = "lan0";
    r.length = 54;
    r.packet = "ipv4";
    r.flow = channel::TraceFlow{6, *IpAddress::parse("192.0.2.1"), 40000,
                                *IpAddress::parse("10.0.0.100"), 80};
    r.tcp_flags = "S";
    r.hash = 0x1234abcd;
    r.vip = "www";
    r.mode = "dsr-l2";
    r.worker = 0;
    r.lcore = 1;
    r.worker_by = "only-worker";
    r.flow_table = "miss";
    r.maglev_slot = 4660;
    r.maglev_size = 65537;
    r.maglev_backend = "10.0.0.11";
    r.backend = "10.0.0.11";
    r.verdict = "forward";
    r.counters = {"forwarded", "flow_new"};
    r.output = std::string(54, 'x');
    r.output_source_mac = MacAddress{{2, 0, 0, 0, 0, 0x10}};
    r.output_destination_mac = MacAddress{{2, 0, 0, 0, 0, 0x11}};
    return r;
  }
  static channel::ConnsResult example_conns() {
    channel::ConnsResult r;
    r.vip = "www";
    r.flows = 3;
    r.backends = {{*IpAddress::parse("10.0.0.11"), 2}, {*IpAddress::parse("10.0.0.12"), 1}};
    r.rows = {{6, *IpAddress::parse("192.0.2.1"), 40000, 80, *IpAddress::parse("10.0.0.11"), 0,
               "established", 1500},
              {6, *IpAddress::parse("192.0.2.2"), 40001, 80, *IpAddress::parse("10.0.0.12"), 1,
               "syn", 200}};
    return r;
  }

 private:
  std::optional<std::string> check(const std::string& vip, const std::string& backend) const {
    for (const VipView& v : vips_) {
      if (v.name != vip) continue;
      for (const BackendView& b : v.backends)
        if (b.address == backend) return std::nullopt;
      return "VIP '" + vip + "' has no backend " + backend;
    }
    return "no VIP named '" + vip + "'";
  }
};

}  // namespace sluice::api::testing
