// SPDX-License-Identifier: BSD-3-Clause
// sluiced: owns the intent. Reads and validates the config, runs the health checks,
// keeps the admin state (persisted), runs the VRRP instances, serves the runtime API (and,
// with [metrics], /metrics and the status page), and pushes the resulting desired state to the
// dataplane whenever it changes. One thread, one epoll loop; every member is touched only from
// run().
//
// The member functions are defined by concern, in the file named above each group;
// VrrpInstances (vrrp_instances.h) runs the VRRP engines and their sockets.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "announce/announcer.h"
#include "api/model.h"
#include "api/server.h"
#include "bird/poller.h"
#include "config/config.h"
#include "health/clock.h"
#include "health/health_monitor.h"
#include "metrics/endpoint.h"
#include "metrics/http_server.h"
#include "sluiced/admin_state.h"
#include "sluiced/bgp_state.h"
#include "sluiced/dataplane_client.h"
#include "sluiced/desired_state.h"
#include "sluiced/link_monitor.h"
#include "sluiced/route_table.h"
#include "sluiced/vrrp_instances.h"

namespace sluice::sluiced {

class Daemon final : public api::Model {
 public:
  // daemon.cc: start, the event loop, stop
  Daemon(std::string config_path, config::Config config);
  // Runs until SIGINT/SIGTERM; SIGHUP reloads. Returns the exit status.
  int run();

  // api::Model. api_views.cc: the views
  api::InfoView info() const override;
  std::vector<api::VipView> vips() const override;
  api::StatsView stats() const override;
  std::vector<api::HealthView> health() const override;
  std::vector<api::HaView> ha() const override;
  std::vector<api::CheckDurationsView> check_durations() const override;
  api::BgpView bgp() const override;  // bgp_glue.cc
  std::vector<api::FloodView> floods() const override;
  // admin_changes.cc: a backend's admin state and weight, recorded, pushed, persisted
  std::optional<std::string> set_backend_state(const std::string& vip, const std::string& backend,
                                               config::BackendState state) override;
  std::optional<std::string> set_backend_weight(const std::string& vip, const std::string& backend,
                                                uint16_t weight) override;
  // bgp_glue.cc: maintenance and pins, recorded, applied, persisted
  std::optional<std::string> set_node_maint(bool maint) override;
  std::optional<std::string> set_vip_announce(const std::string& vip, bool on) override;
  // reload.cc (also on SIGHUP)
  api::ReloadResult reload() override;
  // flow_questions.cc: trace and show conns, asked of the dataplane
  void trace(const channel::TraceRequest& request, TraceDone done) override;
  void conns(const channel::ConnsRequest& request, ConnsDone done) override;

 private:
  // desired_state_push.cc: what the dataplane is sent, and when
  void apply_config();  // checks and admin entries follow config_, then a push
  void push_desired_state();
  // After a (re)start, the first desired state waits until every check has settled (up,
  // or down for `fall` results) or a deadline passes: meanwhile the dataplane keeps the
  // state it has, so restarting sluiced does not take backends out while checks rise.
  void start_hold();
  bool checks_settled() const;
  void end_hold_if_due();
  void on_health_events();
  HealthStatus health_of(const config::Vip& vip, const config::Backend& backend) const;

  // vrrp_glue.cc: what VRRP instances track, what their mastership activates
  void on_vrrp_mastership(bool master);
  void start_link_tracking(const std::function<void(int)>& watch);
  void track_vrrp();
  void activate_vrrp_vips(std::vector<config::Vip>& vips) const;

  // bgp_glue.cc: the VIPs announced through the kernel table a routing daemon exports
  // (docs/bgp.md); nothing happens unless [bgp] enable = true.
  bool bgp_enabled() const { return config_.bgp.enable; }
  void start_bgp();  // stale routes removed, the state file read
  void step_bgp();   // every loop turn: decide, then bring the table in line
  // SIGTERM: withdraw everything; true when sluiced may exit now (else once drained).
  bool begin_bgp_stop();
  bool bgp_drained() const { return announcer_ && announcer_->drained(); }
  void stop_bgp();  // on exit: no route of ours left in the table
  announce::Inputs bgp_inputs() const;
  void sync_routes();
  std::optional<std::string> save_bgp_state_file() const;

  // bird_glue.cc: bird's BGP and BFD sessions, read from its control socket when
  // [bgp] bird_socket is set.
  void start_bird();
  void tick_bird(const std::function<void(int)>& watch);  // every loop turn
  void log_bird_changes();                                // after bird's answers
  api::BirdView bird_view() const;

  // bird_policy_glue.cc: [bgp] bird_policy, the file of local_prefs and communities bird
  // includes; rewritten (and bird asked to reconfigure) only when the config changes it.
  void write_bird_policy();  // at start and after a reload
  void log_bird_policy_answer();
  api::BirdPolicyView bird_policy_view() const;

  // admin_changes.cc
  const config::Vip* find_vip(const std::string& name) const;
  // nullopt and the backend's canonical address text, or the error line for the API.
  std::optional<std::string> find_backend(const std::string& vip, const std::string& backend,
                                          std::string& canonical) const;
  std::optional<std::string> apply_admin_change();  // push, persist

  // reload.cc
  api::ReloadResult reload_config();  // reload() without the log lines

  // metrics_listener.cc: /metrics and the status page, when the config has [metrics]
  std::optional<std::string> start_metrics();
  // What a reload may change of [metrics] (the admin actions); the rest waits for a restart.
  void reload_metrics(config::Config& next, std::vector<std::string>& details);

  static void log_lines(const std::vector<std::string>& lines);  // daemon.cc
  uint64_t now_ms() const { return clock_.now_us() / 1000; }
  static int64_t unix_now() { return int64_t(std::time(nullptr)); }

  std::string config_path_;
  config::Config config_;
  uint64_t config_generation_ = 1;
  bool last_reload_ok_ = true;
  int64_t last_reload_unix_s_ = unix_now();
  uint64_t started_ms_;
  bool holding_ = true;
  uint64_t hold_deadline_ms_ = 0;
  health::MonotonicClock clock_;
  health::HealthMonitor monitor_;
  AdminStateStore admin_;
  DataplaneClient dataplane_;
  std::unique_ptr<api::Server> server_;
  std::unique_ptr<metrics::Endpoint> metrics_endpoint_;
  std::unique_ptr<metrics::HttpServer> metrics_server_;
  LinkMonitor links_;  // VRRP interface tracking
  VrrpInstances vrrp_;

  struct Route {
    IpAddress address;
    uint32_t med = 0;
    friend bool operator==(const Route&, const Route&) = default;
  };
  std::unique_ptr<announce::Announcer> announcer_;
  std::unique_ptr<RouteTable> routes_;
  BgpState bgp_state_;
  std::string bgp_error_;                            // the table cannot be used
  std::map<std::string, Route> installed_;           // VIP name -> its route in the table
  std::map<std::string, std::string> route_errors_;  // VIP name -> the kernel's refusal
  uint64_t next_route_retry_ms_ = 0;

  std::unique_ptr<bird::Poller> bird_;
  struct BirdLogged {  // what the log last said about bird
    bool reachable = false;
    std::string error;
    std::map<std::string, bird::ProtocolStatus> sessions;
  } bird_logged_;
  struct BirdPolicyStatus {
    size_t vips = 0;
    std::string error;           // the last write failed
    bool asked = false;          // bird asked to reconfigure since sluiced started
    uint64_t answer_logged = 0;  // the poller's number of the last answer logged
  } bird_policy_;
};

}  // namespace sluice::sluiced
