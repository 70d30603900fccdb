// SPDX-License-Identifier: BSD-3-Clause
#include "api/flow_format.h"

#include <algorithm>
#include <cstdio>

#include "api/format.h"
#include "api/json_writer.h"
#include "api/text.h"
#include "channel/fields.h"
#include "net/wire.h"

namespace sluice::api {
namespace {

using channel::TraceFlow;

std::string endpoint(const IpAddress& address, uint16_t port) {
  std::string a = address.to_string();
  return (address.is_v4() ? a : "[" + a + "]") + ":" + std::to_string(port);
}

std::string flow_text(const TraceFlow& f) {
  const std::string protocol = channel::protocol_name(f.protocol);
  if (f.source_port == 0 && f.destination_port == 0)
    return protocol + " " + f.source.to_string() + " -> " + f.destination.to_string();
  return protocol + " " + endpoint(f.source, f.source_port) + " -> " +
         endpoint(f.destination, f.destination_port);
}

std::string seconds(uint32_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%u.%u s", ms / 1000, ms % 1000 / 100);
  return buf;
}

std::string worker_text(const channel::TraceResult& r) {
  std::string out = std::to_string(*r.worker) + " on lcore " + std::to_string(r.lcore);
  if (r.worker_by == "only-worker") return out + " (the only worker polling " + r.port + ")";
  if (r.worker_by == "handoff") return out + " (its flow hash names it: flow handoff)";
  if (r.worker_by == "rss") return out + " (its table holds the flow: the device's RSS)";
  return out;
}

std::string entry_text(const channel::TraceResult& r) {
  return r.entry_backend + ", " + r.entry_state + ", idle " + seconds(r.entry_idle_ms);
}

std::string flow_table_text(const channel::TraceResult& r) {
  if (r.flow_table == "hit") return "hit: " + entry_text(r);
  if (r.flow_table == "expired") return "miss: its entry expired (" + entry_text(r) + ")";
  if (r.flow_table == "miss") return "miss: a new flow";
  if (r.flow_table == "full") return "miss, and no room in its bucket: Maglev alone places it";
  if (r.flow_table == "miss-everywhere")
    return "miss on every worker (the device's RSS picks one): a new flow";
  return r.flow_table;
}

void flow_value(JsonWriter& w, const std::optional<TraceFlow>& f) {
  if (!f) {
    w.null();
    return;
  }
  w.begin_object();
  w.key("protocol").value(channel::protocol_name(f->protocol));
  w.key("source").value(f->source.to_string());
  w.key("source_port").value(f->source_port);
  w.key("destination").value(f->destination.to_string());
  w.key("destination_port").value(f->destination_port);
  w.end_object();
}

void text_or_null(JsonWriter& w, std::string_view key, const std::string& v) {
  w.key(key);
  if (v.empty())
    w.null();
  else
    w.value(v);
}

std::string trace_json(const channel::TraceResult& r) {
  JsonWriter w;
  w.begin_object();
  w.key("port").value(r.port);
  w.key("length").value(r.length);
  w.key("packet").value(r.packet);
  w.key("flow");
  flow_value(w, r.flow);
  text_or_null(w, "tcp_flags", r.tcp_flags);
  w.key("icmp_error").value(r.icmp_error);
  w.key("hash");
  if (r.flow)
    w.value(r.hash);
  else
    w.null();
  text_or_null(w, "vip", r.vip);
  text_or_null(w, "mode", r.mode);
  w.key("worker");
  if (r.worker) {
    w.begin_object().key("index").value(*r.worker).key("lcore").value(r.lcore);
    w.key("by").value(r.worker_by).end_object();
  } else {
    w.null();
  }
  text_or_null(w, "flow_table", r.flow_table);
  w.key("entry");
  if (!r.entry_backend.empty()) {
    w.begin_object().key("backend").value(r.entry_backend).key("state").value(r.entry_state);
    w.key("idle_ms").value(r.entry_idle_ms).end_object();
  } else {
    w.null();
  }
  w.key("maglev");
  if (r.maglev_slot) {
    w.begin_object().key("slot").value(*r.maglev_slot).key("size").value(r.maglev_size);
    text_or_null(w, "backend", r.maglev_backend);
    w.end_object();
  } else {
    w.null();
  }
  text_or_null(w, "backend", r.backend);
  w.key("verdict").value(r.verdict);
  text_or_null(w, "drop", r.drop);
  text_or_null(w, "drop_description", r.drop_description);
  w.key("counters").begin_array();
  for (const std::string& c : r.counters) w.value(c);
  w.end_array();
  text_or_null(w, "output", channel::to_hex(r.output));
  text_or_null(w, "output_source_mac",
               r.output_source_mac ? r.output_source_mac->to_string() : std::string());
  text_or_null(w, "output_destination_mac",
               r.output_destination_mac ? r.output_destination_mac->to_string() : std::string());
  w.key("outer");
  flow_value(w, r.outer);
  w.end_object();
  return w.str() + "\n";
}

// Lines of a label and a value; labels padded to one width.
class Lines {
 public:
  void add(std::string_view label, std::string_view value) {
    out_ += label;
    out_.append(kWidth - label.size(), ' ');
    out_ += one_line(value);
    out_ += '\n';
  }
  std::string take() { return std::move(out_); }

