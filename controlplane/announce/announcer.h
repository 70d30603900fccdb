// SPDX-License-Identifier: BSD-3-Clause
// Which VIPs this node announces to its routers, and why (docs/bgp.md). Pure: the daemon
// feeds it what it knows on every loop turn (update) and carries out the route changes it
// returns; nothing here does I/O. Times come from the Clock given at construction. Main
// loop only.
//
// A VIP is announced while all hold: the dataplane is up and runs the VIP (active), the
// health checks have settled, the dataplane is not waiting for its peers' flows (bulk sync
// on join, docs/flow-sync.md), at least min_healthy backends serve, the node is in mode
// kReady, and the VIP is not pinned off (config or operator). Otherwise it is withdrawn
// in the same update. Leaving kReady (maintenance, or stopping) withdraws every VIP at
// once; the node counts as drained drain_us after that, while the dataplane keeps
// forwarding what the routers still send.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "health/clock.h"
#include "net/ip_address.h"

namespace sluice::announce {

enum class NodeMode : uint8_t {
  kReady,     // announce what can be served
  kMaint,     // operator: withdraw everything, keep running
  kStopping,  // SIGTERM: withdraw everything, then exit once drained
};
std::string_view to_string(NodeMode m);  // "ready", "maint", "stopping"

// Why a VIP is (not) announced; the first failing rule in this order wins.
enum class Reason : uint8_t {
  kServing,         // announced
  kNodeMaint,       // node in maintenance
  kNodeStopping,    // sluiced stopping
  kPinnedConfig,    // [vip.bgp] announce = false
  kPinnedOperator,  // set vip V announce off
  kDataplaneDown,   // no dataplane connection
  kChecksSettling,  // health checks not settled since the start
  kSyncJoining,     // the dataplane waits for its peers' flows ([sync] join_wait)
  kNotInDataplane,  // the dataplane does not run the VIP (yet), or it is inactive (VRRP)
  kTooFewBackends,  // fewer than min_healthy serving backends
};
std::string_view to_string(Reason r);  // one short phrase for `show bgp`

// What the daemon knows about one VIP this turn.
struct VipInput {
  std::string name;
  IpAddress address;
  uint32_t serving_backends = 0;
  uint32_t min_healthy = 1;
  bool pinned_by_config = false;
  bool pinned_by_operator = false;
  bool in_dataplane = false;  // the dataplane runs it, active
  uint32_t med = 0;
};

struct Inputs {
  bool dataplane_up = false;
  bool checks_settled = false;
  bool sync_joining = false;
  std::vector<VipInput> vips;
};

struct VipStatus {
  std::string name;
  IpAddress address;
  bool announced = false;
  Reason reason = Reason::kDataplaneDown;
  uint64_t since_us = 0;  // when `announced` last changed (or the VIP appeared)
  uint32_t med = 0;
};

// A route to install (announce) or remove (withdraw). An announced VIP whose MED changes
// is announced again with the new one.
struct Change {
  enum class Kind : uint8_t { kAnnounce, kWithdraw };
  Kind kind;
  std::string name;
  IpAddress address;
  uint32_t med = 0;
  friend bool operator==(const Change&, const Change&) = default;
};

class Announcer {
 public:
  Announcer(const health::Clock& clock, uint64_t drain_us)
      : clock_(clock), drain_us_(drain_us), mode_since_us_(clock.now_us()) {}

  // Decides every VIP of `in` afresh; VIPs no longer in `in` are withdrawn if announced.
  // Returns the route changes, withdrawals first.
  std::vector<Change> update(const Inputs& in);

  // Takes effect at the next update(). Leaving kReady starts the drain clock; kStopping is
  // final (setting another mode then is ignored and returns false).
  bool set_mode(NodeMode mode);
  NodeMode mode() const { return mode_; }
  uint64_t mode_since_us() const { return mode_since_us_; }
  // Not kReady, every VIP withdrawn, and drain_us passed since the mode was left.
  bool drained() const;

  const std::vector<VipStatus>& vips() const { return vips_; }
  const VipStatus* find(std::string_view name) const;

 private:
  Reason decide(const Inputs& in, const VipInput& v) const;

  const health::Clock& clock_;
  uint64_t drain_us_;
  NodeMode mode_ = NodeMode::kReady;
  uint64_t mode_since_us_;
  std::vector<VipStatus> vips_;  // in the order of the last update's input
};

}  // namespace sluice::announce
