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
#include <span>

#include "flow/flow_table.h"
#include "nat/local_ports.h"
#include "nat/nat_table.h"
#include "state/forwarding_state.h"
#include "sync/nat_sync_record.h"
#include "sync/sync_record.h"

namespace sluice {

enum class SyncInstall : uint8_t {
  kInstalled,
  kRefusedExists,
  kRefusedFull,
  kUnknownBackend,
  kRefusedPort,  // NAT: the fullnat local port is taken here, or another worker's
};

SyncInstall install_synced(FlowTable& flows, const SyncRecord& record, const ForwardingState& state,
                           uint32_t now_ms, uint64_t reserve);

// A NAT connection a peer published, into the NAT table of the worker that owns it (for
// fullnat the owner of its local port, local_port_owner()), on the same terms: never over
// a live connection (by either key), only below capacity - reserve, the backend by address
// among the VIP's, and the VIP of the same mode here. A fullnat connection takes its local
// address (by address, among `local_addresses`, the [nat] ones) and its very port from
// this worker's share of `ports`: a port taken here (or not this worker's) refuses it. The
// connection starts its timeout afresh (NatTable keeps no older last-seen time).
SyncInstall install_synced_nat(NatTable& nat, LocalPorts& ports,
                               std::span<const IpAddress> local_addresses,
                               const NatSyncRecord& record, const ForwardingState& state,
                               uint32_t now_ms, uint32_t reserve);

}  // namespace sluice
