// SPDX-License-Identifier: BSD-3-Clause
#include "metrics/metrics.h"

#include <array>
#include <set>
#include <utility>
#include <vector>

#include "api/format.h"

namespace sluice::metrics {
namespace {

// X(id, name, type, help, `show stats` counter read)
#define SLUICE_METRICS(X)                                                                          \
  X(kInfo, "sluice_info", kGauge, "sluiced's version (label version); always 1.", "")              \
  X(kUptime, "sluice_uptime_seconds", kGauge, "Seconds since sluiced started.", "")                \
  X(kConfigGeneration, "sluice_config_generation", kGauge,                                         \
    "Config generation: 1 at start, +1 per reload applied.", "")                                   \
  X(kReloadOk, "sluice_config_last_reload_successful", kGauge,                                     \
    "1 when the last reload was applied (or none was tried), 0 when it was refused and the "       \
    "previous config runs on.",                                                                    \
    "")                                                                                            \
  X(kReloadTime, "sluice_config_last_reload_timestamp_seconds", kGauge,                            \
    "When the last reload was tried (UNIX time); sluiced's start before any.", "")                 \
  X(kHealthChecks, "sluice_health_checks", kGauge,                                                 \
    "Health checks sluiced runs (backends checked the same way share one).", "health_checks")      \
  X(kCheckDuration, "sluice_health_check_duration_seconds", kHistogram,                            \
    "How long finished health checks took, by check type and result (success, failure).", "")      \
  X(kDataplaneConnected, "sluice_dataplane_connected", kGauge,                                     \
    "1 while sluiced is connected to the dataplane's control socket.", "")                         \
  X(kDataplaneSync, "sluice_dataplane_sync_state", kGauge,                                         \
    "Whether the dataplane runs sluiced's desired state: 1 for the current state (in sync, "       \
    "pending, refused, disconnected), 0 for the others.",                                          \
    "")                                                                                            \
  X(kDataplaneSyncAge, "sluice_dataplane_last_sync_age_seconds", kGauge,                           \
    "Seconds since the dataplane last acknowledged a desired state (absent before the first).",    \
    "")                                                                                            \
  X(kDataplaneApplied, "sluice_dataplane_applied_generation", kGauge,                              \
    "The dataplane's forwarding-state generation when it last applied sluiced's desired state.",   \
    "dataplane_generation")                                                                        \
  X(kDataplaneGeneration, "sluice_dataplane_generation", kGauge,                                   \
    "The dataplane's forwarding-state generation in its last counters.", "generation")             \
  X(kActiveFlows, "sluice_dataplane_active_flows", kGauge,                                         \
    "Flows in the dataplane's flow tables, all workers.", "active_flows")                          \
  X(kSyncLag, "sluice_sync_lag_seconds", kGauge,                                                   \
    "Flow sync: the age of the last batch this node accepted from a peer, by its clock.",          \
    "sync_lag_ms")                                                                                 \
  X(kSyncJoinPending, "sluice_sync_join_pending", kGauge,                                          \
    "Flow sync: 1 while the dataplane waits for its peers' flows after it started ([sync] "        \
    "join_wait), 0 otherwise.",                                                                    \
    "sync_join_pending")                                                                           \
  X(kDrops, "sluice_dataplane_drops_total", kCounter,                                              \
    "Packets the dataplane dropped, by reason (show stats: drop_<reason>).", "drop_*")             \
  X(kDataplaneCounter, "sluice_dataplane_{counter}_total", kCounter,                               \
    "The dataplane's counter {counter}, as show stats gives it.", "*")                             \
  X(kWorkerBusy, "sluice_worker_busy_ratio", kGauge,                                               \
    "Share of the worker's last second spent on loop turns that received frames (0..1), time "     \
    "asleep or waiting for RX interrupts counting as idle.",                                       \
    "")                                                                                            \
  X(kWorkerOccupancy, "sluice_worker_flow_table_occupancy", kGauge,                                \
    "The worker's active flows over its flow table's capacity (0..1); new flows begin to be "      \
    "refused or to evict others from about 0.5.",                                                  \
    "")                                                                                            \
  X(kWorkerActiveFlows, "sluice_worker_active_flows", kGauge,                                      \
    "Flows in the worker's flow table (expired ones not yet swept included).", "")                 \
  X(kWorkerCapacity, "sluice_worker_flow_table_capacity", kGauge,                                  \
    "Flows the worker's flow table has room for.", "")                                             \
  X(kWorkerInsertFailures, "sluice_worker_flow_insert_failures_total", kCounter,                   \
    "New flows the worker's full flow table refused (forwarded by Maglev alone).", "")             \
  X(kWorkerEvictions, "sluice_worker_flow_evictions_total", kCounter,                              \
    "Live half-open, UDP or other flows a new flow displaced from the worker's flow table.", "")   \
  X(kVipPackets, "sluice_vip_packets_total", kCounter,                                             \
    "Packets the dataplane received for the "                                                      \
    "VIP.",                                                                                        \
    "")                                                                                            \
  X(kVipBytes, "sluice_vip_bytes_total", kCounter, "Bytes the dataplane received for the VIP.",    \
    "")                                                                                            \
  X(kVipNewFlows, "sluice_vip_new_flows_total", kCounter, "Flows the VIP's traffic started.", "")  \
  X(kVipBackends, "sluice_vip_backends", kGauge, "Backends configured for the VIP.", "")           \
  X(kVipServing, "sluice_vip_serving_backends", kGauge,                                            \
    "Backends of the VIP that take new flows (effective state serving).", "")                      \
  X(kVipInDataplane, "sluice_vip_in_dataplane", kGauge,                                            \
    "1 when the dataplane's last counters list the VIP, 0 when they do not (absent while "         \
    "unknown).",                                                                                   \
    "")                                                                                            \
  X(kBackendPackets, "sluice_backend_packets_total", kCounter,                                     \
    "Packets the dataplane sent to the backend.", "")                                              \
  X(kBackendBytes, "sluice_backend_bytes_total", kCounter,                                         \
    "Bytes the dataplane sent to the backend.", "")                                                \
  X(kBackendNewFlows, "sluice_backend_new_flows_total", kCounter,                                  \
    "Flows the dataplane started on the backend.", "")                                             \
  X(kBackendHealth, "sluice_backend_health", kGauge,                                               \
    "The backend's health: 1 for the current state (up, down, unchecked), 0 for the others.", "")  \
  X(kBackendAdmin, "sluice_backend_admin_state", kGauge,                                           \
    "The operator's state for the backend: 1 for the current one (ready, drain, maint), 0 for "    \
    "the others.",                                                                                 \
    "")                                                                                            \
  X(kBackendEffective, "sluice_backend_effective_state", kGauge,                                   \
    "What the dataplane does with the backend: 1 for the current state (serving, draining, "       \
    "out), 0 for the others.",                                                                     \
    "")                                                                                            \
  X(kBackendWeight, "sluice_backend_weight", kGauge,                                               \
    "The backend's weight in effect (the operator's override, else the configured weight).", "")   \
  X(kBackendConfiguredWeight, "sluice_backend_configured_weight", kGauge,                          \
    "The backend's weight in the config file.", "")                                                \
  X(kVrrpState, "sluice_vrrp_state", kGauge,                                                       \
    "The VRRP instance's state: 1 for the current one (INIT, BACKUP, MASTER, FAULT), 0 for the "   \
    "others.",                                                                                     \
    "")                                                                                            \
  X(kVrrpTransitions, "sluice_vrrp_transitions_total", kCounter,                                   \
    "Transitions of the VRRP instance, by the state entered.", "")                                 \
  X(kVrrpPriority, "sluice_vrrp_priority", kGauge, "The priority the instance advertises now.",    \
    "")                                                                                            \
  X(kVrrpAdvertsSent, "sluice_vrrp_adverts_sent_total", kCounter,                                  \
    "VRRP advertisements the instance sent.", "")                                                  \
  X(kVrrpAdvertsReceived, "sluice_vrrp_adverts_received_total", kCounter,                          \
    "VRRP advertisements the instance received.", "")                                              \
  X(kVrrpAddressMismatches, "sluice_vrrp_address_mismatches_total", kCounter,                      \
    "Advertisements listing other addresses than the instance's (RFC 5798 7.1).", "")              \
  X(kBgpNode, "sluice_bgp_node_state", kGauge,                                                     \
    "The node's BGP state: 1 for the current one (ready, maint, stopping), 0 for the others.", "") \
  X(kBgpAnnounced, "sluice_bgp_vip_announced", kGauge,                                             \
    "1 while the node announces the VIP by BGP, 0 while it withdraws it.", "")                     \
  X(kBirdReachable, "sluice_bgp_bird_reachable", kGauge,                                           \
    "1 while sluiced reads the sessions on bird's control socket ([bgp] bird_socket), 0 while "    \
    "it cannot.",                                                                                  \
    "")                                                                                            \
  X(kBgpSessionUp, "sluice_bgp_session_up", kGauge,                                                \
    "1 while bird's BGP or BFD protocol is up (a BGP session established), 0 otherwise.", "")      \
  X(kBgpSessionState, "sluice_bgp_session_state", kGauge,                                          \
    "bird's state of the protocol: 1 for the current one (up, start, stop, flush, down; unknown "  \
    "while bird cannot be asked), 0 for the others.",                                              \
    "")

enum class Id : uint8_t {
#define SLUICE_X(id, name, type, help, counter) id,
  SLUICE_METRICS(SLUICE_X)
#undef SLUICE_X
};

constexpr MetricInfo kMetrics[] = {
#define SLUICE_X(id, name, type, help, counter) {name, MetricType::type, help, counter},
    SLUICE_METRICS(SLUICE_X)
#undef SLUICE_X
};

const MetricInfo& info(Id id) { return kMetrics[size_t(id)]; }

constexpr std::string_view kCounterPattern = "{counter}";
constexpr std::string_view kDropPrefix = "drop_";

std::string substitute(std::string_view text, std::string_view counter) {
  std::string out(text);
  for (size_t at = out.find(kCounterPattern); at != std::string::npos;
       at = out.find(kCounterPattern, at + counter.size()))
    out.replace(at, kCounterPattern.size(), counter);
  return out;
}

// One scrape: families are announced as they are written, each at most once.
class Writer {
 public:
  explicit Writer(PrometheusText& out) : out_(out) {}

