// SPDX-License-Identifier: BSD-3-Clause
// How each worker remembers the datagrams whose fragments it forwards (the config's
// [fragments]; dataplane/flow/fragment_table.h uses them). Plain value type.
#pragma once

#include <cstdint>

namespace sluice {

// The most fragments one worker may hold: bounds the arrays a burst returns them in.
inline constexpr uint32_t kMaxHeldFragments = 1024;

struct FragmentSettings {
  uint32_t table_size = 8192;       // datagrams remembered per worker
  uint32_t hold = 256;              // fragments held per worker, waiting for their first
  uint32_t hold_per_datagram = 64;  // of those, at most this many of one datagram
  uint32_t timeout_ms = 1000;       // a first fragment's decision outlives the last fragment
  uint32_t hold_ms = 100;           // a held fragment waits at most this long
  friend bool operator==(const FragmentSettings&, const FragmentSettings&) = default;
};

}  // namespace sluice
