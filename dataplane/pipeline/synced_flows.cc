// SPDX-License-Identifier: BSD-3-Clause
// Pipeline's side of flow sync: flows and NAT connections from peers into this worker's
// tables.
#include "pipeline/pipeline.h"

namespace sluice {

namespace {

SyncCounter counter_of(SyncInstall outcome) {
  switch (outcome) {
    case SyncInstall::kInstalled:
      return SyncCounter::installed;
    case SyncInstall::kRefusedExists:
      return SyncCounter::refused_exists;
    case SyncInstall::kRefusedFull:
      return SyncCounter::refused_full;
    case SyncInstall::kUnknownBackend:
      return SyncCounter::unknown_backend;
    case SyncInstall::kRefusedPort:
      break;
  }
  return SyncCounter::refused_port;
}

}  // namespace

SyncInstall Pipeline::install_synced(const SyncRecord& record, const ForwardingState& state,
                                     uint32_t now_ms, uint64_t reserve) {
  const SyncInstall outcome = sluice::install_synced(flows_, record, state, now_ms, reserve);
  ++counters_[counter_of(outcome)];
  counters_.active_flows = flows_.size();
  return outcome;
}

SyncInstall Pipeline::install_synced_nat(const NatSyncRecord& record, const ForwardingState& state,
                                         uint32_t now_ms, uint32_t reserve) {
  const SyncInstall outcome = sluice::install_synced_nat(nat_, local_ports_, nat_local_addresses_,
                                                         record, state, now_ms, reserve);
  ++counters_[counter_of(outcome)];
  return outcome;
}

}  // namespace sluice
