// SPDX-License-Identifier: BSD-3-Clause
// Every drop reason, declared once with the text operators see. The parser and the
// worker count into per-lcore arrays indexed by DropReason; telemetry, the exit summary
// and the tests all read names and descriptions from this one table.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sluice {

#define SLUICE_DROP_REASONS(X)                                                     \
  X(l2_truncated, "frame shorter than its Ethernet and VLAN headers")              \
  X(arp_malformed, "ARP packet too short or not Ethernet/IPv4")                    \
  X(ipv4_truncated, "IPv4 header cut short")                                       \
  X(ipv4_bad_header, "IPv4 version or header length invalid")                      \
  X(ipv4_bad_length, "IPv4 total length smaller than header or larger than frame") \
  X(ipv6_truncated, "IPv6 header cut short")                                       \
  X(ipv6_bad_length, "IPv6 payload length larger than frame")                      \
  X(ipv6_bad_extension, "IPv6 extension header chain truncated or too long")       \
  X(l4_truncated, "TCP, UDP or ICMP header cut short")                             \
  X(tcp_bad_offset, "TCP data offset smaller than 5 or past the packet")           \
  X(icmp_error_malformed, "ICMP error quoting a packet too short to route")        \
  X(not_for_us, "IP packet for neither a VIP nor a local address")                 \
  X(vip_no_backend, "VIP has no usable backend")                                   \
  X(neighbor_unresolved, "backend or gateway MAC address not resolved yet")        \
  X(too_big, "packet larger than the MTU after encapsulation")                     \
  X(no_headroom, "mbuf has no headroom left for the encapsulation")                \
  X(over_mtu, "frame longer than the port's mtu + Ethernet and VLAN headers")      \
  X(multi_segment, "multi-segment mbuf (not supported on the fast path)")          \
  X(tx_full, "TX queue full")                                                      \
  X(handoff_full, "ring to the worker that owns the flow full")                    \
  X(to_host_full, "ring to the main lcore's exception path (TAP) full")            \
  X(fragment_timeout, "held IP fragment whose first fragment came too late")       \
  X(fragment_over_limit, "IP fragment not held: a hold limit reached")             \
  X(host_unhandled, "traffic for the host itself with no exception path configured")

// Per-worker event counters other than drops, same one-table scheme.
#define SLUICE_WORKER_COUNTERS(X)                                                               \
  X(rx_packets, "frames received")                                                              \
  X(rx_bytes, "bytes received")                                                                 \
  X(tx_packets, "frames transmitted")                                                           \
  X(tx_bytes, "bytes transmitted")                                                              \
  X(forwarded, "VIP packets forwarded to a backend")                                            \
  X(flow_hits, "VIP packets that found their flow entry")                                       \
  X(flow_new, "VIP flows created (flow table miss)")                                            \
  X(flow_insert_failures, "new flows forwarded statelessly (table full)")                       \
  X(flow_rescheduled, "flows moved because their backend left")                                 \
  X(icmp_errors_forwarded, "ICMP errors routed to the backend of their flow")                   \
  X(arp_replies, "ARP requests answered")                                                       \
  X(nd_replies, "IPv6 neighbor solicitations answered")                                         \
  X(echo_replies, "ICMP/ICMPv6 echo requests answered")                                         \
  X(too_big_replies, "ICMP too-big answers to packets too big to encapsulate")                  \
  X(neighbors_learned, "ARP/ND bindings passed to the main lcore")                              \
  X(to_host, "frames for the host itself (exception path)")                                     \
  X(handed_off, "frames passed to the worker that owns their flow")                             \
  X(fragments_forwarded, "IP fragments forwarded to their datagram's backend")                  \
  X(fragments_held, "IP fragments held until their datagram's first fragment came")             \
  X(busy_cycles, "TSC cycles of worker loops that received packets (rate / tsc_hz: core busy)") \
  X(rx_interrupt_waits, "idle waits for an RX interrupt (rx_interrupts)")

enum class WorkerCounter : uint8_t {
#define SLUICE_X(name, text) name,
  SLUICE_WORKER_COUNTERS(SLUICE_X)
#undef SLUICE_X
      count
};
inline constexpr size_t kWorkerCounterCount = size_t(WorkerCounter::count);

struct CounterInfo {
  const char* name;
  const char* description;
};

inline constexpr CounterInfo kWorkerCounters[] = {
#define SLUICE_X(name, text) {#name, text},
    SLUICE_WORKER_COUNTERS(SLUICE_X)
#undef SLUICE_X
};

enum class DropReason : uint8_t {
#define SLUICE_X(name, text) name,
  SLUICE_DROP_REASONS(SLUICE_X)
#undef SLUICE_X
      count
};

inline constexpr size_t kDropReasonCount = size_t(DropReason::count);

inline constexpr CounterInfo kDropReasons[] = {
#define SLUICE_X(name, text) {#name, text},
    SLUICE_DROP_REASONS(SLUICE_X)
#undef SLUICE_X
};
static_assert(sizeof(kDropReasons) / sizeof(kDropReasons[0]) == kDropReasonCount);

}  // namespace sluice
