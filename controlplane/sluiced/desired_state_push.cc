// SPDX-License-Identifier: BSD-3-Clause
// What the dataplane is sent, and when: the config with the admin overrides, each
// backend's state decided from its health, VIPs activated by VRRP mastership; held back
// after a start until the health checks have settled.
#include <algorithm>
#include <cstdio>

#include "config/config_writer.h"
#include "health/from_config.h"
#include "sluiced/daemon.h"

namespace sluice::sluiced {

void Daemon::apply_config() {
  std::vector<health::CheckSpec> specs;
  for (const config::Vip& v : config_.vips)
    for (const config::Backend& b : v.backends)
      if (auto spec = health::check_spec_for(v, b.address)) specs.push_back(*spec);
  monitor_.set_checks(std::move(specs));
  std::vector<std::string> dropped = admin_.retain(config_);
  log_lines(dropped);
  if (!dropped.empty())
    if (auto error = admin_.save()) std::fprintf(stderr, "sluiced: %s\n", error->c_str());
  push_desired_state();
}

void Daemon::push_desired_state() {
  if (holding_) return;
  config::Config admin = config_;
  admin_.apply(admin);
  auto vips = desired_vips(
      admin, [this](const config::Vip& v, const config::Backend& b) { return health_of(v, b); });
  activate_vrrp_vips(vips);
  dataplane_.set_desired_state(config::vips_to_toml(vips));
}

HealthStatus Daemon::health_of(const config::Vip& vip, const config::Backend& backend) const {
  auto spec = health::check_spec_for(vip, backend.address);
  if (!spec) return HealthStatus::kUnchecked;
  auto status = monitor_.status(spec->key());
  if (!status || !status->health.checked()) return HealthStatus::kUnchecked;
  return status->health.up() ? HealthStatus::kUp : HealthStatus::kDown;
}

void Daemon::on_health_events() {
  std::vector<health::Event> events = monitor_.take_events();
  for (const health::Event& e : events)
    std::fprintf(stderr, "sluiced: health: %s\n", e.text().c_str());
  if (!events.empty()) push_desired_state();
}

void Daemon::start_hold() {
  uint64_t longest = 0;
  for (const config::Vip& v : config_.vips)
    if (v.check.type != config::HealthCheck::Type::kNone)
      longest = std::max<uint64_t>(
          longest, uint64_t(std::max(v.check.rise, v.check.fall)) * v.check.interval_ms +
                       v.check.timeout_ms);
  hold_deadline_ms_ = now_ms() + longest;
}

bool Daemon::checks_settled() const {
  for (const health::CheckStatus& s : monitor_.statuses()) {
    const health::HealthState& h = s.health;
    if (!h.checked() || (!h.up() && h.consecutive_failures() < h.fall())) return false;
  }
  return true;
}

void Daemon::end_hold_if_due() {
  if (!holding_ || (!checks_settled() && now_ms() < hold_deadline_ms_)) return;
  holding_ = false;
  push_desired_state();
}

}  // namespace sluice::sluiced
