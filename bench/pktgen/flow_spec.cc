// SPDX-License-Identifier: BSD-3-Clause
#include "flow_spec.h"

#include <charconv>
#include <vector>

#include "net/wire.h"

namespace sluice::pktgen {
namespace {

constexpr uint16_t kSmallestEthernetFrame = 60;
constexpr uint32_t kStampLength = 16;

std::optional<uint64_t> parse_number(std::string_view text) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::string range_error(std::string_view key, std::string_view value, uint64_t low, uint64_t high) {
  return "flow spec: " + std::string(key) + "=" + std::string(value) + ": not a number from " +
         std::to_string(low) + " to " + std::to_string(high);
}

uint32_t low32(const IpAddress& a) { return wire::load_be32(&a.bytes[12]); }

}  // namespace

uint16_t smallest_frame(Protocol protocol, bool ipv6) {
  return uint16_t(wire::kEthHeaderLen + (ipv6 ? wire::kIpv6HeaderLen : wire::kIpv4HeaderLen) +
                  (protocol == Protocol::kTcp ? wire::kTcpMinHeaderLen : wire::kUdpHeaderLen) +
                  kStampLength);
}

FlowSpecResult parse_flow_spec(std::string_view text) {
  FlowSpec spec;
  std::optional<IpAddress> src, dst;
  std::optional<Kind> kind;
  std::optional<uint64_t> ports, size;
  auto fail = [](std::string message) { return FlowSpecResult{std::nullopt, std::move(message)}; };

  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view pair = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const size_t equals = pair.find('=');
    if (equals == std::string_view::npos || equals == 0)
      return fail("flow spec: '" + std::string(pair) + "' is not key=value");
    const std::string_view key = pair.substr(0, equals), value = pair.substr(equals + 1);
    auto number = [&](uint64_t low, uint64_t high) -> std::optional<uint64_t> {
      auto n = parse_number(value);
      if (!n || *n < low || *n > high) return std::nullopt;
      return n;
    };
    if (key == "proto") {
      if (value == "udp")
        spec.protocol = Protocol::kUdp;
      else if (value == "tcp")
        spec.protocol = Protocol::kTcp;
      else
        return fail("flow spec: proto=" + std::string(value) + ": allowed: udp, tcp");
    } else if (key == "kind") {
      if (value == "established")
        kind = Kind::kEstablished;
      else if (value == "syn")
        kind = Kind::kSyn;
      else
        return fail("flow spec: kind=" + std::string(value) + ": allowed: established, syn");
    } else if (key == "flows") {
      auto n = number(1, kMaxFlows);
      if (!n) return fail(range_error(key, value, 1, kMaxFlows));
      spec.flows = uint32_t(*n);
    } else if (key == "src" || key == "dst") {
      auto a = IpAddress::parse(value);
      if (!a) return fail("flow spec: " + std::string(pair) + ": not an IPv4 or IPv6 address");
      (key == "src" ? src : dst) = a;
    } else if (key == "sport" || key == "dport") {
      auto n = number(1, 65535);
      if (!n) return fail(range_error(key, value, 1, 65535));
      (key == "sport" ? spec.sport : spec.dport) = uint16_t(*n);
    } else if (key == "ports") {
      ports = number(1, 65535);
      if (!ports) return fail(range_error(key, value, 1, 65535));
    } else if (key == "size") {
      size = number(1, kMaxFrameSize);
      if (!size) return fail(range_error(key, value, 1, kMaxFrameSize));
    } else if (key == "smac" || key == "dmac") {
      auto m = MacAddress::parse(value);
      if (!m)
        return fail("flow spec: " + std::string(pair) + ": not a MAC address (02:00:00:00:00:10)");
      (key == "smac" ? spec.smac : spec.dmac) = *m;
    } else {
      return fail(
          "flow spec: unknown key '" + std::string(key) +
          "'; allowed: proto, kind, flows, src, dst, sport, dport, ports, size, smac, dmac");
    }
  }

  if (!dst) return fail("flow spec: dst (the destination address) is required");
  spec.dst = *dst;
  const bool v6 = spec.ipv6();
  spec.src = src ? *src : *IpAddress::parse(v6 ? "fd00:1::1" : "198.18.1.1");
  if (spec.src.is_v4() != spec.dst.is_v4())
    return fail("flow spec: src " + spec.src.to_string() + " and dst " + spec.dst.to_string() +
                " are not of one family");
  if (spec.protocol == Protocol::kUdp && kind) return fail("flow spec: kind is for proto=tcp only");
  spec.kind = spec.protocol == Protocol::kUdp ? Kind::kDatagram : kind.value_or(Kind::kEstablished);

  const uint32_t port_room = 65536u - spec.sport;
  spec.ports = ports ? uint32_t(*ports) : std::min(spec.flows, port_room);
  if (spec.ports > port_room)
    return fail("flow spec: ports=" + std::to_string(spec.ports) +
                " from sport=" + std::to_string(spec.sport) + " passes port 65535");
  if (uint64_t(low32(spec.src)) + spec.source_addresses() - 1 > UINT32_MAX)
    return fail("flow spec: " + std::to_string(spec.source_addresses()) +
                " source addresses from src=" + spec.src.to_string() +
                " overflow its last 32 bits (the part that varies)");

  const uint16_t smallest = smallest_frame(spec.protocol, v6);
  if (size && *size < smallest)
    return fail("flow spec: size=" + std::to_string(*size) + ": the headers and the stamp need " +
                std::to_string(smallest) + " bytes");
  spec.size = size ? uint16_t(*size) : std::max(smallest, kSmallestEthernetFrame);
  return {spec, {}};
}

std::string to_string(const FlowSpec& spec) {
  std::string s = spec.protocol == Protocol::kTcp ? "proto=tcp" : "proto=udp";
  if (spec.kind == Kind::kEstablished) s += ",kind=established";
  if (spec.kind == Kind::kSyn) s += ",kind=syn";
  s += ",flows=" + std::to_string(spec.flows) + ",src=" + spec.src.to_string() +
       ",dst=" + spec.dst.to_string() + ",sport=" + std::to_string(spec.sport) +
       ",ports=" + std::to_string(spec.ports) + ",dport=" + std::to_string(spec.dport) +
       ",size=" + std::to_string(spec.size) + ",smac=" + spec.smac.to_string() +
       ",dmac=" + spec.dmac.to_string();
  return s;
}

}  // namespace sluice::pktgen
