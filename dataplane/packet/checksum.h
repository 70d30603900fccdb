// SPDX-License-Identifier: BSD-3-Clause
// Internet checksum (RFC 1071) and its incremental update (RFC 1624). Pure functions on
// bytes, callable from any thread; used by the encapsulations, the responders and the
// neighbor packet builders.
//
// A "partial sum" is the one's-complement sum of some bytes folded to 16 bits. Partial
// sums add with add() in any order (only the last piece of a message may have an odd
// length); finish() turns the total into the value stored in a checksum field. A message
// whose stored checksum is right sums (checksum field included) to 0xffff.
#pragma once

#include <cstdint>

#include "net/wire.h"

namespace sluice::checksum {

inline uint16_t fold(uint64_t sum) {
  sum = (sum & 0xffffffffu) + (sum >> 32);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return uint16_t(sum);
}

inline uint16_t add(uint16_t a, uint16_t b) { return fold(uint32_t(a) + b); }

inline uint16_t finish(uint16_t sum) { return uint16_t(~sum); }

// Partial sum of `length` bytes read as big-endian 16-bit words, an odd last byte padded
// with zero, added to `initial`.
inline uint16_t sum(const uint8_t* data, uint32_t length, uint16_t initial = 0) {
  // 32-bit words sum to the same 16-bit fold as 16-bit words, since 2^16 = 1 mod 0xffff.
  uint64_t acc = initial;
  while (length >= 8) {
    acc += wire::load_be32(data);
    acc += wire::load_be32(data + 4);
    data += 8;
    length -= 8;
  }
  if (length >= 4) {
    acc += wire::load_be32(data);
    data += 4;
    length -= 4;
  }
  if (length >= 2) {
    acc += wire::load_be16(data);
    data += 2;
    length -= 2;
  }
  if (length) acc += uint32_t(data[0]) << 8;
  return fold(acc);
}

// RFC 1624 eqn. 3: the checksum field value after one 16-bit word of the covered data
// changed from old_word to new_word.
inline uint16_t update16(uint16_t checksum, uint16_t old_word, uint16_t new_word) {
  return finish(fold(uint32_t(uint16_t(~checksum)) + uint16_t(~old_word) + new_word));
}

inline uint16_t update32(uint16_t checksum, uint32_t old_word, uint32_t new_word) {
  return finish(fold(uint64_t(uint16_t(~checksum)) + uint16_t(~(old_word >> 16)) +
                     uint16_t(~old_word) + (new_word >> 16) + (new_word & 0xffff)));
}

// Checksum field value of the IPv4 header at `ip`, computed as if its own checksum field
// (bytes 10-11) were zero, whatever it holds.
inline uint16_t ipv4_header(const uint8_t* ip, uint32_t header_length) {
  return finish(sum(ip + 12, header_length - 12, sum(ip, 10)));
}

// Partial sums of the TCP/UDP/ICMPv6 pseudo-headers (RFC 793/768 for IPv4, RFC 8200
// section 8.1 for IPv6); addresses in network order.
inline uint16_t pseudo_header_v4(const uint8_t* src4, const uint8_t* dst4, uint8_t protocol,
                                 uint32_t l4_length) {
  return fold(uint64_t(sum(src4, 4)) + sum(dst4, 4) + protocol + l4_length);
}
inline uint16_t pseudo_header_v6(const uint8_t* src16, const uint8_t* dst16, uint8_t next_header,
                                 uint32_t l4_length) {
  return fold(uint64_t(sum(src16, 16)) + sum(dst16, 16) + next_header + l4_length);
}

// Checksum field value of an L4 message of `l4_length` bytes at `l4`, carried by the IPv4
// or IPv6 header at `ip` (no extension header may change the pseudo-header addresses).
// The message's checksum field must be zero when called. UDP callers map a result of 0
// to 0xffff themselves.
inline uint16_t transport_v4(const uint8_t* ip, const uint8_t* l4, uint32_t l4_length,
                             uint8_t protocol) {
  return finish(sum(l4, l4_length, pseudo_header_v4(ip + 12, ip + 16, protocol, l4_length)));
}
inline uint16_t transport_v6(const uint8_t* ip6, const uint8_t* l4, uint32_t l4_length,
                             uint8_t next_header) {
  return finish(sum(l4, l4_length, pseudo_header_v6(ip6 + 8, ip6 + 24, next_header, l4_length)));
}

// True when the L4 message (checksum field included, as received) carries a right checksum.
inline bool transport_v6_valid(const uint8_t* ip6, const uint8_t* l4, uint32_t l4_length,
                               uint8_t next_header) {
  return sum(l4, l4_length, pseudo_header_v6(ip6 + 8, ip6 + 24, next_header, l4_length)) == 0xffff;
}

}  // namespace sluice::checksum
