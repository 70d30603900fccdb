// SPDX-License-Identifier: BSD-3-Clause
// A flow a peer published, into the flow table of the worker that owns it. It never
// overrides: a flow this worker already has (live) stays as it is. It never displaces: it
// takes only a free or expired way, and only while the table holds fewer than
// capacity - reserve flows, so local flows always find the reserve. The backend is the
// published address among the backends of the VIP this node matches for the flow, or
// would match once active: a VRRP BACKUP installs its MASTER's flows for the takeover.
// The owning worker only; no allocation.
#pragma once

#include <cstdint>

#include "flow/flow_table.h"
#include "state/forwarding_state.h"
#include "sync/sync_record.h"

namespace sluice {

enum class SyncInstall : uint8_t { kInstalled, kRefusedExists, kRefusedFull, kUnknownBackend };

SyncInstall install_synced(FlowTable& flows, const SyncRecord& record, const ForwardingState& state,
                           uint32_t now_ms, uint64_t reserve);

}  // namespace sluice
