// SPDX-License-Identifier: BSD-3-Clause
// One NAT connection as the nodes of a site tell each other about it (docs/flow-sync.md,
// "NAT connections"): what a NatConnection holds, with addresses instead of this node's
// indexes (the backend's, the fullnat local address itself). Plain value.
#pragma once

#include <cstdint>

#include "flow/flow_key.h"
#include "flow/flow_table.h"
#include "net/ip_address.h"
#include "net/mac_address.h"
#include "state/vip_table.h"

namespace sluice {

struct NatSyncRecord {
  VipKey vip;
  FlowKey forward;  // the client's packets: client -> VIP
  FlowKey reply;    // the backend's answers: backend -> client (nat) or -> local:port (fullnat)
  IpAddress backend;
  MacAddress client_mac;  // where the answers go
  bool fullnat = false;   // reply.dst and reply.dst_port are a local address and port
  FlowState state = FlowState::kTcpEstablished;
  uint32_t age_ms = 0;  // idle time when it was read from the NAT table
  friend bool operator==(const NatSyncRecord&, const NatSyncRecord&) = default;
};
static_assert(sizeof(NatSyncRecord) % 4 == 0, "an rte_ring element is a multiple of 4 bytes");

}  // namespace sluice
