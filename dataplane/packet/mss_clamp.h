// SPDX-License-Identifier: BSD-3-Clause
// Lowering the maximum segment size a TCP SYN announces (the VIP's mss_clamp): the MSS
// option's value is rewritten when larger than the limit and the TCP checksum updated
// incrementally; a smaller value is left alone and a SYN without the option gets none.
// Pure functions of the bytes they are given; any thread.
#pragma once

#include <cstdint>

#include "packet/packet_buffer.h"
#include "packet/parsed_packet.h"

namespace sluice {

// `tcp` points at a TCP header of `header_length` bytes, options included. Lowers every
// MSS option above `max_mss` to it; true when one was. Options past a malformed one (a
// length below 2 or past the header) are not read.
bool clamp_mss_options(uint8_t* tcp, uint32_t header_length, uint16_t max_mss);

// The same on the TCP header of a frame the parser accepted as TCP.
bool clamp_mss(PacketBuffer& frame, const ParsedPacket& parsed, uint16_t max_mss);

}  // namespace sluice
