// SPDX-License-Identifier: BSD-3-Clause
#include "api/format.h"

#include <algorithm>
#include <optional>

#include "api/json_writer.h"
#include "api/text.h"

namespace sluice::api {
namespace {

std::string cell(std::string_view s) {
  if (s.empty()) return "-";
  std::string out(s);
  for (char& c : out) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = '?';
  }
  return out;
}

std::string num(uint64_t v) { return std::to_string(v); }

std::string opt_num(const std::optional<uint64_t>& v) { return v ? num(*v) : "-"; }

std::string port_text(uint16_t port) { return port == 0 ? "*" : num(port); }

constexpr uint64_t kMillion = 1'000'000;

// part / whole as a percentage with one decimal, rounded down: "12.5%"; "-" when whole is 0.
std::string percent(uint64_t part, uint64_t whole) {
  if (whole == 0) return "-";
  const uint64_t tenths = uint64_t((unsigned __int128)part * 1000 / whole);
  return num(tenths / 10) + "." + num(tenths % 10) + "%";
}

void opt_value(JsonWriter& w, const std::optional<uint64_t>& v) {
  if (v)
    w.value(*v);
  else
    w.null();
}

std::string json_line(const JsonWriter& w) { return w.str() + "\n"; }

size_t serving_count(const VipView& v) {
  return static_cast<size_t>(
      std::count_if(v.backends.begin(), v.backends.end(),
                    [](const BackendView& b) { return b.effective == Effective::kServing; }));
}

}  // namespace

std::string_view to_string(Health h) {
  switch (h) {
    case Health::kUp:
      return "UP";
    case Health::kDown:
      return "DOWN";
    case Health::kUnchecked:
      break;
  }
  return "unchecked";
}

std::string_view to_string(Effective e) {
  switch (e) {
    case Effective::kServing:
      return "serving";
    case Effective::kDraining:
      return "draining";
    case Effective::kOut:
      break;
  }
  return "out";
}

Table::Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }

void Table::add(std::vector<std::string> row) {
  row.resize(rows_.front().size());
  for (std::string& c : row) c = cell(c);
  rows_.push_back(std::move(row));
}

std::string Table::render() const { return render_from(0); }

std::string Table::render_rows() const { return render_from(1); }

std::string Table::render_from(size_t first) const {
  size_t columns = rows_.front().size();
  std::vector<size_t> width(columns, 0);
  for (size_t r = first; r < rows_.size(); ++r)
    for (size_t i = 0; i < columns; ++i) width[i] = std::max(width[i], rows_[r][i].size());
  std::string out;
  for (size_t r = first; r < rows_.size(); ++r) {
    const auto& row = rows_[r];
    for (size_t i = 0; i < columns; ++i) {
      out += row[i];
      if (i + 1 < columns) out.append(width[i] - row[i].size() + 2, ' ');
    }
    out += '\n';
  }
  return out;
}

std::string format_info(const InfoView& info, bool json) {
  if (json) {
    JsonWriter w;
    w.begin_object();
    w.key("version").value(info.version);
    w.key("pid").value(info.pid);
    w.key("uptime_s").value(info.uptime_s);
    w.key("config_path").value(info.config_path);
    w.key("config_generation").value(info.config_generation);
    w.key("last_reload").value(info.last_reload_ok ? "ok" : "refused");
    w.key("last_reload_unix_s").value(info.last_reload_unix_s);
    w.key("dataplane_connected").value(info.dataplane_connected);
    w.key("last_dataplane_sync_s");
    opt_value(w, info.last_dataplane_sync_s);
    w.key("dataplane_sync").value(info.dataplane_sync);
    w.key("dataplane_refusal").value(info.dataplane_refusal);
    w.end_object();
    return json_line(w);
  }
  Table t({"KEY", "VALUE"});
  t.add({"version", info.version});
  t.add({"pid", std::to_string(info.pid)});
  t.add({"uptime_s", num(info.uptime_s)});
  t.add({"config_path", info.config_path});
  t.add({"config_generation", num(info.config_generation)});
  t.add({"last_reload", std::string(info.last_reload_ok ? "ok" : "refused") + " at " +
                            std::to_string(info.last_reload_unix_s)});
  t.add({"dataplane_connected", info.dataplane_connected ? "yes" : "no"});
  t.add({"last_dataplane_sync_s", opt_num(info.last_dataplane_sync_s)});
  t.add({"dataplane_sync", info.dataplane_sync});
  if (!info.dataplane_refusal.empty())
    t.add({"dataplane_refusal", one_line(info.dataplane_refusal)});
  return t.render();
}

