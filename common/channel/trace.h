// SPDX-License-Identifier: BSD-3-Clause
// The payloads of MessageType::kTrace and kTraceResult: a packet sluiced asks about, and
// what the dataplane's own packet path would do with it, and why. Text fields
// (channel/fields.h). Pure; any thread.
//
//   kTrace        port NAME                 the port it arrives on (absent: the first)
//                 tuple PROTO SRC SPORT DST DPORT FLAGS   a packet the dataplane builds
//                 frame HEX                 or the frame itself
//   kTraceResult  the TraceResult fields below, in this order; `error` alone when nothing
//                 could be traced
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/ip_address.h"
#include "net/mac_address.h"

namespace sluice::channel {

// A 5-tuple, addresses and ports as on the wire of the packet it describes.
struct TraceFlow {
  uint8_t protocol = 0;
  IpAddress source;
  uint16_t source_port = 0;
  IpAddress destination;
  uint16_t destination_port = 0;
  friend bool operator==(const TraceFlow&, const TraceFlow&) = default;
};

struct TraceRequest {
  std::string port;                // "" = the first port
  std::optional<TraceFlow> tuple;  // TCP or UDP, client to VIP; or, when absent:
  uint8_t tcp_flags = 0;           // with a TCP tuple
  std::string frame;               // the Ethernet frame's bytes
  friend bool operator==(const TraceRequest&, const TraceRequest&) = default;
};

struct TraceResult {
  std::string error;  // non-empty: nothing was traced, and this says why
  std::string port;
  uint32_t length = 0;  // of the frame traced
  // What the parser found: "ipv4", "ipv6", "arp", "other" (another ethertype) or
  // "malformed" (then `verdict` is a drop and `drop` says why).
  std::string packet;
  // IPv4/IPv6: the packet's flow; for an ICMP error, the flow of the packet it quotes.
  std::optional<TraceFlow> flow;
  std::string tcp_flags;  // "S", "A", "FA", ...: TCP only
  bool icmp_error = false;
  uint32_t hash = 0;  // flow_hash() of `flow`
  std::string vip;    // the VIP the flow matched; "" when none
  std::string mode;   // its forwarding mode
  // The worker whose flow table holds (or would hold) the flow, and how that is known:
  // "only-worker" (it alone polls the port), "handoff" (the flow hash names it), "rss"
  // (the device's hash brought the flow there: found in its table).
  std::optional<uint32_t> worker;
  uint32_t lcore = 0;
  std::string worker_by;
  // The flow table of `worker`: "hit", "miss", "expired" (a miss: its entry timed out) or
  // "full" (a miss, and no room for it: forwarded by Maglev alone); for a miss on a
  // device spreading flows by RSS, "miss-everywhere". "" when not asked (no VIP flow).
  std::string flow_table;
  // The entry found (hit or expired): its backend, state and idle time.
  std::string entry_backend;
  std::string entry_state;
  uint32_t entry_idle_ms = 0;
  // Maglev's slot for the flow hash and the backend in it ("" = none); with a VIP.
  std::optional<uint32_t> maglev_slot;
  uint32_t maglev_size = 0;
  std::string maglev_backend;
  std::string backend;  // where the packet goes (or would, were its MAC known)
  // "forward", "reply" (answered: ARP, ND, echo, too big), "to-host" (exception path),
  // "drop", "consumed" (taken by the dataplane itself: a neighbor's answer) or "held" (a
  // later IP fragment: the tracer has not seen its datagram's first one).
  std::string verdict;
  std::string drop;  // the drop counter's name, as in drop_<name>
  std::string drop_description;
  std::vector<std::string> counters;  // every counter this packet would raise
  // What leaves (forward, reply): the frame, its MACs, and the outer header of an
  // encapsulation (protocol 4 or 41: IPIP; 17: GUE).
  std::string output;
  std::optional<MacAddress> output_source_mac;
  std::optional<MacAddress> output_destination_mac;
  std::optional<TraceFlow> outer;
  friend bool operator==(const TraceResult&, const TraceResult&) = default;
};

std::string encode_trace_request(const TraceRequest& request);
// nullopt and `error` set when `payload` is not a request: no tuple nor frame, a bad field.
std::optional<TraceRequest> decode_trace_request(std::string_view payload, std::string& error);

std::string encode_trace_result(const TraceResult& result);
std::optional<TraceResult> decode_trace_result(std::string_view payload, std::string& error);

// "tcp", "udp", "icmp", "ipv6-icmp" or the number; and back (nullopt if none of those).
std::string protocol_name(uint8_t protocol);
std::optional<uint8_t> protocol_number(std::string_view name);

// TCP flags as letters in the order F S R P A U ("SA" for a SYN-ACK); "" for none.
std::string tcp_flag_letters(uint8_t flags);
std::optional<uint8_t> tcp_flags_from_letters(std::string_view letters);

}  // namespace sluice::channel