 private:
  static constexpr size_t kWidth = 10;
  std::string out_;
};

std::string trace_text(const channel::TraceResult& r) {
  Lines l;
  l.add("port", r.port + ", " + std::to_string(r.length) + " bytes");
  std::string packet = r.packet;
  if (r.flow) {
    packet += " " + flow_text(*r.flow);
    if (!r.tcp_flags.empty()) packet += " flags " + r.tcp_flags;
    if (r.icmp_error) packet = "icmp error about " + flow_text(*r.flow);
    char hash[16];
    std::snprintf(hash, sizeof hash, "%08x", r.hash);
    packet += std::string(", flow hash ") + hash;
  }
  l.add("packet", packet);
  if (r.flow) l.add("vip", r.vip.empty() ? "none" : r.vip + " (" + r.mode + ")");
  if (r.worker) l.add("worker", worker_text(r));
  if (!r.flow_table.empty()) l.add("flow", flow_table_text(r));
  if (!r.vip.empty() && !r.maglev_slot) l.add("maglev", "empty: no backend takes new flows");
  if (r.maglev_slot)
    l.add("maglev", "slot " + std::to_string(*r.maglev_slot) + " of " +
                        std::to_string(r.maglev_size) + ": " +
                        (r.maglev_backend.empty() ? "no backend" : r.maglev_backend));
  if (!r.backend.empty()) l.add("backend", r.backend);
  if (r.verdict == "drop")
    l.add("verdict", "drop " + r.drop + ": " + r.drop_description);
  else
    l.add("verdict", r.verdict);
  if (!r.output.empty()) {
    std::string output = std::to_string(r.output.size()) + " bytes";
    if (r.output_source_mac && r.output_destination_mac)
      output +=
          ", " + r.output_source_mac->to_string() + " -> " + r.output_destination_mac->to_string();
    l.add("output", output);
  }
  if (r.outer) {
    const bool gue = r.outer->protocol == wire::kProtoUdp;
    l.add("encap",
          gue ? "gue " + endpoint(r.outer->source, r.outer->source_port) + " -> " +
                    endpoint(r.outer->destination, r.outer->destination_port)
              : "ipip " + r.outer->source.to_string() + " -> " + r.outer->destination.to_string());
  }
  std::string counters;
  for (const std::string& c : r.counters) counters += (counters.empty() ? "" : " ") + c;
  l.add("counters", counters.empty() ? "none" : counters);
  return l.take();
}

}  // namespace

std::string format_trace(const channel::TraceResult& r, bool json) {
  if (!r.error.empty()) return one_line("Error: " + r.error) + "\n";
  return json ? trace_json(r) : trace_text(r);
}

std::string format_conns(const channel::ConnsResult& r, bool json) {
  if (!r.error.empty()) return one_line("Error: " + r.error) + "\n";
  if (json) {
    JsonWriter w;
    w.begin_object().key("vip").value(r.vip).key("flows").value(r.flows);
    w.key("backends").begin_array();
    for (const channel::ConnsBackend& b : r.backends)
      w.begin_object()
          .key("backend")
          .value(b.backend.to_string())
          .key("flows")
          .value(b.flows)
          .end_object();
    w.end_array().key("conns").begin_array();
    for (const channel::ConnRow& c : r.rows) {
      w.begin_object();
      w.key("protocol").value(channel::protocol_name(c.protocol));
      w.key("client").value(c.client.to_string()).key("client_port").value(c.client_port);
      w.key("port").value(c.port).key("backend").value(c.backend.to_string());
      w.key("worker").value(c.worker).key("state").value(c.state);
      w.key("idle_ms").value(c.idle_ms);
      if (c.local) w.key("local").value(c.local->to_string()).key("local_port").value(c.local_port);
      w.end_object();
    }
    w.end_array().end_object();
    return w.str() + "\n";
  }
  std::string out = "VIP " + r.vip + ": " + std::to_string(r.flows) + " active flows, " +
                    std::to_string(r.rows.size()) + " shown\n";
  Table backends({"BACKEND", "FLOWS"});
  for (const channel::ConnsBackend& b : r.backends)
    backends.add({b.backend.to_string(), std::to_string(b.flows)});
  out += backends.render();
  // A LOCAL column (the source a fullnat backend sees) only when a connection has one.
  const bool local = std::any_of(r.rows.begin(), r.rows.end(),
                                 [](const channel::ConnRow& c) { return c.local.has_value(); });
  std::vector<std::string> header{"CLIENT", "PORT", "BACKEND", "WORKER", "STATE", "IDLE_S"};
  if (local) header.insert(header.begin() + 3, "LOCAL");
  Table conns(header);
  for (const channel::ConnRow& c : r.rows) {
    std::vector<std::string> row{endpoint(c.client, c.client_port),
                                 std::to_string(c.port),
                                 c.backend.to_string(),
                                 std::to_string(c.worker),
                                 c.state,
                                 std::to_string(c.idle_ms / 1000)};
    if (local) row.insert(row.begin() + 3, c.local ? endpoint(*c.local, c.local_port) : "-");
    conns.add(row);
  }
  out += conns.render();
  return out;
}

}  // namespace sluice::api
