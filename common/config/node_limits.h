// SPDX-License-Identifier: BSD-3-Clause
// How much one sluice node carries. The loader rejects a config over a limit with the
// line of the first entry past it (so --check and the running programs agree), and the
// dataplane sizes its id spaces and counter arrays from the same numbers.
#pragma once

#include <cstdint>

namespace sluice::config {

inline constexpr uint32_t kMaxVips = 16384;  // [[vip]] entries
// (VIP, backend) pairs over all VIPs, backends in maint included.
inline constexpr uint32_t kMaxBackends = 1u << 19;
// Backends of one VIP: Maglev's slots index them with 16 bits.
inline constexpr uint32_t kMaxBackendsPerVip = 65535;
// A config file, and so the desired state sluiced sends (channel/message.h kMaxPayload):
// room for every limit above written out in full.
inline constexpr uint64_t kMaxConfigBytes = 64u << 20;

}  // namespace sluice::config
