// SPDX-License-Identifier: BSD-3-Clause
#include "summary.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "net/ip_address.h"
#include "net/mac_address.h"

namespace sluice::pktgen {
namespace {

double ns(const Totals& t, uint64_t cycles) { return double(cycles) * 1e9 / double(t.tsc_hz); }
double seconds(const Totals& t) { return double(t.tx_cycles) / double(t.tsc_hz); }
double tx_pps(const Totals& t) { return t.tx_cycles ? double(t.tx_packets) / seconds(t) : 0; }

std::string format(const char* fmt, auto... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

}  // namespace

void merge_backends(std::vector<BackendTally::Entry>& into,
                    const std::vector<BackendTally::Entry>& more) {
  for (const BackendTally::Entry& e : more) {
    auto same = std::find_if(into.begin(), into.end(), [&](auto& x) { return x.key == e.key; });
    if (same != into.end())
      same->frames += e.frames;
    else
      into.push_back(e);
  }
  std::sort(into.begin(), into.end(), [](const auto& a, const auto& b) {
    if (a.frames != b.frames) return a.frames > b.frames;
    if (a.key.kind != b.key.kind) return a.key.kind < b.key.kind;
    return a.key.bytes < b.key.bytes;
  });
}

std::string backend_name(const BackendKey& key) {
  if (key.kind == 4) return "ip:" + IpAddress::v4_from_wire(key.bytes.data()).to_string();
  if (key.kind == 6) return "ip:" + IpAddress::v6_from_wire(key.bytes.data()).to_string();
  MacAddress mac;
  std::copy_n(key.bytes.begin(), 6, mac.bytes.begin());
  return "mac:" + mac.to_string();
}

std::string to_json(const Totals& t) {
  std::string s = "{";
  s += format("\"tx_packets\":%" PRIu64 ",\"tx_bytes\":%" PRIu64 ",\"tx_seconds\":%.6f",
              t.tx_packets, t.tx_bytes, seconds(t));
  s += format(",\"tx_pps\":%.0f,\"tx_alloc_failures\":%" PRIu64 ",\"tx_unsent\":%" PRIu64,
              tx_pps(t), t.tx_alloc_failures, t.tx_unsent);
  s += format(",\"rx_packets\":%" PRIu64 ",\"rx_stamped\":%" PRIu64 ",\"rx_foreign_flow\":%" PRIu64,
              t.rx_packets, t.rx_stamped, t.rx_foreign_flow);
  s += format(",\"latency_ns\":{\"count\":%" PRIu64
              ",\"min\":%.0f,\"mean\":%.0f,\"p50\":%.0f,\"p99\":%.0f,\"p999\":%.0f,\"max\":%.0f}",
              t.latency.count(), ns(t, t.latency.min()), ns(t, t.latency.mean()),
              ns(t, t.latency.percentile(0.5)), ns(t, t.latency.percentile(0.99)),
              ns(t, t.latency.percentile(0.999)), ns(t, t.latency.max()));
  s += ",\"backends\":{";
  for (size_t i = 0; i < t.backends.size(); ++i)
    s += format("%s\"%s\":%" PRIu64, i ? "," : "", backend_name(t.backends[i].key).c_str(),
                t.backends[i].frames);
  s += format("},\"backend_overflow\":%" PRIu64, t.backend_overflow);
  if (t.flow_counts)
    s += format(",\"flows\":%u,\"flows_seen\":%u,\"flow_min\":%" PRIu64 ",\"flow_max\":%" PRIu64,
                t.flows, t.flows_seen, t.flow_min, t.flow_max);
  return s + "}";
}

std::string to_human(const Totals& t) {
  std::string s = format("sluice-pktgen: sent %" PRIu64 " in %.3f s (%.3f Mpps), received %" PRIu64
                         " (%" PRIu64 " stamped) from %zu backends",
                         t.tx_packets, seconds(t), tx_pps(t) / 1e6, t.rx_packets, t.rx_stamped,
                         t.backends.size());
  if (t.latency.count())
    s += format(", latency p50 %.1f us p99 %.1f us", ns(t, t.latency.percentile(0.5)) / 1e3,
                ns(t, t.latency.percentile(0.99)) / 1e3);
  if (t.flow_counts)
    s += format(", %u of %u flows seen, %" PRIu64 "..%" PRIu64 " frames each", t.flows_seen,
                t.flows, t.flow_min, t.flow_max);
  return s;
}

}  // namespace sluice::pktgen
