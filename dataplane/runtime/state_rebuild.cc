// SPDX-License-Identifier: BSD-3-Clause
// The forwarding state follows the configuration and the neighbor cache: every change is
// built into a new snapshot and published; SIGHUP reloads the file.
#include <cstdio>
#include <mutex>
#include <optional>
#include <utility>

#include "config/config_loader.h"
#include "runtime/dataplane.h"
#include "state/steering_entries.h"

namespace sluice {

bool Dataplane::rebuild(const char* why, std::string& error) {
  std::vector<std::string> errors;
  std::vector<MacAddress> macs;
  for (const EthPort& p : ports_) macs.push_back(p.mac);
  std::unique_ptr<ForwardingState> next;
  {
    std::lock_guard lock(view_lock_);
    next = builder_.build(config_, macs, neighbors_, generation_ + 1, now_ms(), errors);
  }
  if (!next) {
    error.clear();
    for (const std::string& e : errors) error += e + "\n";
    std::fprintf(stderr, "sluice-dataplane: state refused (%s), state %lu stays: %s", why,
                 (unsigned long)generation_, error.c_str());
    return false;
  }
  ++generation_;
  size_t vips = next->vips.size();
  publisher_->publish(std::move(next));
  std::printf("state %lu published (%s): %zu VIPs\n", (unsigned long)generation_, why, vips);
  std::fflush(stdout);
  sync_steering();
  schedule_new_vips(now_ms());
  return true;
}

void Dataplane::republish_neighbors(const char* why) {
  std::unique_ptr<ForwardingState> next;
  {
    std::lock_guard lock(view_lock_);
    next = builder_.with_neighbors(neighbors_, generation_ + 1);
  }
  if (!next) {
    std::string error;
    rebuild(why, error);
    return;
  }
  ++generation_;
  const size_t vips = next->vips.size();
  publisher_->publish(std::move(next));
  std::printf("state %lu published (%s): %zu VIPs\n", (unsigned long)generation_, why, vips);
  std::fflush(stdout);
}

bool Dataplane::apply(config::Config next, const char* why, std::string& error) {
  config::Config previous;
  std::optional<NeighborCache> previous_neighbors;  // only when the next hops change
  {
    std::lock_guard lock(view_lock_);
    previous = std::exchange(config_, std::move(next));
    if (!StateBuilder::same_neighbors(previous, config_)) {
      previous_neighbors = neighbors_;
      neighbors_.configure(StateBuilder::next_hops(config_),
                           StateBuilder::static_neighbors(config_));
    }
  }
  if (rebuild(why, error)) return true;
  std::lock_guard lock(view_lock_);
  config_ = std::move(previous);
  if (previous_neighbors) neighbors_ = std::move(*previous_neighbors);
  return false;
}

void Dataplane::sync_steering() {
  for (size_t i = 0; i < ports_.size(); ++i) {
    if (!ports_[i].steering) continue;
    if (std::string error; !ports_[i].steer(steering_entries(config_, i), error))
      std::fprintf(stderr, "sluice-dataplane: %s\n", error.c_str());
  }
}

void Dataplane::reload_config() {
  config::LoadResult loaded = config::load_config_file(config_path_);
  if (!loaded.config) {
    for (const config::ConfigError& e : loaded.errors)
      std::fprintf(stderr, "%s\n", e.to_string().c_str());
    std::fprintf(stderr, "sluice-dataplane: reload refused; the running configuration stays\n");
    return;
  }
  config::Config next = std::move(*loaded.config);
  config::deactivate_vrrp_vips(next);
  if (managed_) {
    std::fprintf(stderr,
                 "sluice-dataplane: VIPs and backends come from sluiced; keeping them, "
                 "reloading neighbors and timeouts from the file\n");
    next.vips = config_.vips;
  }
  if (next.dataplane != config_.dataplane || next.fragments != config_.fragments ||
      next.ports != config_.ports)
    std::fprintf(stderr,
                 "sluice-dataplane: [dataplane], [fragments] and [[port]] changes need a "
                 "restart; applying VIPs, backends, neighbors and timeouts only\n");
  next.dataplane = config_.dataplane;
  next.fragments = config_.fragments;
  next.ports = config_.ports;
  if (std::string error; !apply(std::move(next), "reload", error))
    std::fprintf(stderr, "sluice-dataplane: reload refused; the running configuration stays\n");
}

}  // namespace sluice
