// SPDX-License-Identifier: BSD-3-Clause
#include "announce/announcer.h"

namespace sluice::announce {

std::string_view to_string(NodeMode m) {
  switch (m) {
    case NodeMode::kReady:
      return "ready";
    case NodeMode::kMaint:
      return "maint";
    case NodeMode::kStopping:
      return "stopping";
  }
  return "?";
}

std::string_view to_string(Reason r) {
  switch (r) {
    case Reason::kServing:
      return "serving";
    case Reason::kNodeMaint:
      return "node in maintenance";
    case Reason::kNodeStopping:
      return "sluiced stopping";
    case Reason::kPinnedConfig:
      return "pinned off by the config";
    case Reason::kPinnedOperator:
      return "pinned off by the operator";
    case Reason::kDataplaneDown:
      return "dataplane not connected";
    case Reason::kChecksSettling:
      return "health checks settling";
    case Reason::kSyncJoining:
      return "waiting for the peers' flows (flow sync join)";
    case Reason::kNotInDataplane:
      return "not active in the dataplane";
    case Reason::kTooFewBackends:
      return "too few serving backends";
  }
  return "?";
}

Reason Announcer::decide(const Inputs& in, const VipInput& v) const {
  if (mode_ == NodeMode::kMaint) return Reason::kNodeMaint;
  if (mode_ == NodeMode::kStopping) return Reason::kNodeStopping;
  if (v.pinned_by_config) return Reason::kPinnedConfig;
  if (v.pinned_by_operator) return Reason::kPinnedOperator;
  if (!in.dataplane_up) return Reason::kDataplaneDown;
  if (!in.checks_settled) return Reason::kChecksSettling;
  if (in.sync_joining) return Reason::kSyncJoining;
  if (!v.in_dataplane) return Reason::kNotInDataplane;
  if (v.serving_backends < v.min_healthy) return Reason::kTooFewBackends;
  return Reason::kServing;
}

std::vector<Change> Announcer::update(const Inputs& in) {
  const uint64_t now = clock_.now_us();
  std::vector<Change> withdrawals, announcements;
  std::vector<VipStatus> next;
  next.reserve(in.vips.size());
  for (const VipInput& v : in.vips) {
    VipStatus s;
    s.name = v.name;
    s.address = v.address;
    s.since_us = now;
    const VipStatus* before = find(v.name);
    // The same name on another address is another route: the old one goes.
    if (before && before->address != v.address) {
      if (before->announced)
        withdrawals.push_back(
            {Change::Kind::kWithdraw, before->name, before->address, before->med});
      before = nullptr;
    }
    s.reason = decide(in, v);
    s.announced = s.reason == Reason::kServing;
    s.med = v.med;
    const bool was = before && before->announced;
    if (before && was == s.announced) s.since_us = before->since_us;
    if (s.announced && (!was || before->med != v.med))
      announcements.push_back({Change::Kind::kAnnounce, v.name, v.address, v.med});
    if (!s.announced && was)
      withdrawals.push_back({Change::Kind::kWithdraw, v.name, v.address, before->med});
    next.push_back(std::move(s));
  }
  for (const VipStatus& old : vips_) {
    bool kept = false;
    for (const VipInput& v : in.vips) kept |= v.name == old.name;
    if (!kept && old.announced)
      withdrawals.push_back({Change::Kind::kWithdraw, old.name, old.address, old.med});
  }
  vips_ = std::move(next);
  withdrawals.insert(withdrawals.end(), announcements.begin(), announcements.end());
  return withdrawals;
}

bool Announcer::set_mode(NodeMode mode) {
  if (mode_ == NodeMode::kStopping) return mode == NodeMode::kStopping;
  if (mode == mode_) return true;
  // From kMaint to kStopping the drain already running counts.
  if (!(mode_ == NodeMode::kMaint && mode == NodeMode::kStopping)) mode_since_us_ = clock_.now_us();
  mode_ = mode;
  return true;
}

bool Announcer::drained() const {
  if (mode_ == NodeMode::kReady) return false;
  for (const VipStatus& s : vips_)
    if (s.announced) return false;
  return clock_.now_us() - mode_since_us_ >= drain_us_;
}

const VipStatus* Announcer::find(std::string_view name) const {
  for (const VipStatus& s : vips_)
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace sluice::announce
