// SPDX-License-Identifier: BSD-3-Clause
#include "options.h"

#include <cmath>
#include <cstdlib>

namespace sluice::pktgen {
namespace {

std::optional<uint64_t> parse_bounded(const std::string& text, uint64_t low, uint64_t high) {
  auto n = parse_count(text);
  if (!n || *n < low || *n > high) return std::nullopt;
  return n;
}

}  // namespace

const char* usage() {
  return "usage: sluice-pktgen [EAL options] -- --flows SPEC [options]\n"
         "  --flows SPEC      the flow set, key=value pairs separated by commas:\n"
         "                    proto=udp|tcp kind=established|syn (tcp) flows=N (up to 16M)\n"
         "                    dst=ADDR (required; IPv4 or IPv6) dport=P src=ADDR sport=P\n"
         "                    ports=N (source ports per source address) size=BYTES (no FCS)\n"
         "                    smac=MAC dmac=MAC\n"
         "  --rate PPS        packets per second over all TX lcores (10M, 500k); default: max\n"
         "  --count N         send N packets in all, then stop\n"
         "  --duration SEC    send for SEC seconds, then stop (default: until SIGINT)\n"
         "  --burst N         packets per TX/RX burst (default 32)\n"
         "  --tx-port P       the DPDK port sent on (default 0)\n"
         "  --rx-port P       the DPDK port counted on (default: the TX port)\n"
         "  --no-rx           transmit only\n"
         "  --drain-ms MS     keep counting MS after the last transmit (default 500)\n"
         "  --gue-port P      UDP port of GUE tunnels on the receive side (default 6080)\n"
         "  --flow-counts     count received frames per flow (4 bytes per flow per lcore)\n"
         "  --descriptors N   RX and TX ring size per queue (default 1024)\n"
         "  --mbufs N         mbufs per lcore and direction (default 16384)\n"
         "  --help            print this and exit\n"
         "Every worker lcore (every lcore when EAL gives only one) transmits on its own TX\n"
         "queue and receives on its own RX queue. Prints one JSON line of totals and one\n"
         "human line at the end. SIGINT/SIGTERM stop sending.\n";
}

std::optional<uint64_t> parse_count(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  double scale = 1;
  std::string suffix(end);
  if (suffix == "k" || suffix == "K")
    scale = 1e3;
  else if (suffix == "M" || suffix == "m")
    scale = 1e6;
  else if (suffix == "G" || suffix == "g")
    scale = 1e9;
  else if (!suffix.empty())
    return std::nullopt;
  if (end == text.c_str() || !(value >= 0) || value * scale > 1e18) return std::nullopt;
  const double whole = value * scale;
  if (whole != std::floor(whole)) return std::nullopt;
  return uint64_t(whole);
}

OptionsResult parse_options(const std::vector<std::string>& args) {
  Options o;
  bool have_flows = false, have_rx_port = false;
  auto fail = [](std::string message) { return OptionsResult{std::nullopt, std::move(message)}; };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") return OptionsResult{std::nullopt, {}, true};
    if (a == "--flow-counts") {
      o.flow_counts = true;
      continue;
    }
    if (a == "--no-rx") {
      o.receive = false;
      continue;
    }
    if (i + 1 >= args.size()) return fail(a + " needs a value (see --help)");
    const std::string& v = args[++i];
    auto bounded = [&](uint64_t low, uint64_t high) { return parse_bounded(v, low, high); };
    auto range = [&](uint64_t low, uint64_t high) {
      return a + " " + v + ": not a number from " + std::to_string(low) + " to " +
             std::to_string(high);
    };
    if (a == "--flows") {
      FlowSpecResult r = parse_flow_spec(v);
      if (!r.spec) return fail(r.error);
      o.flows = *r.spec;
      have_flows = true;
    } else if (a == "--rate") {
      auto n = bounded(0, 1'000'000'000'000);
      if (!n) return fail(range(0, 1'000'000'000'000));
      o.rate = *n;
    } else if (a == "--count") {
      auto n = bounded(1, UINT64_C(1) << 60);
      if (!n) return fail(range(1, UINT64_C(1) << 60));
      o.count = *n;
    } else if (a == "--duration") {
      char* end = nullptr;
      o.duration = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end || !(o.duration > 0) || o.duration > 1e6)
        return fail("--duration " + v + ": not a number of seconds from 0 to 1000000");
    } else if (a == "--burst") {
      auto n = bounded(1, 512);
      if (!n) return fail(range(1, 512));
      o.burst = uint32_t(*n);
    } else if (a == "--tx-port" || a == "--rx-port") {
      auto n = bounded(0, 1023);
      if (!n) return fail(range(0, 1023));
      (a == "--tx-port" ? o.tx_port : o.rx_port) = uint16_t(*n);
      have_rx_port |= a == "--rx-port";
    } else if (a == "--drain-ms") {
      auto n = bounded(0, 600'000);
      if (!n) return fail(range(0, 600'000));
      o.drain_ms = uint32_t(*n);
    } else if (a == "--gue-port") {
      auto n = bounded(1, 65535);
      if (!n) return fail(range(1, 65535));
      o.gue_port = uint16_t(*n);
    } else if (a == "--descriptors") {
      auto n = bounded(64, 16384);
      if (!n) return fail(range(64, 16384));
      o.descriptors = uint32_t(*n);
    } else if (a == "--mbufs") {
      auto n = bounded(1024, 16u << 20);
      if (!n) return fail(range(1024, 16u << 20));
      o.mbufs = uint32_t(*n);
    } else {
      return fail("unknown option " + a + " (see --help)");
    }
  }
  if (!have_flows) return fail("--flows SPEC is required (see --help)");
  if (!have_rx_port) o.rx_port = o.tx_port;
  return {o, {}};
}

}  // namespace sluice::pktgen