std::string format_vips(const std::vector<VipView>& vips, bool json) {
  if (json) {
    JsonWriter w;
    w.begin_object().key("vips").begin_array();
    for (const VipView& v : vips) {
      w.begin_object();
      w.key("name").value(v.name);
      w.key("address").value(v.address);
      w.key("protocol").value(v.protocol);
      w.key("port").value(v.port);
      w.key("mode").value(v.mode);
      w.key("backends").value(uint64_t{v.backends.size()});
      w.key("serving").value(uint64_t{serving_count(v)});
      w.key("in_dataplane");
      if (v.in_dataplane)
        w.value(*v.in_dataplane);
      else
        w.null();
      w.key("packets").value(v.packets);
      w.key("bytes").value(v.bytes);
      w.key("new_flows").value(v.new_flows);
      w.end_object();
    }
    w.end_array().end_object();
    return json_line(w);
  }
  Table t({"NAME", "ADDRESS", "PROTO", "PORT", "MODE", "BACKENDS", "SERVING", "IN_DATAPLANE",
           "PACKETS", "BYTES", "NEW_FLOWS"});
  for (const VipView& v : vips)
    t.add({v.name, v.address, v.protocol, port_text(v.port), v.mode, num(v.backends.size()),
           num(serving_count(v)), v.in_dataplane ? (*v.in_dataplane ? "yes" : "no") : "-",
           num(v.packets), num(v.bytes), num(v.new_flows)});
  return t.render();
}

std::string format_backends(const std::vector<VipView>& vips, bool json) {
  if (json) {
    JsonWriter w;
    w.begin_object().key("backends").begin_array();
    for (const VipView& v : vips) {
      for (const BackendView& b : v.backends) {
        w.begin_object();
        w.key("vip").value(v.name);
        w.key("address").value(b.address);
        w.key("weight").value(b.weight);
        w.key("admin_state").value(config::to_string(b.admin_state));
        w.key("admin_weight").value(b.admin_weight);
        w.key("health").value(to_string(b.health));
        w.key("health_reason").value(b.health_reason);
        w.key("last_change_s");
        opt_value(w, b.last_change_s);
        w.key("effective").value(to_string(b.effective));
        w.key("packets").value(b.packets);
        w.key("bytes").value(b.bytes);
        w.key("new_flows").value(b.new_flows);
        w.end_object();
      }
    }
    w.end_array().end_object();
    return json_line(w);
  }
  Table t({"VIP", "BACKEND", "WEIGHT", "ADMIN", "ADMIN_WEIGHT", "HEALTH", "EFFECTIVE", "PACKETS",
           "BYTES", "NEW_FLOWS"});
  for (const VipView& v : vips)
    for (const BackendView& b : v.backends)
      t.add({v.name, b.address, num(b.weight), config::to_string(b.admin_state),
             num(b.admin_weight), std::string(to_string(b.health)),
             std::string(to_string(b.effective)), num(b.packets), num(b.bytes), num(b.new_flows)});
  return t.render();
}

