// SPDX-License-Identifier: BSD-3-Clause
// What the runtime API needs from the daemon: a small read/modify interface over plain
// value views (and the dataplane's own answers, channel/trace.h and channel/conns.h). sluiced
// implements Model; tests use a fake. The API calls a Model only from the thread that runs the
// Server (the daemon's main loop), one call at a time, so an implementation needs no locking of its
// own on that account.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "channel/conns.h"
#include "channel/trace.h"
#include "config/config.h"

namespace sluice::api {

// Health is kept apart from the admin state everywhere: a backend can be UP and in maint,
// or DOWN and ready.
enum class Health : uint8_t {
  kUnchecked,  // no check configured, or no result yet; shown as such, never as UP
  kUp,
  kDown,
};

// What the dataplane does with the backend, from admin state, weight and health.
enum class Effective : uint8_t {
  kServing,   // takes new flows
  kDraining,  // keeps existing flows, takes no new ones (drain, weight 0)
  kOut,       // no traffic (maint, or DOWN)
};

struct BackendView {
  std::string address;  // canonical text, as IpAddress::to_string()
  uint16_t weight = 1;  // as configured
  config::BackendState admin_state = config::BackendState::kReady;  // config or CLI
  uint16_t admin_weight = 1;  // effective weight: the CLI override or `weight`
  Health health = Health::kUnchecked;
  std::string health_reason;              // last check's explanation; may be empty
  std::optional<uint64_t> last_change_s;  // seconds since health last changed
  Effective effective = Effective::kServing;
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t new_flows = 0;
};

struct VipView {
  std::string name;
  std::string address;   // canonical text
  std::string protocol;  // "tcp", "udp"
  uint16_t port = 0;     // 0 = every port
  std::string mode;      // "dsr-l2", "ipip", "gue", "nat", "fullnat"
  std::vector<BackendView> backends;
  // Whether the dataplane has the VIP in its running state (its last counters list it);
  // nullopt while that is not known (no dataplane, no counters yet).
  std::optional<bool> in_dataplane;
  // The VIP's traffic in the dataplane's last counters (0 while none came).
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t new_flows = 0;
};

// One VIP's new-flow rates and whether it is under a SYN flood: the dataplane's workers
// did not insert some of its new SYN-only flows (over their syn_admission_limit) since the
// previous counters, about a second earlier.
struct FloodView {
  std::string name;
  std::string address;   // canonical text
  std::string protocol;  // "tcp", "udp"
  uint16_t port = 0;     // 0 = every port
  // Per second between the dataplane's last two counter samples; nullopt while unknown
  // (no counters, or the VIP not in them).
  std::optional<uint64_t> new_flows_per_s;
  std::optional<uint64_t> syns_not_admitted_per_s;
  uint64_t syns_not_admitted = 0;  // since the dataplane started
  bool under_flood = false;
  std::optional<uint64_t> flood_for_s;   // while under flood: since when
  std::optional<uint64_t> last_flood_s;  // since SYNs were last not admitted; nullopt: never
};

struct HealthView {
  std::string vip;
  std::string backend;
  std::string check;  // e.g. "tcp", "http GET /health"; "" = none
  Health status = Health::kUnchecked;
  std::string reason;
  std::optional<uint64_t> last_change_s;  // seconds since status last changed
};

// One worker lcore of the dataplane, from its last counters (channel/stats.h WorkerStats).
struct WorkerView {
  uint32_t lcore = 0;
  // Share of the worker's last second spent on loop turns that received frames, in parts
  // per million (pipeline/loop_clock.h); the same whether it busy-polls, sleeps or waits
  // for RX interrupts when idle.
  uint32_t busy_ppm = 0;
  uint64_t active_flows = 0;
  uint64_t flow_capacity = 0;
  uint64_t flow_insert_failures = 0;  // new flows its full table refused
  uint64_t flow_evictions = 0;        // live half-open/UDP/other flows a new one displaced
};

struct StatsView {
  // Counter name (snake_case, no spaces) and value, in the order to show them; includes
  // the dataplane's drops by reason.
  std::vector<std::pair<std::string, uint64_t>> counters;
  std::vector<WorkerView> workers;  // by worker index; empty without dataplane counters
};

struct InfoView {
  std::string version;
  int64_t pid = 0;
  uint64_t uptime_s = 0;
  std::string config_path;
  uint64_t config_generation = 0;  // +1 per successful load or reload
  bool dataplane_connected = false;
  std::optional<uint64_t> last_dataplane_sync_s;  // seconds since the last snapshot was acked
  // "in sync", "pending" (sent, not acknowledged yet), "refused" (the dataplane keeps its
  // previous state; dataplane_refusal says why) or "disconnected".
  std::string dataplane_sync = "disconnected";
  std::string dataplane_refusal;
  // The last reload (SIGHUP or the API): applied, or refused with the running config kept;
  // true until one is tried. When it was tried (UNIX time), or the start before any.
  bool last_reload_ok = true;
  int64_t last_reload_unix_s = 0;
};

// One VRRP instance of sluiced.
struct HaView {
  std::string name;
  std::string interface;
  uint32_t vrid = 0;
  std::string state;      // "INIT", "BACKUP", "MASTER", "FAULT"
  uint32_t priority = 0;  // advertised now
  uint32_t configured_priority = 0;
  std::string master;  // the current master's address; "" when unknown
  uint32_t advert_interval_cs = 0;
  uint32_t master_adver_interval_cs = 0;  // learnt from the master
  uint64_t skew_ms = 0;
  uint64_t master_down_ms = 0;
  std::vector<std::string> vips;
  std::vector<std::string> transitions;  // "UNIX-TIME text", oldest first
  uint64_t adverts_sent = 0;
  uint64_t adverts_received = 0;
  // Adverts whose address list differed from this instance's (RFC 5798 7.1), and the last
  // one: "from 10.0.0.12: 10.0.0.100 10.0.0.101 (ours: 10.0.0.100)"; "" when none.
  uint64_t address_mismatches = 0;
  std::string last_address_mismatch;
  // Transitions since the instance started, by the state entered.
  uint64_t became_master = 0;
  uint64_t became_backup = 0;
  uint64_t became_fault = 0;
};

// How long finished health checks of one type took, successes and failures apart, in
// fixed buckets; since sluiced started.
struct CheckDurationsView {
  std::string type;  // "tcp", "http", "udp"
  bool success = true;
  std::vector<uint64_t> upper_bounds_us;  // ascending; a last bucket without bound follows
  std::vector<uint64_t> counts;           // per bucket, not cumulative: upper_bounds_us + 1
  uint64_t sum_us = 0;
};

// One VIP's BGP announcement (docs/bgp.md).
struct BgpVipView {
  std::string name;
  std::string address;
  bool announced = false;
  std::string reason;    // why (not): "serving", "too few serving backends", ...
  uint64_t since_s = 0;  // seconds since `announced` last changed
  uint32_t serving_backends = 0;
  uint32_t min_healthy = 1;
  uint32_t med = 0;
  bool pinned = false;      // by the operator (set vip V announce off)
  std::string route_error;  // the kernel refused the last route change; "" = none
};

// One BGP or BFD protocol of the routing daemon, as its control socket last said.
struct BgpSessionView {
  std::string name{};   // the protocol's name in bird's config: "router1"
  std::string proto{};  // "BGP", "BFD"
  // bird's: "up" (a BGP session established), "start", "stop", "flush", "down";
  // "unknown" while bird cannot be asked.
  std::string state{};
  std::string since{};       // when `state` last changed, as bird wrote it; "" when unknown
  std::string session{};     // BGP: "Established", "Active", "Connect", "Idle", ...
  std::string last_error{};  // BGP: "Socket: Connection refused", "Error: BFD session down"
};

// What sluiced reads from the routing daemon's control socket ([bgp] bird_socket).
struct BirdView {
  std::string socket;  // "": not read
  bool reachable = false;
  std::string error;    // why not reachable: "connect: No such file or directory", ...
  std::string version;  // from bird's greeting: "2.0.12"
  std::optional<uint64_t> answer_age_s;  // since bird's last answer; nullopt before the first
  std::vector<BgpSessionView> sessions;  // in bird's order
};

// [bgp] bird_policy: the file of local_prefs and communities sluiced writes for bird, and
// what bird said when asked to read it.
struct BirdPolicyView {
  std::string path;   // "": not written
  size_t vips = 0;    // VIPs with a local_pref or communities in it
  std::string error;  // the file could not be written; "" = none
  // bird asked to reconfigure after sluiced changed the file: "" (not asked: the file was
  // already so, or no bird_socket), "pending" (bird not answered yet), "accepted", "refused".
  std::string bird;
  std::string bird_answer;  // bird's last line: "0003 Reconfigured", "8002 FILE:3:20 ..."
};

struct BgpView {
  bool enabled = false;
  uint32_t table = 0;
  uint32_t protocol = 0;
  std::string node;  // "ready", "maint", "stopping"
  uint64_t node_since_s = 0;
  bool drained = false;  // not ready, everything withdrawn, drain_time passed
  uint64_t drain_time_ms = 0;
  std::string error;  // the route table cannot be used; "" = none
  BirdView bird;
  BirdPolicyView policy;
  std::vector<BgpVipView> vips;
};

struct ReloadResult {
  bool ok = false;
  std::string summary;               // one line, e.g. "generation 4: 2 VIPs, 5 backends"
  std::vector<std::string> details;  // further lines, e.g. file:line:column errors
};

class Model {
 public:
  virtual ~Model() = default;