  // Announces the family of `id` and returns its name.
  std::string_view begin(Id id) {
    const MetricInfo& m = info(id);
    out_.family(m.name, m.type, m.help);
    return m.name;
  }
  // A family of the pattern row; false when its name is already taken.
  bool begin_counter(std::string_view counter, std::string& name) {
    const MetricInfo& m = info(Id::kDataplaneCounter);
    name = substitute(m.name, metric_name_part(counter));
    if (!names_.insert(name).second) return false;
    out_.family(name, m.type, substitute(m.help, counter));
    return true;
  }
  void take_name(Id id) { names_.insert(std::string(info(id).name)); }

  PrometheusText& out() { return out_; }

 private:
  PrometheusText& out_;
  std::set<std::string, std::less<>> names_;
};

template <class T, size_t N>
void state_set(PrometheusText& out, std::string_view name, const Labels& labels,
               const std::array<T, N>& states, T current, std::string_view (*text)(T)) {
  for (T s : states) out.sample(name, labels, "state", text(s), s == current ? 1u : 0u);
}

std::string_view health_text(api::Health h) {
  switch (h) {
    case api::Health::kUp:
      return "up";
    case api::Health::kDown:
      return "down";
    case api::Health::kUnchecked:
      break;
  }
  return "unchecked";
}
std::string_view admin_text(config::BackendState s) {
  switch (s) {
    case config::BackendState::kReady:
      return "ready";
    case config::BackendState::kDrain:
      return "drain";
    case config::BackendState::kMaint:
      break;
  }
  return "maint";
}
std::string_view effective_text(api::Effective e) { return api::to_string(e); }
std::string_view as_is(std::string_view s) { return s; }

constexpr std::array kHealthStates = {api::Health::kUp, api::Health::kDown,
                                      api::Health::kUnchecked};
constexpr std::array kAdminStates = {config::BackendState::kReady, config::BackendState::kDrain,
                                     config::BackendState::kMaint};
constexpr std::array kEffectiveStates = {api::Effective::kServing, api::Effective::kDraining,
                                         api::Effective::kOut};
constexpr std::array<std::string_view, 4> kSyncStates = {"in sync", "pending", "refused",
                                                         "disconnected"};
constexpr std::array<std::string_view, 4> kVrrpStates = {"INIT", "BACKUP", "MASTER", "FAULT"};

void write_daemon(Writer& w, const api::InfoView& info) {
  PrometheusText& out = w.out();
  out.sample(w.begin(Id::kInfo), Labels("version", info.version), uint64_t{1});
  out.sample(w.begin(Id::kUptime), {}, info.uptime_s);
  out.sample(w.begin(Id::kConfigGeneration), {}, info.config_generation);
  out.sample(w.begin(Id::kReloadOk), {}, uint64_t{info.last_reload_ok ? 1u : 0u});
  out.sample(w.begin(Id::kReloadTime), {}, uint64_t(std::max<int64_t>(info.last_reload_unix_s, 0)));
  out.sample(w.begin(Id::kDataplaneConnected), {}, uint64_t{info.dataplane_connected ? 1u : 0u});
  state_set(out, w.begin(Id::kDataplaneSync), {}, kSyncStates,
            std::string_view(info.dataplane_sync), as_is);
  if (info.last_dataplane_sync_s)
    out.sample(w.begin(Id::kDataplaneSyncAge), {}, *info.last_dataplane_sync_s);
}

void write_check_durations(Writer& w, const std::vector<api::CheckDurationsView>& durations) {
  if (durations.empty()) return;
  std::string_view name = w.begin(Id::kCheckDuration);
  for (const api::CheckDurationsView& d : durations) {
    std::vector<double> bounds;
    for (uint64_t us : d.upper_bounds_us) bounds.push_back(double(us) / 1e6);
    Labels labels("type", d.type);
    labels.add("result", d.success ? "success" : "failure");
    w.out().histogram(name, labels, bounds, d.counts, double(d.sum_us) / 1e6);
  }
}

void write_stats(Writer& w, const api::StatsView& stats) {
  PrometheusText& out = w.out();
  // The rows that read one counter each, then the drops, then every other counter.
  std::vector<std::pair<std::string_view, uint64_t>> drops;
  std::vector<std::pair<std::string_view, uint64_t>> others;
  std::vector<bool> read(stats.counters.size(), false);
  for (size_t m = 0; m < std::size(kMetrics); ++m) {
    const MetricInfo& row = kMetrics[m];
    if (row.stats_counter.empty() || row.stats_counter.find('*') != std::string_view::npos)
      continue;
    for (size_t i = 0; i < stats.counters.size(); ++i) {
      if (read[i] || stats.counters[i].first != row.stats_counter) continue;
      read[i] = true;
      const uint64_t value = stats.counters[i].second;
      if (Id(m) == Id::kSyncLag)
        out.sample(w.begin(Id(m)), {}, double(value) / 1000);
      else
        out.sample(w.begin(Id(m)), {}, value);
      w.take_name(Id(m));
      break;
    }
  }
  for (size_t i = 0; i < stats.counters.size(); ++i) {
    const auto& [name, value] = stats.counters[i];
    if (read[i] || name == "dataplane_connected") continue;  // sluice_dataplane_connected
    if (name.starts_with(kDropPrefix) && name.size() > kDropPrefix.size())
      drops.emplace_back(std::string_view(name).substr(kDropPrefix.size()), value);
    else
      others.emplace_back(name, value);
  }
  if (!drops.empty()) {
    std::string_view family = w.begin(Id::kDrops);
    w.take_name(Id::kDrops);
    for (const auto& [reason, value] : drops) out.sample(family, Labels("reason", reason), value);
  }
  std::string family;
  for (const auto& [name, value] : others)
    if (w.begin_counter(name, family)) out.sample(family, {}, value);
}

void write_workers(Writer& w, const std::vector<api::WorkerView>& workers) {
  if (workers.empty()) return;
  PrometheusText& out = w.out();
  std::vector<Labels> labels;
  for (size_t i = 0; i < workers.size(); ++i)
    labels.emplace_back("worker", std::to_string(i)).add("lcore", std::to_string(workers[i].lcore));
  auto per_worker = [&](Id id, auto value) {
    std::string_view name = w.begin(id);
    for (size_t i = 0; i < workers.size(); ++i) out.sample(name, labels[i], value(workers[i]));
  };
  per_worker(Id::kWorkerBusy, [](const api::WorkerView& v) { return double(v.busy_ppm) / 1e6; });
  per_worker(Id::kWorkerOccupancy, [](const api::WorkerView& v) {
    return v.flow_capacity ? double(v.active_flows) / double(v.flow_capacity) : 0.0;
  });
  per_worker(Id::kWorkerActiveFlows, [](const api::WorkerView& v) { return v.active_flows; });
  per_worker(Id::kWorkerCapacity, [](const api::WorkerView& v) { return v.flow_capacity; });
  per_worker(Id::kWorkerInsertFailures,
             [](const api::WorkerView& v) { return v.flow_insert_failures; });
  per_worker(Id::kWorkerEvictions, [](const api::WorkerView& v) { return v.flow_evictions; });
}

void write_vips(Writer& w, const std::vector<api::VipView>& vips) {
  if (vips.empty()) return;
  PrometheusText& out = w.out();
  std::vector<Labels> vip_labels;
  vip_labels.reserve(vips.size());
  size_t backends = 0;
  for (const api::VipView& v : vips) {
    vip_labels.emplace_back("vip", v.name);
    backends += v.backends.size();
  }
  auto per_vip = [&](Id id, auto value) {
    std::string_view name = w.begin(id);
    for (size_t i = 0; i < vips.size(); ++i) out.sample(name, vip_labels[i], value(vips[i]));
  };
  per_vip(Id::kVipPackets, [](const api::VipView& v) { return v.packets; });
  per_vip(Id::kVipBytes, [](const api::VipView& v) { return v.bytes; });
  per_vip(Id::kVipNewFlows, [](const api::VipView& v) { return v.new_flows; });
  per_vip(Id::kVipBackends, [](const api::VipView& v) { return uint64_t{v.backends.size()}; });
  per_vip(Id::kVipServing, [](const api::VipView& v) {
    uint64_t n = 0;
    for (const api::BackendView& b : v.backends) n += b.effective == api::Effective::kServing;
    return n;
  });
  bool any_known = false;
  for (const api::VipView& v : vips) any_known = any_known || v.in_dataplane.has_value();
  if (any_known) {
    std::string_view name = w.begin(Id::kVipInDataplane);
    for (size_t i = 0; i < vips.size(); ++i)
      if (vips[i].in_dataplane)
        out.sample(name, vip_labels[i], uint64_t{*vips[i].in_dataplane ? 1u : 0u});
  }

  if (backends == 0) return;
  std::vector<Labels> labels;
  std::vector<const api::BackendView*> views;
  labels.reserve(backends);
  views.reserve(backends);
  for (const api::VipView& v : vips)
    for (const api::BackendView& b : v.backends) {
      labels.emplace_back("vip", v.name).add("backend", b.address);
      views.push_back(&b);
    }
  auto per_backend = [&](Id id, auto value) {
    std::string_view name = w.begin(id);
    for (size_t i = 0; i < views.size(); ++i) out.sample(name, labels[i], value(*views[i]));
  };
  per_backend(Id::kBackendPackets, [](const api::BackendView& b) { return b.packets; });
  per_backend(Id::kBackendBytes, [](const api::BackendView& b) { return b.bytes; });
  per_backend(Id::kBackendNewFlows, [](const api::BackendView& b) { return b.new_flows; });
  std::string_view name = w.begin(Id::kBackendHealth);
  for (size_t i = 0; i < views.size(); ++i)
    state_set(out, name, labels[i], kHealthStates, views[i]->health, health_text);
  name = w.begin(Id::kBackendAdmin);
  for (size_t i = 0; i < views.size(); ++i)
    state_set(out, name, labels[i], kAdminStates, views[i]->admin_state, admin_text);
  name = w.begin(Id::kBackendEffective);
  for (size_t i = 0; i < views.size(); ++i)
    state_set(out, name, labels[i], kEffectiveStates, views[i]->effective, effective_text);
  per_backend(Id::kBackendWeight,
              [](const api::BackendView& b) { return uint64_t{b.admin_weight}; });
  per_backend(Id::kBackendConfiguredWeight,
              [](const api::BackendView& b) { return uint64_t{b.weight}; });
}

void write_ha(Writer& w, const std::vector<api::HaView>& ha) {
  if (ha.empty()) return;
  PrometheusText& out = w.out();
  std::vector<Labels> labels;
  for (const api::HaView& h : ha) labels.emplace_back("vrrp_instance", h.name);
  std::string_view name = w.begin(Id::kVrrpState);
  for (size_t i = 0; i < ha.size(); ++i)
    state_set(out, name, labels[i], kVrrpStates, std::string_view(ha[i].state), as_is);
  name = w.begin(Id::kVrrpTransitions);
  for (size_t i = 0; i < ha.size(); ++i) {
    out.sample(name, labels[i], "state", "MASTER", ha[i].became_master);
    out.sample(name, labels[i], "state", "BACKUP", ha[i].became_backup);
    out.sample(name, labels[i], "state", "FAULT", ha[i].became_fault);
  }
  auto per_instance = [&](Id id, auto value) {
    std::string_view family = w.begin(id);
    for (size_t i = 0; i < ha.size(); ++i) out.sample(family, labels[i], value(ha[i]));
  };
  per_instance(Id::kVrrpPriority, [](const api::HaView& h) { return uint64_t{h.priority}; });
  per_instance(Id::kVrrpAdvertsSent, [](const api::HaView& h) { return h.adverts_sent; });
  per_instance(Id::kVrrpAdvertsReceived, [](const api::HaView& h) { return h.adverts_received; });
  per_instance(Id::kVrrpAddressMismatches,
               [](const api::HaView& h) { return h.address_mismatches; });
}

constexpr std::array<std::string_view, 3> kBgpNodeStates = {"ready", "maint", "stopping"};

constexpr std::array<std::string_view, 6> kBirdStates = {"up",    "start", "stop",
                                                         "flush", "down",  "unknown"};

void write_bird(Writer& w, const api::BirdView& bird) {
  if (bird.socket.empty()) return;
  PrometheusText& out = w.out();
  out.sample(w.begin(Id::kBirdReachable), {}, uint64_t{bird.reachable ? 1u : 0u});
  if (bird.sessions.empty()) return;
  std::vector<Labels> labels;
  for (const api::BgpSessionView& s : bird.sessions)
    labels.emplace_back("session", s.name).add("proto", s.proto);
  std::string_view name = w.begin(Id::kBgpSessionUp);
  for (size_t i = 0; i < labels.size(); ++i)
    out.sample(name, labels[i], uint64_t{bird.sessions[i].state == "up" ? 1u : 0u});
  name = w.begin(Id::kBgpSessionState);
  for (size_t i = 0; i < labels.size(); ++i)
    state_set(out, name, labels[i], kBirdStates, std::string_view(bird.sessions[i].state), as_is);
}

void write_bgp(Writer& w, const api::BgpView& bgp) {
  if (!bgp.enabled) return;
  PrometheusText& out = w.out();
  state_set(out, w.begin(Id::kBgpNode), {}, kBgpNodeStates, std::string_view(bgp.node), as_is);
  write_bird(w, bgp.bird);
  if (bgp.vips.empty()) return;
  std::string_view name = w.begin(Id::kBgpAnnounced);
  for (const api::BgpVipView& v : bgp.vips)
    out.sample(name, Labels("vip", v.name), uint64_t{v.announced ? 1u : 0u});
}

}  // namespace

std::span<const MetricInfo> metric_table() { return kMetrics; }

std::string render_metrics(const api::Model& model) {
  const std::vector<api::VipView> vips = model.vips();
  size_t backends = 0;
  for (const api::VipView& v : vips) backends += v.backends.size();
  PrometheusText text;
  // About 1 KiB per backend and 400 bytes per VIP at typical name lengths: one allocation.
  text.reserve(8192 + vips.size() * 400 + backends * 1100);
  Writer w(text);
  write_daemon(w, model.info());
  write_check_durations(w, model.check_durations());
  const api::StatsView stats = model.stats();
  write_stats(w, stats);
  write_workers(w, stats.workers);
  write_vips(w, vips);
  write_ha(w, model.ha());
  write_bgp(w, model.bgp());
  return text.take();
}

}  // namespace sluice::metrics
