// SPDX-License-Identifier: BSD-3-Clause
#include "sync/bulk_walk.h"

namespace sluice {

size_t bulk_records(const FlowTable& flows, const ForwardingState& state, uint32_t& cursor,
                    uint32_t buckets, uint32_t now_ms, SyncRecord* out) {
  size_t n = 0;
  flows.visit(cursor, buckets, now_ms, [&](const FlowView& flow) {
    if (flow.state == FlowState::kTcpSynOnly || flow.state == FlowState::kTcpClosing) return;
    const FlowKey& key = flow.key;
    uint32_t vip_index = state.vip_table.find(key.dst, key.protocol, key.dst_port);
    if (vip_index == VipTable::kNone)
      vip_index = state.every_vip_table.find(key.dst, key.protocol, key.dst_port);
    if (vip_index == VipTable::kNone) return;
    const VipEntry& vip = state.vips[vip_index];
    for (const BackendEntry& b : vip.backends) {
      if (b.id != flow.backend_id) continue;
      SyncRecord& r = out[n++];
      r = SyncRecord{};
      r.vip = vip.key;
      r.flow = key;
      r.backend = b.address;
      r.age_ms = flow.idle_ms;
      r.state = flow.state;
      return;
    }
  });
  const uint32_t end = flows.bucket_count();
  cursor = buckets >= end - cursor ? end : cursor + buckets;
  return n;
}

}  // namespace sluice
