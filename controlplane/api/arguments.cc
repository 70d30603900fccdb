// SPDX-License-Identifier: BSD-3-Clause
#include "api/arguments.h"

#include <charconv>

#include "api/text.h"
#include "channel/fields.h"
#include "net/ip_address.h"
#include "net/socket_address.h"
#include "net/wire.h"

namespace sluice::api {
namespace {

// VIP BACKEND ...: the backend as canonical address text.
std::optional<std::string> parse_vip_and_backend(std::span<const std::string_view> arguments,
                                                 Command& command) {
  command.vip = std::string(arguments[0]);
  std::optional<IpAddress> address = IpAddress::parse(arguments[1]);
  if (!address) return "Error: backend " + quoted(arguments[1]) + " is not an IP address";
  command.backend = address->to_string();
  return std::nullopt;
}

// [port NAME] at `arguments[at]`, if there: nullopt when it is there or not, the usage
// when what is there is something else.
std::optional<std::string> parse_trace_port(std::span<const std::string_view> arguments, size_t at,
                                            std::string_view usage, Command& command) {
  if (at == arguments.size()) return std::nullopt;
  if (arguments.size() != at + 2 || arguments[at] != "port") return std::string(usage);
  command.trace.port = std::string(arguments[at + 1]);
  return std::nullopt;
}

}  // namespace

std::optional<std::string> parse_trace_frame(std::span<const std::string_view> arguments,
                                             std::string_view usage, Command& command) {
  std::optional<std::string> frame = channel::from_hex(arguments[1]);
  if (!frame || frame->empty())
    return "Error: frame " + quoted(arguments[1]) + " is not bytes in hex (2 digits each)";
  command.trace.frame = std::move(*frame);
  return parse_trace_port(arguments, 2, usage, command);
}

std::optional<std::string> parse_trace_tuple(std::span<const std::string_view> arguments,
                                             std::string_view usage, Command& command) {
  channel::TraceFlow flow;
  flow.protocol = arguments[0] == "tcp" ? wire::kProtoTcp : wire::kProtoUdp;
  std::optional<SocketAddress> client = SocketAddress::parse(arguments[1]);
  if (!client)
    return "Error: client " + quoted(arguments[1]) +
           " is not ADDRESS:PORT ([ADDRESS]:PORT for IPv6)";
  std::optional<SocketAddress> vip = SocketAddress::parse(arguments[2]);
  if (!vip)
    return "Error: VIP " + quoted(arguments[2]) + " is not ADDRESS:PORT ([ADDRESS]:PORT for IPv6)";
  if (client->address.is_v4() != vip->address.is_v4())
    return std::string("Error: the client and the VIP are of different address families");
  flow.source = client->address;
  flow.source_port = client->port;
  flow.destination = vip->address;
  flow.destination_port = vip->port;
  command.trace.tuple = flow;
  size_t at = 3;
  const bool tcp = flow.protocol == wire::kProtoTcp;
  command.trace.tcp_flags = tcp ? wire::kTcpSyn : 0;
  if (tcp && at < arguments.size() && (arguments[at] == "syn" || arguments[at] == "ack")) {
    command.trace.tcp_flags = arguments[at] == "syn" ? wire::kTcpSyn : wire::kTcpAck;
    ++at;
  }
  return parse_trace_port(arguments, at, usage, command);
}

std::optional<std::string> parse_show_conns(std::span<const std::string_view> arguments,
                                            std::string_view usage, Command& command) {
  command.vip = std::string(arguments[0]);
  if (arguments.size() == 1) return std::nullopt;
  if (arguments.size() != 3 || arguments[1] != "limit") return std::string(usage);
  std::string_view value = arguments[2];
  unsigned limit = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
  if (ec != std::errc() || end != value.data() + value.size() || limit == 0 ||
      limit > channel::kMaxConnsRows)
    return "Error: limit " + quoted(value) + " is not an integer in 1.." +
           std::to_string(channel::kMaxConnsRows);
  command.limit = limit;
  return std::nullopt;
}

std::optional<std::string> parse_show_backends(std::span<const std::string_view> arguments,
                                               std::string_view, Command& command) {
  if (!arguments.empty()) command.vip = std::string(arguments[0]);
  return std::nullopt;
}

std::optional<std::string> parse_set_backend_state(std::span<const std::string_view> arguments,
                                                   std::string_view usage, Command& command) {
  if (auto error = parse_vip_and_backend(arguments, command)) return error;
  std::optional<config::BackendState> state = config::parse_backend_state(arguments[3]);
  if (!state) return std::string(usage);
  command.state = *state;
  return std::nullopt;
}

std::optional<std::string> parse_set_backend_weight(std::span<const std::string_view> arguments,
                                                    std::string_view, Command& command) {
  if (auto error = parse_vip_and_backend(arguments, command)) return error;
  std::string_view value = arguments[3];
  unsigned weight = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), weight);
  if (ec != std::errc() || end != value.data() + value.size() || weight > 65535)
    return "Error: weight " + quoted(value) + " is not an integer in 0..65535";
  command.weight = static_cast<uint16_t>(weight);
  return std::nullopt;
}

std::optional<std::string> parse_set_node(std::span<const std::string_view> arguments,
                                          std::string_view usage, Command& command) {
  if (arguments[0] != "maint" && arguments[0] != "ready") return std::string(usage);
  command.on = arguments[0] == "maint";
  return std::nullopt;
}

std::optional<std::string> parse_set_vip_announce(std::span<const std::string_view> arguments,
                                                  std::string_view usage, Command& command) {
  if (arguments[2] != "on" && arguments[2] != "off") return std::string(usage);
  command.vip = std::string(arguments[0]);
  command.on = arguments[2] == "on";
  return std::nullopt;
}

}  // namespace sluice::api
