// SPDX-License-Identifier: BSD-3-Clause
// Walks a flow set for one TX lcore: lcore k of n sends flows k, k + n, k + 2n, ... and
// wraps at the end of the set, so n lcores together send the set in order, round after
// round, and a run of N packets gives every flow N / flows packets (one more to the first
// N % flows). Incremental, so the packet path does no division. Pure; owned by one lcore.
#pragma once

#include <cstdint>

#include "flow_spec.h"
#include "frame_template.h"

namespace sluice::pktgen {

class FlowCursor {
 public:
  // `step` >= 1; `first` < spec.flows.
  FlowCursor(const FlowSpec& spec, const FlowFields& flow0, uint32_t first, uint32_t step)
      : flows_(spec.flows),
        ports_(spec.ports),
        step_(step),
        src0_(flow0.src_low32),
        sport0_(flow0.sport) {
    for (uint32_t i = 0; i < first; ++i) next_one();
  }

  const FlowFields& current() const { return fields_; }

  void advance() {
    for (uint32_t i = 0; i < step_; ++i) next_one();
  }

 private:
  void next_one() {
    if (++fields_.flow == flows_) {
      fields_ = FlowFields{0, src0_, sport0_};
      port_index_ = 0;
      return;
    }
    if (++port_index_ == ports_) {
      port_index_ = 0;
      ++fields_.src_low32;
      fields_.sport = sport0_;
    } else {
      ++fields_.sport;
    }
  }

  uint32_t flows_, ports_, step_, src0_;
  uint16_t sport0_;
  uint32_t port_index_ = 0;
  FlowFields fields_{0, src0_, sport0_};
};

}  // namespace sluice::pktgen
