// SPDX-License-Identifier: BSD-3-Clause
// The payload of MessageType::kStats: the dataplane's counters summed over its workers, and
// each worker's load and flow table, as the dataplane encodes them and sluiced decodes them.
// Pure; any thread.
//
// Wire format (channel version 4), integers unsigned and big-endian, no padding:
//
//   u64 generation                 the dataplane's published snapshot
//   u32 counter count, then per counter:
//     u8 name length, name         1..255 bytes of printable ASCII without spaces
//     u64 value
//   u32 VIP count, then per VIP:
//     u8 name length, name         as a counter's name
//     u64 packets, u64 bytes, u64 new_flows
//     u64 syns_not_admitted          new SYN-only flows not inserted (syn_admission_limit)
//     u32 backend count, then per backend:
//       16 bytes address           IpAddress::bytes (IPv4 as ::ffff:a.b.c.d)
//       u64 packets, u64 bytes, u64 new_flows
//   u32 worker count, then per worker, in worker order:
//     u32 lcore
//     u32 busy_ppm                 busy share of its last second, parts per million
//     u64 busy_cycles, u64 loop_cycles
//     u64 active_flows, u64 flow_capacity, u64 flow_insert_failures, u64 flow_evictions
//
// and nothing after the last worker.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/ip_address.h"

namespace sluice::channel {

inline constexpr size_t kMaxStatsNameLength = 255;

struct Traffic {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t new_flows = 0;
  friend bool operator==(const Traffic&, const Traffic&) = default;
};

struct BackendStats {
  IpAddress address;
  Traffic traffic;
  friend bool operator==(const BackendStats&, const BackendStats&) = default;
};

struct VipStats {
  std::string name;
  Traffic traffic;
  std::vector<BackendStats> backends;
  // Its new SYN-only flows that a worker over its syn_admission_limit did not insert.
  uint64_t syns_not_admitted = 0;
  friend bool operator==(const VipStats&, const VipStats&) = default;
};

inline constexpr uint32_t kBusyPpmScale = 1'000'000;

// One worker lcore, as pipeline/loop_clock.h and its flow table count.
struct WorkerStats {
  uint32_t lcore = 0;
  // busy_cycles over loop_cycles in the dataplane's last one-second window, in parts per
  // million (0..kBusyPpmScale).
  uint32_t busy_ppm = 0;
  uint64_t busy_cycles = 0;  // TSC cycles of loop turns that received frames
  uint64_t loop_cycles = 0;  // TSC cycles of every loop turn
  uint64_t active_flows = 0;
  uint64_t flow_capacity = 0;
  uint64_t flow_insert_failures = 0;
  uint64_t flow_evictions = 0;
  friend bool operator==(const WorkerStats&, const WorkerStats&) = default;
};

struct Stats {
  uint64_t generation = 0;
  // Events, active flows, per-port exception path and steering counters, drops by reason
  // (drop_<reason>): name and value, in the order to show them.
  std::vector<std::pair<std::string, uint64_t>> counters;
  std::vector<VipStats> vips;
  std::vector<WorkerStats> workers;
  friend bool operator==(const Stats&, const Stats&) = default;
};

// Every name must be 1..kMaxStatsNameLength bytes of printable ASCII without spaces, as the
// config's names and the counter tables' are: decode_stats refuses any other, and a longer
// one is cut to kMaxStatsNameLength bytes so that the payload stays well-formed.
std::string encode_stats(const Stats& stats);

// nullopt and `error` set when `payload` is not exactly one encoded Stats: the error names
// the field and the byte offset. Allocates no more than the payload's size justifies.
std::optional<Stats> decode_stats(std::string_view payload, std::string& error);

}  // namespace sluice::channel
