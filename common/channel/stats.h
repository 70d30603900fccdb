// SPDX-License-Identifier: BSD-3-Clause
// The payload of MessageType::kStats: the dataplane's counters summed over its workers, as
// the dataplane encodes them and sluiced decodes them. Pure; any thread.
//
// Wire format (channel version 3), integers unsigned and big-endian, no padding:
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
//
// and nothing after the last VIP.
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

struct Stats {
  uint64_t generation = 0;
  // Events, active flows, per-port exception path and steering counters, drops by reason
  // (drop_<reason>): name and value, in the order to show them.
  std::vector<std::pair<std::string, uint64_t>> counters;
  std::vector<VipStats> vips;
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
