// SPDX-License-Identifier: BSD-3-Clause
// Every drop reason and worker counter, declared once with its role and the text operators
// see. The parser and the worker count into per-lcore arrays indexed by DropReason and
// WorkerCounter; telemetry, the exit summary and the tests all read names, roles and
// descriptions from these tables.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sluice {

// Every frame a worker receives (rx_packets) ends in exactly one kOutcome counter, a
// worker counter or a drop reason: once no frame is in flight, rx_packets equals the sum
// of the kOutcome counters over the workers.
enum class CounterRole : uint8_t {
  kEvent,    // not the end of a frame (receptions, bytes, flow-table events, ...)
  kOutcome,  // the end of a received frame
  // A loss of a frame whose outcome is already counted (transmitted, to the host) or that
  // the main lcore made: it is not a second outcome.
  kAfterOutcome,
};

#define SLUICE_DROP_REASONS(X)                                                               \
  X(not_our_mac, kOutcome, "unicast frame for a MAC not the port's nor in accept_macs")      \
  X(l2_truncated, kOutcome, "frame shorter than its Ethernet and VLAN headers")              \
  X(arp_malformed, kOutcome, "ARP packet too short or not Ethernet/IPv4")                    \
  X(ipv4_truncated, kOutcome, "IPv4 header cut short")                                       \
  X(ipv4_bad_header, kOutcome, "IPv4 version or header length invalid")                      \
  X(ipv4_bad_length, kOutcome, "IPv4 total length smaller than header or larger than frame") \
  X(ipv6_truncated, kOutcome, "IPv6 header cut short")                                       \
  X(ipv6_bad_length, kOutcome, "IPv6 payload length larger than frame")                      \
  X(ipv6_bad_extension, kOutcome, "IPv6 extension header chain truncated or too long")       \
  X(l4_truncated, kOutcome, "TCP, UDP or ICMP header cut short")                             \
  X(tcp_bad_offset, kOutcome, "TCP data offset smaller than 5 or past the packet")           \
  X(icmp_error_malformed, kOutcome, "ICMP error quoting a packet too short to route")        \
  X(not_for_us, kOutcome, "IP packet for neither a VIP nor a local address")                 \
  X(vip_no_backend, kOutcome, "VIP has no usable backend")                                   \
  X(neighbor_unresolved, kOutcome, "backend or gateway MAC address not resolved yet")        \
  X(too_big, kOutcome, "packet larger than the MTU after encapsulation")                     \
  X(no_headroom, kOutcome, "mbuf has no headroom left for the encapsulation")                \
  X(over_mtu, kOutcome, "frame longer than the port's mtu + Ethernet and VLAN headers")      \
  X(multi_segment, kOutcome, "multi-segment mbuf (not supported on the fast path)")          \
  X(tx_full, kAfterOutcome, "TX queue full")                                                 \
  X(handoff_full, kOutcome, "ring to the worker that owns the flow full")                    \
  X(to_host_full, kAfterOutcome, "ring to the main lcore's exception path (TAP) full")       \
  X(to_host_rate_limited, kAfterOutcome,                                                     \
    "host traffic other than control over the port's host_rate_limit (exception path)")      \
  X(fragment_timeout, kOutcome, "held IP fragment whose first fragment came too late")       \
  X(fragment_over_limit, kOutcome, "IP fragment not held: a hold limit reached")             \
  X(nat_fragment, kOutcome, "fragment NAT cannot translate: an answer's or ICMP error's")    \
  X(nat_ports_exhausted, kOutcome, "new fullnat connection refused: no local port free")     \
  X(nat_table_full, kOutcome, "new NAT connection refused: the worker's NAT table is full")  \
  X(nat_syn_not_admitted, kOutcome, "SYN for a NAT VIP over syn_admission_limit: refused")   \
  X(nat_tuple_taken, kOutcome,                                                               \
    "new NAT connection refused: another one is answered on the same tuple")                 \
  X(nat_no_connection, kOutcome,                                                             \
    "for a NAT local address, or an ICMP error about a NAT VIP, of no NAT connection")       \
  X(host_unhandled, kAfterOutcome, "traffic for the host itself with no exception path configured")

