// SPDX-License-Identifier: BSD-3-Clause
// Every place a port loses frames outside the workers, declared once with the text
// operators see: what the device and the kernel under it dropped, and what the main
// lcore's own paths (its frames, the TAP exception path) dropped. The main lcore samples
// and writes them (EthPort::sample_counters); telemetry, the exit summary and sluiced's
// stats read them as port_<port>_<counter> and in /sluice/ports. The workers' losses are
// drop reasons (pipeline/counters.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "pipeline/counters.h"

namespace sluice {

#define SLUICE_PORT_COUNTERS(X)                                                                \
  X(rx_missed, "frames the device had no room for (ethdev imissed; af_xdp: fill ring empty)")  \
  X(rx_errors, "erroneous frames the device dropped (ethdev ierrors)")                         \
  X(rx_nombuf, "frames the device could not receive for want of an mbuf (ethdev rx_nombuf)")   \
  X(kernel_drops,                                                                              \
    "frames the kernel dropped before the PMD read them: af_packet ring full (tp_drops), "     \
    "af_xdp RX ring full or invalid descriptors")                                              \
  X(tx_errors, "frames the device took but did not send (ethdev oerrors)")                     \
  X(control_nombuf, "main lcore frames (ARP/ND, announcements) not sent: no free mbuf")        \
  X(control_ring_full, "main lcore frames not sent: the port's shared TX ring full")           \
  X(unsent_at_exit, "frames left in the port's shared TX ring when the workers stopped")       \
  X(to_host_dropped, "exception-path frames the TAP device did not take or failed to write")   \
  X(from_host_dropped,                                                                         \
    "frames the host sent through the TAP that were lost: the TAP's kernel queue, its mbufs, " \
    "or the port's shared TX ring full")

enum class PortCounter : uint8_t {
#define SLUICE_X(name, text) name,
  SLUICE_PORT_COUNTERS(SLUICE_X)
#undef SLUICE_X
      count
};
inline constexpr size_t kPortCounterCount = size_t(PortCounter::count);

inline constexpr CounterInfo kPortCounters[] = {
#define SLUICE_X(name, text) {#name, text},
    SLUICE_PORT_COUNTERS(SLUICE_X)
#undef SLUICE_X
};
static_assert(sizeof(kPortCounters) / sizeof(kPortCounters[0]) == kPortCounterCount);

struct PortCounters {
  uint64_t values[kPortCounterCount] = {};
  uint64_t& operator[](PortCounter c) { return values[size_t(c)]; }
  uint64_t operator[](PortCounter c) const { return values[size_t(c)]; }
};

}  // namespace sluice
