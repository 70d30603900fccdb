// SPDX-License-Identifier: BSD-3-Clause
// Which VIPs are under a SYN flood, from the dataplane's counters as they come (about once
// a second): per VIP, its new flows per second and its new SYN-only flows per second that
// the workers did not insert into their flow tables (over their syn_admission_limit,
// flow/flood_guard.h). A VIP is under flood while that second number is above zero; the
// watch remembers since when, and when it last was. Pure; the daemon's main loop only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "channel/stats.h"

namespace sluice::sluiced {

class FloodWatch {
 public:
  struct Vip {
    uint64_t new_flows_per_s = 0;
    uint64_t syns_not_admitted_per_s = 0;
    uint64_t syns_not_admitted = 0;          // since the dataplane started
    std::optional<uint64_t> flood_since_ms;  // set while under flood: when it began
    std::optional<uint64_t> last_flood_ms;   // the last sample that saw SYNs not admitted
    bool under_flood() const { return flood_since_ms.has_value(); }
  };

  // The dataplane's counters at `now_ms`. Rates are over the time since the previous
  // sample; a VIP first seen, or whose counters went back (a restarted dataplane), gets
  // its rates from the next sample on.
  void sample(const channel::Stats& stats, uint64_t now_ms);

  // nullptr for a VIP the last sample did not list.
  const Vip* find(const std::string& name) const;

 private:
  struct Entry {
    Vip view;
    uint64_t new_flows = 0;  // the counters of the previous sample
    uint64_t syns_not_admitted = 0;
  };
  std::map<std::string, Entry> vips_;
  uint64_t last_ms_ = 0;
};

}  // namespace sluice::sluiced
