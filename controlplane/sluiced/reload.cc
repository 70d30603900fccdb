// SPDX-License-Identifier: BSD-3-Clause
// Reload (SIGHUP or the API): the config file read again; VIPs, backends and checks
// follow it, a file with errors changes nothing.
#include <cstdio>

#include "config/config_loader.h"
#include "sluiced/daemon.h"

namespace sluice::sluiced {

api::ReloadResult Daemon::reload() {
  api::ReloadResult r = reload_config();
  last_reload_ok_ = r.ok;
  last_reload_unix_s_ = unix_now();
  std::fprintf(stderr, "sluiced: %s\n", r.summary.c_str());
  log_lines(r.details);
  return r;
}

api::ReloadResult Daemon::reload_config() {
  api::ReloadResult r;
  config::LoadResult loaded = config::load_config_file(config_path_);
  if (!loaded.config) {
    r.summary = "reload refused: " + std::to_string(loaded.errors.size()) +
                " error(s); the running configuration stays";
    for (const config::ConfigError& e : loaded.errors) r.details.push_back(e.to_string());
    return r;
  }
  config::Config next = std::move(*loaded.config);
  if (next.controlplane != config_.controlplane || next.dataplane != config_.dataplane ||
      next.ports != config_.ports || next.bgp != config_.bgp)
    r.details.push_back(
        "[controlplane], [dataplane], [bgp] and [[port]] changes need a restart; applying "
        "VIPs, backends and checks");
  next.controlplane = config_.controlplane;
  next.bgp = config_.bgp;
  next.dataplane = config_.dataplane;
  reload_metrics(next, r.details);
  config_ = std::move(next);
  ++config_generation_;
  apply_config();
  write_bird_policy();
  size_t backends = 0;
  for (const config::Vip& v : config_.vips) backends += v.backends.size();
  r.ok = true;
  r.summary = "generation " + std::to_string(config_generation_) + ": " +
              std::to_string(config_.vips.size()) + " VIPs, " + std::to_string(backends) +
              " backends";
  return r;
}

}  // namespace sluice::sluiced
