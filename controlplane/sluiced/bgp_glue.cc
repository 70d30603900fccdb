// SPDX-License-Identifier: BSD-3-Clause
// The daemon's side of BGP (docs/bgp.md): what the announcement state machine is told on
// every loop turn, the kernel routes that carry its decisions to the routing daemon, the
// operator's maintenance and pins (persisted), the drain on SIGTERM, and `show bgp`.
#include <cstdio>
#include <filesystem>
#include <set>

#include "sluiced/daemon.h"

namespace sluice::sluiced {

namespace {
constexpr uint64_t kRouteRetryMs = 1000;
}  // namespace

void Daemon::start_bgp() {
  if (!bgp_enabled()) return;
  const config::BgpSettings& b = config_.bgp;
  announcer_ = std::make_unique<announce::Announcer>(clock_, uint64_t(b.drain_time_ms) * 1000);
  routes_ = std::make_unique<RouteTable>(b.table, b.protocol);
  size_t stale = 0;
  if (auto error = routes_->flush(&stale)) {
    bgp_error_ = *error;
    std::fprintf(stderr, "sluiced: bgp: routing table %u: %s\n", b.table, error->c_str());
  } else if (stale > 0) {
    std::fprintf(stderr, "sluiced: bgp: removed %zu stale route(s) of protocol %u from table %u\n",
                 stale, b.protocol, b.table);
  }
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(b.state_file).parent_path(), ec);
  BgpStateParse loaded = load_bgp_state(b.state_file);
  if (loaded.error) std::fprintf(stderr, "sluiced: %s\n", loaded.error->c_str());
  bgp_state_ = loaded.state;
  if (bgp_state_.node_maint) {
    announcer_->set_mode(announce::NodeMode::kMaint);
    std::fprintf(stderr, "sluiced: bgp: node in maintenance (from %s): nothing announced\n",
                 b.state_file.c_str());
  }
  for (const std::string& v : bgp_state_.pinned)
    std::fprintf(stderr, "sluiced: bgp: vip %s pinned off (from %s)\n", v.c_str(),
                 b.state_file.c_str());
  std::fprintf(stderr, "sluiced: bgp: announcing through table %u, protocol %u, drain %u ms\n",
               b.table, b.protocol, b.drain_time_ms);
  start_bird();
  write_bird_policy();
}

announce::Inputs Daemon::bgp_inputs() const {
  announce::Inputs in;
  in.dataplane_up = dataplane_.connected() && dataplane_.last_stats().has_value();
  in.checks_settled = !holding_;
  // The dataplane's word, in its counters every second; it ends the wait itself after
  // [sync] join_wait.
  if (in.dataplane_up)
    for (const auto& [name, value] : dataplane_.last_stats()->counters)
      if (name == "sync_join_pending") in.sync_joining = value != 0;
  std::set<std::string_view> running;
  if (in.dataplane_up)
    for (const channel::VipStats& v : dataplane_.last_stats()->vips) running.insert(v.name);
  config::Config admin = config_;
  admin_.apply(admin);
  std::vector<config::Vip> active = admin.vips;
  activate_vrrp_vips(active);
  for (size_t i = 0; i < admin.vips.size(); ++i) {
    const config::Vip& v = admin.vips[i];
    announce::VipInput vi;
    vi.name = v.name;
    vi.address = v.address;
    for (const config::Backend& b : v.backends)
      vi.serving_backends += decide(v, b, health_of(v, b)) == config::BackendState::kReady;
    vi.min_healthy = v.bgp.min_healthy;
    vi.med = v.bgp.med;
    vi.pinned_by_config = !v.bgp.announce;
    vi.pinned_by_operator = bgp_state_.pinned.count(v.name) > 0;
    vi.in_dataplane = running.count(v.name) > 0 && active[i].active;
    in.vips.push_back(std::move(vi));
  }
  return in;
}

void Daemon::step_bgp() {
  if (!announcer_) return;
  std::vector<announce::Change> changes = announcer_->update(bgp_inputs());
  for (const announce::Change& c : changes) {
    const announce::VipStatus* s = announcer_->find(c.name);
    std::string why = s ? std::string(announce::to_string(s->reason)) : "no longer configured";
    std::fprintf(stderr, "sluiced: bgp: %s %s (%s): %s\n",
                 c.kind == announce::Change::Kind::kAnnounce ? "announce" : "withdraw",
                 c.name.c_str(), c.address.to_string().c_str(), why.c_str());
  }
  if (!changes.empty() || (!route_errors_.empty() && now_ms() >= next_route_retry_ms_))
    sync_routes();
}

