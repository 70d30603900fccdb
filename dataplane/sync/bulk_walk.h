// SPDX-License-Identifier: BSD-3-Clause
// Bulk sync's side in the worker that answers a join (docs/flow-sync.md): a walk over the
// worker's own flow table, a few buckets a loop turn, that turns every flow worth a
// peer's table into a record, as the pipeline publishes one: established TCP, UDP and
// other flows (not half-open or closing ones), with the VIP this node matches for the
// flow (or would, once active: a VRRP BACKUP passes on the flows it holds for its
// MASTER) and the backend's address from the current snapshot, and the flow's idle time.
// The owning worker only; no allocation.
#pragma once

#include <cstddef>
#include <cstdint>

#include "flow/flow_table.h"
#include "state/forwarding_state.h"
#include "sync/sync_record.h"

namespace sluice {

// Records for the live flows of buckets [cursor, cursor + buckets) written to out, which
// has room for buckets * FlowTable::kWays; cursor moves past them (to bucket_count() at
// the end of the table). Returns how many it wrote.
size_t bulk_records(const FlowTable& flows, const ForwardingState& state, uint32_t& cursor,
                    uint32_t buckets, uint32_t now_ms, SyncRecord* out);

}  // namespace sluice
