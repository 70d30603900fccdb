// SPDX-License-Identifier: BSD-3-Clause
// A contiguous frame with room in front of it: what rewriters work on. The DPDK glue
// builds one from a single-segment mbuf and writes data/len back after the rewrite, so
// the packet code itself never sees DPDK and is tested on plain arrays.
#pragma once

#include <cstdint>

namespace sluice {

struct PacketBuffer {
  uint8_t* data = nullptr;  // first byte of the frame
  uint32_t length = 0;      // bytes of frame
  uint32_t headroom = 0;    // writable bytes before data
  uint32_t tailroom = 0;    // writable bytes after data + length
  void* handle = nullptr;   // the caller's (its mbuf), for frames the pipeline keeps a while

  // Grows the frame at the front; nullptr (and no change) when headroom is short.
  uint8_t* prepend(uint32_t n) {
    if (n > headroom) return nullptr;
    data -= n;
    headroom -= n;
    length += n;
    return data;
  }
  // Shrinks the frame at the front.
  void trim_front(uint32_t n) {
    data += n;
    headroom += n;
    length -= n;
  }
  // Sets the frame length, growing into tailroom; false when tailroom is short.
  bool resize(uint32_t n) {
    if (n > length + tailroom) return false;
    tailroom = length + tailroom - n;
    length = n;
    return true;
  }
};

}  // namespace sluice
