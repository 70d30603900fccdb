// SPDX-License-Identifier: BSD-3-Clause
// Pipeline's side of flow sync: flows and NAT connections from peers into this worker's
// tables.
#include "pipeline/pipeline.h"

namespace sluice {

SyncInstall Pipeline::install_synced(const SyncRecord& record, const ForwardingState& state,
                                     uint32_t now_ms, uint64_t reserve) {
  const SyncInstall outcome = sluice::install_synced(flows_, record, state, now_ms, reserve);
  switch (outcome) {
    case SyncInstall::kInstalled:
      ++counters_[SyncCounter::installed];
      break;
    case SyncInstall::kRefusedExists:
      ++counters_[SyncCounter::refused_exists];
      break;
    case SyncInstall::kRefusedFull:
      ++counters_[SyncCounter::refused_full];
      break;
    case SyncInstall::kUnknownBackend:
      ++counters_[SyncCounter::unknown_backend];
      break;
    case SyncInstall::kRefusedPort:
      ++counters_[SyncCounter::refused_port];
      break;
  }
  counters_.active_flows = flows_.size();
  return outcome;
}

SyncInstall Pipeline::install_synced_nat(const NatSyncRecord& record, const ForwardingState& state,
                                         uint32_t now_ms, uint32_t reserve) {
  const SyncInstall outcome = sluice::install_synced_nat(nat_, local_ports_, nat_local_addresses_,
                                                         record, state, now_ms, reserve);
  switch (outcome) {
    case SyncInstall::kInstalled:
      ++counters_[SyncCounter::installed];
      break;
    case SyncInstall::kRefusedExists:
      ++counters_[SyncCounter::refused_exists];
      break;
    case SyncInstall::kRefusedFull:
      ++counters_[SyncCounter::refused_full];
      break;
    case SyncInstall::kUnknownBackend:
      ++counters_[SyncCounter::unknown_backend];
      break;
    case SyncInstall::kRefusedPort:
      ++counters_[SyncCounter::refused_port];
      break;
  }
  return outcome;
}

}  // namespace sluice