std::string format_stats(const StatsView& stats, bool json) {
  if (json) {
    JsonWriter w;
    w.begin_object();
    for (const auto& [name, value] : stats.counters) w.key(name).value(value);
    if (!stats.workers.empty()) {
      w.key("workers").begin_array();
      for (size_t i = 0; i < stats.workers.size(); ++i) {
        const WorkerView& v = stats.workers[i];
        w.begin_object();
        w.key("worker").value(uint64_t{i});
        w.key("lcore").value(v.lcore);
        w.key("busy_ppm").value(v.busy_ppm);
        w.key("active_flows").value(v.active_flows);
        w.key("flow_capacity").value(v.flow_capacity);
        w.key("flow_insert_failures").value(v.flow_insert_failures);
        w.key("flow_evictions").value(v.flow_evictions);
        w.end_object();
      }
      w.end_array();
    }
    w.end_object();
    return json_line(w);
  }
  Table t({"COUNTER", "VALUE"});
  for (const auto& [name, value] : stats.counters) t.add({name, num(value)});
  if (stats.workers.empty()) return t.render();
  Table workers({"WORKER", "LCORE", "BUSY", "ACTIVE_FLOWS", "CAPACITY", "OCCUPANCY",
                 "INSERT_FAILURES", "EVICTIONS"});
  for (size_t i = 0; i < stats.workers.size(); ++i) {
    const WorkerView& v = stats.workers[i];
    workers.add({num(i), num(v.lcore), percent(v.busy_ppm, kMillion), num(v.active_flows),
                 num(v.flow_capacity), percent(v.active_flows, v.flow_capacity),
                 num(v.flow_insert_failures), num(v.flow_evictions)});
  }
  return t.render() + workers.render();
}

std::string format_sync(const StatsView& stats, bool json) {
  constexpr std::string_view kPrefix = "sync_";
  StatsView sync;
  for (const auto& [name, value] : stats.counters)
    if (name.starts_with(kPrefix)) sync.counters.emplace_back(name.substr(kPrefix.size()), value);
  if (sync.counters.empty())
    return json ? "{\"enabled\":false}\n"
                : "Flow sync not enabled (or no dataplane counters yet)\n";
  return format_stats(sync, json);
}

std::string format_health(const std::vector<HealthView>& health, bool json) {
  if (json) {
    JsonWriter w;
    w.begin_object().key("health").begin_array();
    for (const HealthView& h : health) {
      w.begin_object();
      w.key("vip").value(h.vip);
      w.key("backend").value(h.backend);
      w.key("check").value(h.check);
      w.key("status").value(to_string(h.status));
      w.key("reason").value(h.reason);
      w.key("last_change_s");
      opt_value(w, h.last_change_s);
      w.end_object();
    }
    w.end_array().end_object();
    return json_line(w);
  }
  Table t({"VIP", "BACKEND", "CHECK", "STATUS", "SINCE_S", "REASON"});
  for (const HealthView& h : health)
    t.add({h.vip, h.backend, h.check, std::string(to_string(h.status)), opt_num(h.last_change_s),
           h.reason});
  return t.render();
}

std::string session_info(const BgpSessionView& s) {
  if (s.session.empty()) return s.last_error;
  if (s.last_error.empty()) return s.session;
  return s.session + " (" + s.last_error + ")";
}

