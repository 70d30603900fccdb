// SPDX-License-Identifier: BSD-3-Clause
// The daemon's side of VRRP: what an instance tracks (its links, the dataplane channel,
// serving backends) and what its mastership changes (which VIPs the dataplane serves).
#include <cstdio>

#include "sluiced/daemon.h"

namespace sluice::sluiced {

void Daemon::on_vrrp_mastership(bool master) {
  // Takeover must not wait for the health checks to settle after a restart.
  holding_ = holding_ && !master;
  push_desired_state();
}

void Daemon::activate_vrrp_vips(std::vector<config::Vip>& vips) const {
  // A VIP carried by a VRRP instance is active only while that instance is MASTER.
  for (config::Vip& v : vips)
    for (const VrrpInstances::Instance& instance : vrrp_.instances())
      for (const std::string& name : instance.config.vips)
        if (name == v.name) v.active = instance.master;
}

// A node whose dataplane is still asking its peers for their flows must not take the VIPs
// from a live Master: their connections would reach a flow table without them.
void Daemon::hold_vrrp_during_sync_join() {
  std::optional<bool> pending;
  if (dataplane_.connected() && dataplane_.last_stats() &&
      dataplane_.stats_connection() == dataplane_.connection()) {
    pending = false;
    for (const auto& [name, value] : dataplane_.last_stats()->counters)
      if (name == "sync_join_pending") pending = value != 0;
  }
  sync_join_hold_.update(clock_.now_us(), dataplane_.connection(), pending);
  vrrp_.hold_preemption(sync_join_hold_.reason());
}

void Daemon::start_link_tracking(const std::function<void(int)>& watch) {
  if (config_.vrrp.empty()) return;
  if (auto why = links_.open()) {
    std::fprintf(stderr,
                 "sluiced: vrrp: interface tracking unavailable (%s): every link counts as up\n",
                 why->c_str());
    return;
  }
  watch(links_.fd());
}

// The first reason an instance cannot serve, or "" when it can.
void Daemon::track_vrrp() {
  if (vrrp_.empty()) return;
  config::Config admin = config_;
  admin_.apply(admin);
  vrrp_.track([&](const config::VrrpInstance& c) -> std::string {
    if (links_.is_open()) {
      auto link_down = [&](const std::string& name) -> std::string {
        if (links_.links().up(name)) return {};
        return "link " + name + " " + links_.links().describe(name);
      };
      if (std::string why = link_down(c.interface); !why.empty()) return why;
      for (const std::string& name : c.track_interfaces)
        if (std::string why = link_down(name); !why.empty()) return why;
      // The adverts' source: without it they cannot be sent (an IPv6 link-local address
      // is flushed with the link, and a new one is in DAD for a while).
      if (!links_.links().has_address(c.interface, c.address))
        return "address " + c.address.to_string() + " " +
               links_.links().describe_address(c.interface, c.address);
    }
    if (c.track_dataplane && !dataplane_.connected()) return "the dataplane channel is down";
    if (c.track_backends) {
      for (const std::string& name : c.vips) {
        for (const config::Vip& v : admin.vips) {
          if (v.name != name) continue;
          bool serving = false;
          for (const config::Backend& b : v.backends)
            serving |= decide(v, b, health_of(v, b)) == config::BackendState::kReady;
          if (!serving) return "vip '" + name + "' has no serving backend";
        }
      }
    }
    return {};
  });
}

}  // namespace sluice::sluiced
