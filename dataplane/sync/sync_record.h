// SPDX-License-Identifier: BSD-3-Clause
// One flow as the nodes of a site tell each other about it: its VIP, its 5-tuple, its
// backend by address (backend ids are each node's own), its state and how long it has
// been idle. A worker publishes one when a flow passes the sync threshold; the main lcore
// hands one received from a peer to the worker that owns the flow. Plain value, copied
// through rings.
#pragma once

#include <cstdint>

#include "flow/flow_key.h"
#include "flow/flow_table.h"
#include "net/ip_address.h"
#include "state/vip_table.h"

namespace sluice {

struct SyncRecord {
  VipKey vip;
  FlowKey flow;
  IpAddress backend;
  uint32_t age_ms = 0;  // idle time when it was read from the flow table
  FlowState state = FlowState::kTcpEstablished;
  uint8_t pad[3] = {};
  friend bool operator==(const SyncRecord&, const SyncRecord&) = default;
};
static_assert(sizeof(SyncRecord) % 4 == 0, "an rte_ring element is a multiple of 4 bytes");

}  // namespace sluice