  virtual InfoView info() const = 0;
  virtual std::vector<VipView> vips() const = 0;  // config order
  virtual StatsView stats() const = 0;
  virtual std::vector<HealthView> health() const = 0;
  virtual std::vector<HaView> ha() const { return {}; }
  virtual std::vector<CheckDurationsView> check_durations() const { return {}; }
  virtual BgpView bgp() const { return {}; }
  virtual std::vector<FloodView> floods() const { return {}; }  // config order

  // `backend` is canonical address text. nullopt on success, else one line saying what is
  // wrong (e.g. "no VIP named 'x'"); the API prefixes it with "Error: ". On success the
  // implementation persists the change (AdminStateStore) and pushes a new snapshot.
  virtual std::optional<std::string> set_backend_state(const std::string& vip,
                                                       const std::string& backend,
                                                       config::BackendState state) = 0;
  virtual std::optional<std::string> set_backend_weight(const std::string& vip,
                                                        const std::string& backend,
                                                        uint16_t weight) = 0;

  // BGP announcement ([bgp] enabled): the node in maintenance (withdraw every VIP) or
  // ready; one VIP pinned off or back to automatic. Persisted; same contract as above.
  virtual std::optional<std::string> set_node_maint(bool maint) {
    (void)maint;
    return "BGP is not enabled ([bgp] enable = true)";
  }
  virtual std::optional<std::string> set_vip_announce(const std::string& vip, bool on) {
    (void)vip;
    (void)on;
    return "BGP is not enabled ([bgp] enable = true)";
  }

  // Re-reads the config file; the running config stays when the new one is rejected.
  virtual ReloadResult reload() = 0;

  // Questions only the dataplane can answer: what it would do with a packet (trace), and
  // a sample of a VIP's flows (show conns). The answer comes through `done`, called
  // exactly once from the loop's thread, perhaps before the call returns; a result with
  // `error` set says why there is none.
  using TraceDone = std::function<void(const channel::TraceResult&)>;
  using ConnsDone = std::function<void(const channel::ConnsResult&)>;
  virtual void trace(const channel::TraceRequest& request, TraceDone done) {
    (void)request;
    channel::TraceResult none;
    none.error = "no dataplane to ask";
    done(none);
  }
  virtual void conns(const channel::ConnsRequest& request, ConnsDone done) {
    (void)request;
    channel::ConnsResult none;
    none.error = "no dataplane to ask";
    done(none);
  }
};

}  // namespace sluice::api
