// SPDX-License-Identifier: BSD-3-Clause
// When a worker publishes a flow to its peers (IPVS's sync_threshold, in packets or time):
// once it has seen `packets` packets or lived `after_ms`, whichever comes first, then again
// every `refresh_ms` while packets keep coming, so that the peers' copy never expires
// while the flow lives. Only established TCP, UDP and other flows are published: a
// half-open or closing connection is not worth a peer's table.
//
// The bookkeeping lives in FlowEntry's spare bytes: sync_packets holds a packet count
// saturating at 127 (until the flow is published) and, in its top bit, "published";
// sync_mark the flow's first packet, then its last publication, in 32 ms ticks (wrapping after 35
// minutes: times are kept below half of that). The owning worker only; no allocation.
#pragma once

#include <cstdint>

#include "config/sync_limits.h"
#include "flow/flow_table.h"

namespace sluice {

struct SyncThreshold {
  bool enabled = false;
  uint8_t packets = 3;          // 1..kMaxSyncPackets
  uint32_t after_ms = 1000;     // ..kMaxSyncIntervalMs
  uint32_t refresh_ms = 60000;  // ..kMaxSyncIntervalMs
};

inline constexpr uint32_t kSyncTickShift = 5;
inline constexpr uint8_t kMaxSyncPackets = 127;
inline constexpr uint32_t kMaxSyncIntervalMs = (uint32_t(1) << (15 + kSyncTickShift)) - 1;
static_assert(config::kMaxSyncThresholdPackets == kMaxSyncPackets);
static_assert(config::kMaxSyncIntervalMs <= kMaxSyncIntervalMs, "the tick counter would wrap");

// Counts a packet of the flow at now_ms; true when the flow is to be published now. Once
// published, a flow's packets are no longer counted and nothing is written until its
// refresh is due: the packet path then only reads the entry's line (at a million flows a
// store would make every packet write a cold line back to memory).
inline bool sync_due(FlowEntry& e, const SyncThreshold& t, uint32_t now_ms) {
  constexpr uint8_t kPublished = 0x80;
  const uint16_t tick = uint16_t(now_ms >> kSyncTickShift);
  const FlowState s = e.state();
  const bool worth = s != FlowState::kTcpSynOnly && s != FlowState::kTcpClosing;
  if (e.sync_packets & kPublished) {
    const uint32_t since_ms = uint32_t(uint16_t(tick - e.sync_mark)) << kSyncTickShift;
    if (!worth || since_ms < t.refresh_ms) return false;
    e.sync_mark = tick;
    return true;
  }
  uint8_t packets = e.sync_packets;
  if (packets == 0) e.sync_mark = tick;
  if (packets < kMaxSyncPackets) ++packets;
  e.sync_packets = packets;
  if (!worth) return false;
  const uint32_t since_ms = uint32_t(uint16_t(tick - e.sync_mark)) << kSyncTickShift;
  if (packets < t.packets && since_ms < t.after_ms) return false;
  e.sync_packets = packets | kPublished;
  e.sync_mark = tick;
  return true;
}

}  // namespace sluice
