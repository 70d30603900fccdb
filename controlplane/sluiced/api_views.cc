// SPDX-License-Identifier: BSD-3-Clause
// The daemon as the runtime API sees it (api::Model's views): plain values built from the
// config, the admin state, the health checks, the VRRP instances and the dataplane's last
// counters.
#include <unistd.h>

#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "health/from_config.h"
#include "sluiced/daemon.h"

namespace sluice::sluiced {

namespace {

constexpr const char* kVersion = "0.1.0";

// (VIP name, backend address) -> the backend's traffic in the dataplane's last answer.
std::map<std::pair<std::string_view, IpAddress>, channel::Traffic> backend_traffic(
    const std::optional<channel::Stats>& stats) {
  std::map<std::pair<std::string_view, IpAddress>, channel::Traffic> out;
  if (!stats) return out;
  for (const channel::VipStats& v : stats->vips)
    for (const channel::BackendStats& b : v.backends) out[{v.name, b.address}] = b.traffic;
  return out;
}

// VIP name -> the VIP's traffic in the dataplane's last answer.
std::map<std::string_view, channel::Traffic> vip_traffic(
    const std::optional<channel::Stats>& stats) {
  std::map<std::string_view, channel::Traffic> out;
  if (!stats) return out;
  for (const channel::VipStats& v : stats->vips) out[v.name] = v.traffic;
  return out;
}

}  // namespace

api::InfoView Daemon::info() const {
  api::InfoView i;
  i.version = kVersion;
  i.pid = getpid();
  i.uptime_s = (now_ms() - started_ms_) / 1000;
  i.config_path = config_path_;
  i.config_generation = config_generation_;
  i.last_reload_ok = last_reload_ok_;
  i.last_reload_unix_s = last_reload_unix_s_;
  i.dataplane_connected = dataplane_.connected();
  if (auto ack = dataplane_.last_ack_ms()) i.last_dataplane_sync_s = (now_ms() - *ack) / 1000;
  switch (dataplane_.sync()) {
    case DataplaneClient::Sync::kDisconnected:
      i.dataplane_sync = "disconnected";
      break;
    case DataplaneClient::Sync::kPending:
      i.dataplane_sync = "pending";
      break;
    case DataplaneClient::Sync::kInSync:
      i.dataplane_sync = "in sync";
      break;
    case DataplaneClient::Sync::kRefused:
      i.dataplane_sync = "refused";
      i.dataplane_refusal = dataplane_.refusal();
      break;
  }
  return i;
}

std::vector<api::VipView> Daemon::vips() const {
  auto traffic = backend_traffic(dataplane_.last_stats());
  auto vip_totals = vip_traffic(dataplane_.last_stats());
  std::optional<std::set<std::string_view>> in_dataplane;
  if (dataplane_.connected() && dataplane_.last_stats()) {
    in_dataplane.emplace();
    for (const channel::VipStats& v : dataplane_.last_stats()->vips) in_dataplane->insert(v.name);
  }
  config::Config admin = config_;
  admin_.apply(admin);
  std::vector<api::VipView> out;
  for (size_t vi = 0; vi < config_.vips.size(); ++vi) {
    const config::Vip& v = config_.vips[vi];
    api::VipView view;
    view.name = v.name;
    view.address = v.address.to_string();
    view.protocol = config::protocol_name(v.protocol);
    view.port = v.port;
    view.mode = config::to_string(v.mode);
    if (in_dataplane) view.in_dataplane = in_dataplane->count(v.name) > 0;
    if (auto it = vip_totals.find(v.name); it != vip_totals.end()) {
      view.packets = it->second.packets;
      view.bytes = it->second.bytes;
      view.new_flows = it->second.new_flows;
    }
    for (size_t bi = 0; bi < v.backends.size(); ++bi) {
      const config::Backend& configured = v.backends[bi];
      const config::Backend& b = admin.vips[vi].backends[bi];
      api::BackendView bv;
      bv.address = b.address.to_string();
      bv.weight = configured.weight;
      bv.admin_state = b.state;
      bv.admin_weight = b.weight;
      HealthStatus h = health_of(v, b);
      bv.health = h == HealthStatus::kUp     ? api::Health::kUp
                  : h == HealthStatus::kDown ? api::Health::kDown
                                             : api::Health::kUnchecked;
      if (auto spec = health::check_spec_for(v, b.address))
        if (auto st = monitor_.status(spec->key())) {
          if (st->health.checked()) bv.health_reason = st->health.last_result().text();
          bv.last_change_s = (clock_.now_us() - st->health.last_change_us()) / 1'000'000;
        }
      config::BackendState effective = decide(v, b, h);
      bv.effective = effective == config::BackendState::kReady   ? api::Effective::kServing
                     : effective == config::BackendState::kDrain ? api::Effective::kDraining
                                                                 : api::Effective::kOut;
      if (auto it = traffic.find({v.name, b.address}); it != traffic.end()) {
        bv.packets = it->second.packets;
        bv.bytes = it->second.bytes;
        bv.new_flows = it->second.new_flows;
      }
      view.backends.push_back(std::move(bv));
    }
    out.push_back(std::move(view));
  }
  return out;
}

std::vector<api::FloodView> Daemon::floods() const {
  const uint64_t now = now_ms();
  std::vector<api::FloodView> out;
  for (const config::Vip& v : config_.vips) {
    api::FloodView f;
    f.name = v.name;
    f.address = v.address.to_string();
    f.protocol = config::protocol_name(v.protocol);
    f.port = v.port;
    if (const FloodWatch::Vip* w = dataplane_.floods().find(v.name); w && dataplane_.connected()) {
      f.new_flows_per_s = w->new_flows_per_s;
      f.syns_not_admitted_per_s = w->syns_not_admitted_per_s;
      f.syns_not_admitted = w->syns_not_admitted;
      f.under_flood = w->under_flood();
      if (w->flood_since_ms) f.flood_for_s = (now - *w->flood_since_ms) / 1000;
      if (w->last_flood_ms) f.last_flood_s = (now - *w->last_flood_ms) / 1000;
    }
    out.push_back(std::move(f));
  }
  return out;
}

api::StatsView Daemon::stats() const {
  api::StatsView s;
  s.counters.emplace_back("dataplane_connected", dataplane_.connected() ? 1 : 0);
  s.counters.emplace_back("dataplane_generation", dataplane_.applied_generation());
  s.counters.emplace_back("health_checks", monitor_.size());
  if (const auto& dataplane = dataplane_.last_stats()) {
    s.counters.emplace_back("generation", dataplane->generation);
    s.counters.insert(s.counters.end(), dataplane->counters.begin(), dataplane->counters.end());
    for (const channel::WorkerStats& w : dataplane->workers)
      s.workers.push_back({w.lcore, w.busy_ppm, w.active_flows, w.flow_capacity,
                           w.flow_insert_failures, w.flow_evictions});
  }
  return s;
}

std::vector<api::HealthView> Daemon::health() const {
  std::vector<api::HealthView> out;
  for (const config::Vip& v : config_.vips) {
    for (const config::Backend& b : v.backends) {
      api::HealthView h;
      h.vip = v.name;
      h.backend = b.address.to_string();
      auto spec = health::check_spec_for(v, b.address);
      if (spec) {
        h.check = health::kind_name(spec->kind);
        if (spec->kind == health::CheckSpec::Kind::kHttp) h.check += " GET " + spec->http_path;
        h.check += " " + spec->target();
        if (auto st = monitor_.status(spec->key())) {
          if (st->health.checked()) {
            h.status = st->health.up() ? api::Health::kUp : api::Health::kDown;
            h.reason = st->health.last_result().text();
          }
          h.last_change_s = (clock_.now_us() - st->health.last_change_us()) / 1'000'000;
        }
      }
      out.push_back(std::move(h));
    }
  }
  return out;
}

std::vector<api::HaView> Daemon::ha() const {
  std::vector<api::HaView> out;
  for (const VrrpInstances::Instance& instance : vrrp_.instances()) {
    const config::VrrpInstance& c = instance.config;
    const vrrp::Instance& e = *instance.engine;
    api::HaView h;
    h.name = c.name;
    h.interface = c.interface;
    h.vrid = c.vrid;
    h.state = vrrp::state_name(e.state());
    h.priority = e.priority();
    h.configured_priority = c.priority;
    if (e.state() == vrrp::State::kMaster)
      h.master = c.address.to_string();
    else if (auto m = e.master_address())
      h.master = m->to_string();
    h.advert_interval_cs = c.advert_interval_cs;
    h.master_adver_interval_cs = e.master_adver_interval_cs();
    h.skew_ms = e.skew_time_us() / 1000;
    h.master_down_ms = e.master_down_interval_us() / 1000;
    h.vips = c.vips;
    h.transitions = instance.transitions;
    h.adverts_sent = e.stats().adverts_sent;
    h.adverts_received = e.stats().adverts_received;
    h.address_mismatches = e.stats().address_mismatches;
    h.last_address_mismatch = instance.last_address_mismatch;
    if (e.state() == vrrp::State::kBackup) h.preemption_held = vrrp_.preemption_hold();
    h.became_master = e.stats().became_master;
    h.became_backup = e.stats().became_backup;
    h.became_fault = e.stats().faults;
    out.push_back(std::move(h));
  }
  return out;
}

std::vector<api::CheckDurationsView> Daemon::check_durations() const {
  std::vector<api::CheckDurationsView> out;
  for (auto kind : {health::CheckSpec::Kind::kTcp, health::CheckSpec::Kind::kHttp,
                    health::CheckSpec::Kind::kUdp}) {
    for (bool success : {true, false}) {
      const health::DurationHistogram& h = monitor_.durations(kind, success);
      api::CheckDurationsView d;
      d.type = health::kind_name(kind);
      d.success = success;
      d.upper_bounds_us.assign(health::DurationHistogram::kUpperBoundsUs.begin(),
                               health::DurationHistogram::kUpperBoundsUs.end());
      d.counts.assign(h.counts().begin(), h.counts().end());
      d.sum_us = h.sum_us();
      out.push_back(std::move(d));
    }
  }
  return out;
}

}  // namespace sluice::sluiced