// Per-worker event counters other than drops, same one-table scheme.
#define SLUICE_WORKER_COUNTERS(X)                                                             \
  X(rx_packets, kEvent, "frames received")                                                    \
  X(rx_bytes, kEvent, "bytes received")                                                       \
  X(tx_packets, kEvent, "frames transmitted")                                                 \
  X(tx_bytes, kEvent, "bytes transmitted")                                                    \
  X(forwarded, kOutcome, "VIP packets forwarded to a backend")                                \
  X(flow_hits, kEvent, "VIP packets that found their flow entry")                             \
  X(flow_new, kEvent, "VIP flows created (flow table miss)")                                  \
  X(flow_insert_failures, kEvent, "new flows forwarded statelessly (table full)")             \
  X(flow_evictions, kEvent, "live half-open, UDP or other flows a new flow displaced")        \
  X(syns_not_admitted, kEvent, "new SYN-only flows not inserted (syn_admission_limit)")       \
  X(flow_rescheduled, kEvent, "flows moved because their backend left")                       \
  X(icmp_errors_forwarded, kEvent, "ICMP errors routed to the backend of their flow")         \
  X(nat_replies, kOutcome, "backend answers translated back to their clients (nat, fullnat)") \
  X(nat_connections, kEvent, "NAT connections created")                                       \
  X(nat_icmp_errors, kEvent, "ICMP errors translated for a NAT connection, either way")       \
  X(mss_clamped, kEvent, "TCP SYNs whose MSS option was lowered to the VIP's mss_clamp")      \
  X(arp_replies, kOutcome, "ARP requests answered")                                           \
  X(nd_replies, kOutcome, "IPv6 neighbor solicitations answered")                             \
  X(echo_replies, kOutcome, "ICMP/ICMPv6 echo requests answered")                             \
  X(too_big_replies, kOutcome, "ICMP too-big answers to packets too big to encapsulate")      \
  X(neighbor_answers, kOutcome,                                                               \
    "ARP replies and neighbor advertisements to our address, consumed (port without TAP)")    \
  X(neighbors_learned, kEvent, "ARP/ND bindings passed to the main lcore")                    \
  X(to_host, kOutcome, "frames for the host itself (exception path)")                         \
  X(to_host_control, kEvent, "of to_host: control traffic, in its own lane")                  \
  X(handed_off, kEvent, "frames passed to the worker that owns their flow")                   \
  X(fragments_forwarded, kEvent, "IP fragments sent to their datagram's backend")             \
  X(fragments_held, kEvent, "IP fragments held for their datagram's first fragment")          \
  X(busy_cycles, kEvent,                                                                      \
    "TSC cycles of worker loops that received packets (rate / tsc_hz: core busy)")            \
  X(loop_cycles, kEvent, "TSC cycles of every worker loop, idle and asleep included")         \
  X(rx_interrupt_waits, kEvent, "idle waits for an RX interrupt (rx_interrupts)")

enum class WorkerCounter : uint8_t {
#define SLUICE_X(name, role, text) name,
  SLUICE_WORKER_COUNTERS(SLUICE_X)
#undef SLUICE_X
      count
};
inline constexpr size_t kWorkerCounterCount = size_t(WorkerCounter::count);

struct CounterInfo {
  const char* name;
  const char* description;
  CounterRole role = CounterRole::kEvent;
};

inline constexpr CounterInfo kWorkerCounters[] = {
#define SLUICE_X(name, role, text) {#name, text, CounterRole::role},
    SLUICE_WORKER_COUNTERS(SLUICE_X)
#undef SLUICE_X
};

enum class DropReason : uint8_t {
#define SLUICE_X(name, role, text) name,
  SLUICE_DROP_REASONS(SLUICE_X)
#undef SLUICE_X
      count
};

inline constexpr size_t kDropReasonCount = size_t(DropReason::count);

inline constexpr CounterInfo kDropReasons[] = {
#define SLUICE_X(name, role, text) {#name, text, CounterRole::role},
    SLUICE_DROP_REASONS(SLUICE_X)
#undef SLUICE_X
};
static_assert(sizeof(kDropReasons) / sizeof(kDropReasons[0]) == kDropReasonCount);

}  // namespace sluice
