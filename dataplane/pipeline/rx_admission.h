// SPDX-License-Identifier: BSD-3-Clause
// What a worker does with a received frame around the pipeline (runtime/worker.cc), as
// plain functions the trace applies too (trace/packet_tracer.h). Pure; any thread.
#pragma once

#include <cstdint>
#include <optional>

#include "pipeline/counters.h"

namespace sluice {

// Before the pipeline: a frame longer than the port's mtu plus Ethernet and VLAN headers,
// or held in several segments, is dropped for this reason.
inline std::optional<DropReason> refused_before_pipeline(uint32_t length, uint32_t segments,
                                                         uint32_t max_frame_length) {
  if (length > max_frame_length) return DropReason::over_mtu;
  if (segments != 1) return DropReason::multi_segment;
  return std::nullopt;
}

// After it: a frame for the host goes to the port's exception path; without one it is
// dropped for this reason.
inline constexpr DropReason kNoExceptionPath = DropReason::host_unhandled;

}  // namespace sluice
