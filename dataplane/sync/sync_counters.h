// SPDX-License-Identifier: BSD-3-Clause
// Every flow sync counter, declared once with the text operators see. Each is written by
// one kind of thread only, as marked: (worker) in the worker's own WorkerCounters, (main)
// in the main lcore's; readers sum both. They reach sluiced's `show sync`, /sluice/stats
// and the exit summary as sync_<name>.
#pragma once

#include <cstddef>
#include <cstdint>

#include "pipeline/counters.h"

namespace sluice {

#define SLUICE_SYNC_COUNTERS(X)                                                                \
  X(published, "(worker) flows that passed the sync threshold or were due a refresh")          \
  X(ring_full, "(worker, main) flow records lost: a sync ring between lcores was full")        \
  X(sent, "(main) flow records sent to peers")                                                 \
  X(batches_sent, "(main) datagrams sent to peers")                                            \
  X(send_capped, "(main) flow records not sent: over send_rate")                               \
  X(send_errors, "(main) datagrams the kernel refused to send")                                \
  X(received, "(main) flow records in batches that passed every check")                        \
  X(rejected_malformed, "(main) datagrams truncated or not a sync batch of this version")      \
  X(rejected_auth, "(main) batches whose MAC is not the shared key's (forged, other key)")     \
  X(rejected_replay, "(main) batches whose sequence number was seen or is too old")            \
  X(rejected_stale, "(main) batches whose timestamp is outside the clock window")              \
  X(install_capped, "(main) flow records not installed: over install_rate")                    \
  X(installed, "(worker) flow records installed in the owner's flow table")                    \
  X(refused_exists, "(worker) not installed: the owner has a flow for that 5-tuple already")   \
  X(refused_full, "(worker) not installed: no room above the reserve kept for local flows")    \
  X(unknown_backend, "(worker) not installed: its VIP or backend is not in this node's state") \
  X(refused_port, "(worker) NAT record not installed: its local port is taken or not ours")    \
  X(lag_ms, "(main) age of the last accepted batch by this node's clock, in ms (a gauge)")     \
  X(join_requests_sent, "(main) join requests this node sent its peers when it started")       \
  X(join_pending, "(main) 1 while this node waits for its peers' flows after a join (gauge)")  \
  X(join_done, "(main) joins a peer's join done ended, its flows received, within join_wait")  \
  X(join_timed_out, "(main) joins join_wait ended before any peer's join done")                \
  X(join_served, "(main) bulk walks of every worker's table made for peers' join requests")    \
  X(join_records, "(worker) flow records the bulk walks queued for joining peers")

enum class SyncCounter : uint8_t {
#define SLUICE_X(name, text) name,
  SLUICE_SYNC_COUNTERS(SLUICE_X)
#undef SLUICE_X
      count
};
inline constexpr size_t kSyncCounterCount = size_t(SyncCounter::count);

inline constexpr CounterInfo kSyncCounters[] = {
#define SLUICE_X(name, text) {#name, text},
    SLUICE_SYNC_COUNTERS(SLUICE_X)
#undef SLUICE_X
};
static_assert(sizeof(kSyncCounters) / sizeof(kSyncCounters[0]) == kSyncCounterCount);

}  // namespace sluice
