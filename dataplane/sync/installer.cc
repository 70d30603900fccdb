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

SyncInstall install_synced_nat(NatTable& nat, LocalPorts& ports,
                               std::span<const IpAddress> local_addresses,
                               const NatSyncRecord& record, const ForwardingState& state,
                               uint32_t now_ms, uint32_t reserve) {
  const FlowKey& key = record.forward;
  const uint32_t vip_index = state.vip_table.find(key.dst, key.protocol, key.dst_port);
  if (vip_index == VipTable::kNone) return SyncInstall::kUnknownBackend;
  const VipEntry& vip = state.vips[vip_index];
  const ForwardingMode mode = record.fullnat ? ForwardingMode::kFullNat : ForwardingMode::kNat;
  if (!(vip.key == record.vip) || vip.mode != mode) return SyncInstall::kUnknownBackend;
  const BackendEntry* backend = nullptr;
  for (const BackendEntry& b : vip.backends)
    if (b.address == record.backend) backend = &b;
  if (!backend) return SyncInstall::kUnknownBackend;
  uint8_t local = kNoLocalAddress;
  if (record.fullnat) {
    for (size_t i = 0; i < local_addresses.size() && i < kNoLocalAddress; ++i)
      if (local_addresses[i] == record.reply.dst) local = uint8_t(i);
    if (local == kNoLocalAddress || local >= ports.addresses()) return SyncInstall::kUnknownBackend;
  }

  const uint32_t hash = flow_hash(key);
  const uint32_t reply_hash = flow_hash(record.reply);
  if (nat.find_forward(key, hash, now_ms, 0) || nat.find_reply(record.reply, reply_hash, now_ms, 0))
    return SyncInstall::kRefusedExists;
  if (uint64_t(nat.size()) + reserve >= nat.capacity()) return SyncInstall::kRefusedFull;
  if (local != kNoLocalAddress && !ports.claim(local, record.reply.dst_port))
    return SyncInstall::kRefusedPort;
  if (!nat.insert(key, hash, record.reply, reply_hash, backend->id, record.state, record.client_mac,
                  local, now_ms)) {
    if (local != kNoLocalAddress) ports.give_back(local, record.reply.dst_port);
    return SyncInstall::kRefusedFull;
  }
  return SyncInstall::kInstalled;
}

}  // namespace sluice