// Brings the table in line with the announcer's decisions; a refused change is kept in
// route_errors_ (shown, logged once) and retried every second.
void Daemon::sync_routes() {
  std::map<std::string, Route> wanted;
  for (const announce::VipStatus& s : announcer_->vips())
    if (s.announced) wanted[s.name] = {s.address, s.med};
  std::map<std::string, std::string> errors;
  for (auto it = installed_.begin(); it != installed_.end();) {
    auto w = wanted.find(it->first);
    if (w != wanted.end() && w->second == it->second) {
      ++it;
      continue;
    }
    if (auto error = routes_->remove(it->second.address, it->second.med)) {
      errors[it->first] = *error;
      ++it;
    } else {
      it = installed_.erase(it);
    }
  }
  for (const auto& [name, route] : wanted) {
    if (installed_.count(name)) continue;
    if (auto error = routes_->add(route.address, route.med))
      errors[name] = *error;
    else
      installed_[name] = route;
  }
  for (const auto& [name, error] : errors)
    if (route_errors_[name] != error)
      std::fprintf(stderr, "sluiced: bgp: vip %s: %s (retrying every second)\n", name.c_str(),
                   error.c_str());
  route_errors_ = std::move(errors);
  next_route_retry_ms_ = now_ms() + kRouteRetryMs;
}

bool Daemon::begin_bgp_stop() {
  if (!announcer_) return true;
  announcer_->set_mode(announce::NodeMode::kStopping);
  step_bgp();
  if (!config_.bgp.drain_on_stop) return true;
  std::fprintf(stderr,
               "sluiced: bgp: every VIP withdrawn; forwarding on for %u ms while the routers move "
               "the flows away (SIGTERM again to stop now)\n",
               config_.bgp.drain_time_ms);
  return announcer_->drained();
}

void Daemon::stop_bgp() {
  if (!routes_) return;
  for (const auto& [name, route] : installed_)
    if (auto error = routes_->remove(route.address, route.med))
      std::fprintf(stderr, "sluiced: bgp: vip %s: %s\n", name.c_str(), error->c_str());
  installed_.clear();
}

std::optional<std::string> Daemon::save_bgp_state_file() const {
  if (auto error = save_bgp_state(config_.bgp.state_file, bgp_state_))
    return "applied, but not persisted: " + *error;
  return std::nullopt;
}

std::optional<std::string> Daemon::set_node_maint(bool maint) {
  if (!announcer_) return api::Model::set_node_maint(maint);
  if (announcer_->mode() == announce::NodeMode::kStopping) return "sluiced is stopping";
  announcer_->set_mode(maint ? announce::NodeMode::kMaint : announce::NodeMode::kReady);
  std::fprintf(stderr, "sluiced: bgp: node set to %s from the runtime API\n",
               maint ? "maint" : "ready");
  bgp_state_.node_maint = maint;
  bgp_state_.node_updated_s = unix_now();
  step_bgp();
  return save_bgp_state_file();
}

std::optional<std::string> Daemon::set_vip_announce(const std::string& vip, bool on) {
  if (!announcer_) return api::Model::set_vip_announce(vip, on);
  if (!find_vip(vip)) return "no VIP named '" + vip + "'";
  if (on)
    bgp_state_.pinned.erase(vip);
  else
    bgp_state_.pinned.insert(vip);
  bgp_state_.pins_updated_s = unix_now();
  std::fprintf(stderr, "sluiced: bgp: vip %s announce %s from the runtime API\n", vip.c_str(),
               on ? "on" : "off");
  step_bgp();
  return save_bgp_state_file();
}

api::BgpView Daemon::bgp() const {
  api::BgpView view;
  if (!announcer_) return view;
  const uint64_t now = clock_.now_us();
  view.enabled = true;
  view.table = config_.bgp.table;
  view.protocol = config_.bgp.protocol;
  view.node = std::string(announce::to_string(announcer_->mode()));
  view.node_since_s = (now - announcer_->mode_since_us()) / 1'000'000;
  view.drained = announcer_->drained();
  view.drain_time_ms = config_.bgp.drain_time_ms;
  view.error = bgp_error_;
  view.bird = bird_view();
  view.policy = bird_policy_view();
  announce::Inputs in = bgp_inputs();
  for (const announce::VipStatus& s : announcer_->vips()) {
    api::BgpVipView v;
    v.name = s.name;
    v.address = s.address.to_string();
    v.announced = s.announced && installed_.count(s.name);
    v.reason = std::string(announce::to_string(s.reason));
    v.since_s = (now - s.since_us) / 1'000'000;
    v.med = s.med;
    for (const announce::VipInput& i : in.vips)
      if (i.name == s.name) {
        v.serving_backends = i.serving_backends;
        v.min_healthy = i.min_healthy;
      }
    v.pinned = bgp_state_.pinned.count(s.name) > 0;
    if (auto e = route_errors_.find(s.name); e != route_errors_.end()) v.route_error = e->second;
    view.vips.push_back(std::move(v));
  }
  return view;
}

}  // namespace sluice::sluiced
