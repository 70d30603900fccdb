// SPDX-License-Identifier: BSD-3-Clause
// The bounds of [sync]'s settings, which the loader checks and the dataplane's sync gate
// (dataplane/sync/sync_gate.h) is built to hold.
#pragma once

#include <cstdint>

namespace sluice::config {

inline constexpr uint32_t kMaxSyncThresholdPackets = 127;
// threshold_time and refresh_interval: 1000 s.
inline constexpr uint32_t kMaxSyncIntervalMs = 1'000'000;
inline constexpr uint32_t kMaxSyncRate = 10'000'000;  // flow records a second
inline constexpr uint32_t kMaxSyncPeers = 63;
inline constexpr uint32_t kMinSyncKeyBytes = 16;
inline constexpr uint32_t kMaxSyncKeyBytes = 1024;
inline constexpr uint32_t kMaxSyncReservePercent = 90;
inline constexpr uint32_t kMaxSyncJoinWaitMs = 60'000;

}  // namespace sluice::config
