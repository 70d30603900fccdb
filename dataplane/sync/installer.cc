// SPDX-License-Identifier: BSD-3-Clause
#include "sync/installer.h"

#include "flow/hash.h"

namespace sluice {

SyncInstall install_synced(FlowTable& flows, const SyncRecord& record, const ForwardingState& state,
                           uint32_t now_ms, uint64_t reserve) {
  const FlowKey& key = record.flow;
  uint32_t vip_index = state.vip_table.find(key.dst, key.protocol, key.dst_port);
  if (vip_index == VipTable::kNone || !(state.vips[vip_index].key == record.vip))
    vip_index = state.every_vip_table.find(key.dst, key.protocol, key.dst_port);
  if (vip_index == VipTable::kNone) return SyncInstall::kUnknownBackend;
  const VipEntry& vip = state.vips[vip_index];
  if (!(vip.key == record.vip)) return SyncInstall::kUnknownBackend;
  const BackendEntry* backend = nullptr;
  for (const BackendEntry& b : vip.backends)
    if (b.address == record.backend) backend = &b;
  if (!backend) return SyncInstall::kUnknownBackend;

  const uint32_t hash = flow_hash(key);
  if (flows.contains_live(key, hash, now_ms)) return SyncInstall::kRefusedExists;
  if (flows.size() + reserve >= flows.capacity()) return SyncInstall::kRefusedFull;
  if (!flows.insert_vacant(key, hash, backend->id, record.state, now_ms, now_ms - record.age_ms))
    return SyncInstall::kRefusedFull;
  return SyncInstall::kInstalled;
}

}  // namespace sluice