namespace {

void bird_json(JsonWriter& w, const BirdView& bird) {
  if (bird.socket.empty()) {
    w.null();
    return;
  }
  w.begin_object();
  w.key("socket").value(bird.socket);
  w.key("reachable").value(bird.reachable);
  w.key("error").value(bird.error);
  w.key("version").value(bird.version);
  w.key("answer_age_s");
  opt_value(w, bird.answer_age_s);
  w.key("sessions").begin_array();
  for (const BgpSessionView& s : bird.sessions) {
    w.begin_object();
    w.key("name").value(s.name);
    w.key("proto").value(s.proto);
    w.key("state").value(s.state);
    w.key("up").value(s.state == "up");
    w.key("since").value(s.since);
    w.key("session").value(s.session);
    w.key("last_error").value(s.last_error);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

// The daemon's line, then one line per session: "session router1  BGP  up  since ...".
std::string bird_text(const BirdView& bird) {
  if (bird.socket.empty()) return {};
  std::string out = bird.reachable ? "bird " + cell(bird.version) + " at " + cell(bird.socket)
                                   : "bird: not reachable at " + cell(bird.socket) + " (" +
                                         cell(bird.error) + ")";
  Table t({"session", "PROTO", "STATE", "SINCE", "INFO"});
  for (const BgpSessionView& s : bird.sessions)
    t.add({"session " + s.name, s.proto, s.state, s.since.empty() ? "" : "since " + s.since,
           session_info(s)});
  return out + "\n" + (bird.sessions.empty() ? "" : t.render_rows());
}

void policy_json(JsonWriter& w, const BirdPolicyView& p) {
  if (p.path.empty()) {
    w.null();
    return;
  }
  w.begin_object();
  w.key("path").value(p.path);
  w.key("vips").value(uint64_t(p.vips));
  w.key("error").value(p.error);
  w.key("bird").value(p.bird);
  w.key("bird_answer").value(p.bird_answer);
  w.end_object();
}

// "policy PATH: 2 VIPs with local_pref or communities; bird accepted it (0003 Reconfigured)"
std::string policy_text(const BirdPolicyView& p) {
  if (p.path.empty()) return {};
  if (!p.error.empty()) return "policy: not written: " + cell(p.error) + "\n";
  std::string out = "policy " + cell(p.path) + ": " + num(p.vips) + " VIP" +
                    (p.vips == 1 ? "" : "s") + " with local_pref or communities";
  if (p.bird == "pending") out += "; bird asked to reconfigure, no answer yet";
  if (p.bird == "accepted") out += "; bird accepted it (" + cell(p.bird_answer) + ")";
  if (p.bird == "refused")
    out += "; bird refused it and keeps its previous configuration (" + cell(p.bird_answer) + ")";
  return out + "\n";
}

}  // namespace

std::string format_bgp(const BgpView& b, bool json) {
  if (json) {
    JsonWriter w;
    w.begin_object().key("enabled").value(b.enabled);
    if (b.enabled) {
      w.key("table").value(uint64_t(b.table));
      w.key("protocol").value(uint64_t(b.protocol));
      w.key("node").value(b.node);
      w.key("node_since_s").value(b.node_since_s);
      w.key("drained").value(b.drained);
      w.key("drain_time_ms").value(b.drain_time_ms);
      w.key("error").value(b.error);
      w.key("bird");
      bird_json(w, b.bird);
      w.key("policy");
      policy_json(w, b.policy);
      w.key("vips").begin_array();
      for (const BgpVipView& v : b.vips) {
        w.begin_object();
        w.key("name").value(v.name);
        w.key("address").value(v.address);
        w.key("announced").value(v.announced);
        w.key("reason").value(v.reason);
        w.key("since_s").value(v.since_s);
        w.key("serving_backends").value(uint64_t(v.serving_backends));
        w.key("min_healthy").value(uint64_t(v.min_healthy));
        w.key("med").value(uint64_t(v.med));
        w.key("pinned").value(v.pinned);
        w.key("route_error").value(v.route_error);
        w.end_object();
      }
      w.end_array();
    }
    w.end_object();
    return json_line(w);
  }
  if (!b.enabled) return "BGP announcement not enabled\n";
  std::string out = "node " + b.node + " for " + num(b.node_since_s) + " s" +
                    (b.node == "ready" ? ""
                     : b.drained       ? ", drained"
                                       : ", draining") +
                    "; routes in table " + num(b.table) + ", protocol " + num(b.protocol) + "\n";
  if (!b.error.empty()) out += "error: " + cell(b.error) + "\n";
  out += bird_text(b.bird);
  out += policy_text(b.policy);
  Table t({"VIP", "ADDRESS", "STATE", "SINCE_S", "SERVING", "MED", "REASON"});
  std::string errors;
  for (const BgpVipView& v : b.vips) {
    t.add({v.name, v.address, v.announced ? "announced" : "withdrawn", num(v.since_s),
           num(v.serving_backends) + "/" + num(v.min_healthy), num(v.med), v.reason});
    if (!v.route_error.empty())
      errors += "route error " + v.name + ": " + cell(v.route_error) + "\n";
  }
  return out + t.render() + errors;
}

std::string format_floods(const std::vector<FloodView>& floods, bool json) {
  if (json) {
    JsonWriter w;
    w.begin_object().key("floods").begin_array();
    for (const FloodView& f : floods) {
      w.begin_object();
      w.key("name").value(f.name);
      w.key("address").value(f.address);
      w.key("protocol").value(f.protocol);
      w.key("port").value(uint64_t(f.port));
      w.key("new_flows_per_s");
      opt_value(w, f.new_flows_per_s);
      w.key("syns_not_admitted_per_s");
      opt_value(w, f.syns_not_admitted_per_s);
      w.key("syns_not_admitted").value(f.syns_not_admitted);
      w.key("under_flood").value(f.under_flood);
      w.key("flood_for_s");
      opt_value(w, f.flood_for_s);
      w.key("last_flood_s");
      opt_value(w, f.last_flood_s);
      w.end_object();
    }
    w.end_array().end_object();
    return json_line(w);
  }
  Table t({"VIP", "ADDRESS", "PROTO", "PORT", "NEW_FLOWS_S", "NOT_ADMITTED_S", "FLOOD", "FOR_S",
           "LAST_S"});
  for (const FloodView& f : floods)
    t.add({f.name, f.address, f.protocol, port_text(f.port), opt_num(f.new_flows_per_s),
           opt_num(f.syns_not_admitted_per_s), f.under_flood ? "yes" : "no", opt_num(f.flood_for_s),
           opt_num(f.last_flood_s)});
  return t.render();
}

std::string format_ha(const std::vector<HaView>& instances, bool json) {
  if (instances.empty()) {
    if (json) return "{\"configured\":false}\n";
    return "no HA instance configured\n";
  }
  if (json) {
    JsonWriter w;
    w.begin_object().key("configured").value(true).key("instances").begin_array();
    for (const HaView& h : instances) {
      w.begin_object();
      w.key("name").value(h.name);
      w.key("interface").value(h.interface);
      w.key("vrid").value(uint64_t(h.vrid));
      w.key("state").value(h.state);
      w.key("priority").value(uint64_t(h.priority));
      w.key("configured_priority").value(uint64_t(h.configured_priority));
      w.key("master").value(h.master);
      w.key("advert_interval_cs").value(uint64_t(h.advert_interval_cs));
      w.key("master_adver_interval_cs").value(uint64_t(h.master_adver_interval_cs));
      w.key("skew_ms").value(h.skew_ms);
      w.key("master_down_ms").value(h.master_down_ms);
      w.key("vips").begin_array();
      for (const std::string& v : h.vips) w.value(v);
      w.end_array();
      w.key("transitions").begin_array();
      for (const std::string& t : h.transitions) w.value(t);
      w.end_array();
      w.key("adverts_sent").value(h.adverts_sent);
      w.key("adverts_received").value(h.adverts_received);
      w.key("address_mismatches").value(h.address_mismatches);
      w.key("last_address_mismatch").value(h.last_address_mismatch);
      w.end_object();
    }
    w.end_array().end_object();
    return json_line(w);
  }
  Table t({"INSTANCE", "IFACE", "VRID", "STATE", "PRIO", "MASTER", "ADVERT_CS", "DOWN_MS", "VIPS",
           "ADDR_MISMATCH"});
  std::string history, mismatches;
  for (const HaView& h : instances) {
    std::string vips;
    for (const std::string& v : h.vips) vips += (vips.empty() ? "" : ",") + v;
    t.add({h.name, h.interface, std::to_string(h.vrid), h.state,
           std::to_string(h.priority) + "/" + std::to_string(h.configured_priority),
           h.master.empty() ? "-" : h.master, std::to_string(h.master_adver_interval_cs),
           std::to_string(h.master_down_ms), vips, std::to_string(h.address_mismatches)});
    for (const std::string& line : h.transitions) history += h.name + " " + line + "\n";
    if (!h.last_address_mismatch.empty())
      mismatches += h.name + " " + h.last_address_mismatch + "\n";
  }
  return t.render() + (history.empty() ? "" : "last transitions:\n" + history) +
         (mismatches.empty() ? "" : "last address list mismatch (RFC 5798 7.1):\n" + mismatches);
}

}  // namespace sluice::api
