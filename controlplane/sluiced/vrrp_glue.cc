// SPDX-License-Identifier: BSD-3-Clause
// The daemon's side of VRRP: what an instance tracks (the dataplane channel, serving
// backends) and what its mastership changes (which VIPs the dataplane serves).
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

void Daemon::track_vrrp() {
  if (vrrp_.empty()) return;
  config::Config admin = config_;
  admin_.apply(admin);
  vrrp_.track([&](const config::VrrpInstance& c) {
    bool fault = c.track_dataplane && !dataplane_.connected();
    if (c.track_backends) {
      for (const std::string& name : c.vips) {
        for (const config::Vip& v : admin.vips) {
          if (v.name != name) continue;
          bool serving = false;
          for (const config::Backend& b : v.backends)
            serving |= decide(v, b, health_of(v, b)) == config::BackendState::kReady;
          fault |= !serving;
        }
      }
    }
    return fault;
  });
}

}  // namespace sluice::sluiced
