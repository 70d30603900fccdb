// SPDX-License-Identifier: BSD-3-Clause
// The VRRPv3 advertisement (RFC 5798 §5.2, RFC 9568 §5.2) on the wire: the VRRP message
// only, the payload of an IPv4 packet with protocol 112 or of an IPv6 packet with next
// header 112. The IP header is the socket's business; the addresses and the TTL it
// carried come in as ReceivedIp because the checksum and §7.1 need them.
//
//    0                   1                   2                   3
//   |Version| Type  | Virtual Rtr ID|   Priority    |Count IPvX Addr|
//   |(rsvd) |     Max Adver Int     |          Checksum             |
//   |                  IPvX Address(es) (4 or 16 bytes each)        |
//
// Checksum forms (§5.2.8). IPv6: always over the RFC 8200 §8.1 pseudo-header plus the
// message; both RFCs agree. IPv4: the RFCs disagree.
//  * kPseudoHeader: RFC 5798 §5.2.8, the message plus an IPv4 pseudo-header (source,
//    destination, protocol 112, length). What keepalived (always up to 2.2.7; by default
//    since), FRR, Wireshark and scapy use: the default. (RFC 5798 points at the RFC 2460
//    pseudo-header; filled with IPv4 addresses it sums to the same value.)
//  * kMessageOnly: RFC 9568 §5.2.8 (and VRRPv2, RFC 3768 §5.3.8): the message alone. Sent
//    by strict RFC 9568 peers, by routers that read RFC 5798 so (Cisco), and by keepalived
//    2.2.8 and later with `v3_checksum_as_v2`.
// An instance is configured with one form (sluice's `ipv4_checksum`): encode() sends it
// and decode() takes it and no other. A message right in the other form is
// kOtherChecksumForm, not kBadChecksum, so the log can say what to change: such a peer
// cannot hear this node either, and taking its adverts anyway would hide a one-way link.
//
// Pure functions on plain values; any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "net/ip_address.h"

namespace sluice::vrrp {

inline constexpr uint8_t kIpProtocol = 112;
inline constexpr uint8_t kVersion = 3;
inline constexpr uint8_t kTypeAdvertisement = 1;
inline constexpr uint8_t kRequiredTtl = 255;  // §5.1.1.3, §5.1.2.3
inline constexpr size_t kHeaderSize = 8;
inline constexpr uint16_t kMaxAdverIntCs = 4095;  // 12 bits (§5.2.7)
inline constexpr uint8_t kPriorityOwner = 255;    // §5.2.4
inline constexpr uint8_t kPriorityResign = 0;     // §5.2.4: the Master stops
// 224.0.0.18 and ff02::12 (§5.1.1.2, §5.1.2.2).
IpAddress multicast_group_v4();
IpAddress multicast_group_v6();

struct Advert {
  uint8_t vrid = 0;
  uint8_t priority = 0;
  uint16_t max_adver_int_cs = 100;   // centiseconds, 1..4095
  std::vector<IpAddress> addresses;  // all of the packet's family

  friend bool operator==(const Advert&, const Advert&) = default;
};

enum class ChecksumForm : uint8_t { kPseudoHeader, kMessageOnly };
const char* checksum_form_name(ChecksumForm form);  // "pseudo-header", "message-only"

// What the IP layer saw: from the socket (IP_PKTINFO / IPV6_PKTINFO, IP_RECVTTL /
// IPV6_RECVHOPLIMIT). source and destination must be of the same family; it is the
// family of the packet.
struct ReceivedIp {
  IpAddress source;
  IpAddress destination;
  uint8_t ttl = kRequiredTtl;  // TTL or Hop Limit
};

// Every reason a received message is discarded, in the order decode() checks them.
#define SLUICE_VRRP_DECODE_ERRORS(X)                                           \
  X(kOk, "ok")                                                                 \
  X(kFamilyMismatch, "source and destination addresses of different families") \
  X(kBadTtl, "TTL/hop limit is not 255 (RFC 5798 5.1.1.3, 5.1.2.3)")           \
  X(kTruncated, "shorter than the 8-byte VRRP header")                         \
  X(kWrongVersion, "version is not 3")                                         \
  X(kWrongType, "type is not 1 (ADVERTISEMENT)")                               \
  X(kNoAddresses, "address count is 0 (RFC 5798 5.2.5: at least 1)")           \
  X(kLengthMismatch, "length does not match the address count")                \
  X(kBadChecksum, "bad checksum")                                              \
  X(kOtherChecksumForm, "IPv4 checksum in the other form")                     \
  X(kZeroInterval, "Max Adver Int is 0 (RFC 9568 7.1, erratum 8301)")

enum class DecodeError : uint8_t {
#define SLUICE_X(name, text) name,
  SLUICE_VRRP_DECODE_ERRORS(SLUICE_X)
#undef SLUICE_X
};
std::string_view decode_error_text(DecodeError e);

struct DecodeResult {
  DecodeError error = DecodeError::kOk;
  Advert advert;  // meaningful when ok()
  // The form that matched: when ok(), the expected one (IPv6: kPseudoHeader); with
  // kOtherChecksumForm, the other one.
  ChecksumForm checksum = ChecksumForm::kPseudoHeader;
  // Filled for the errors where a number helps the operator: the version or type seen,
  // the count and the length, the checksum on the wire.
  uint32_t detail = 0;

  bool ok() const { return error == DecodeError::kOk; }
  // "ok", "version is not 3 (got 2)", "length does not match the address count (count 3,
  // 16 bytes)", ...
  std::string text() const;
};

// Validates a received VRRP message against everything RFC 5798 §7.1 / RFC 9568 §7.1
// checks on the packet itself: TTL, version, type, complete message for the count,
// checksum (IPv4: in the form `ipv4_form`), non-zero interval. The VRID match, the family
// of the virtual router and the address-list comparison need the configuration:
// vrrp::Instance::on_advert does them.
DecodeResult decode(std::span<const uint8_t> message, const ReceivedIp& ip,
                    ChecksumForm ipv4_form = ChecksumForm::kPseudoHeader);

// The VRRP message for `advert`, checksum filled for source -> destination (the group,
// or a unicast peer). The caller guarantees what Config::validate() checks: 1..255
// addresses of the family of source, interval 1..4095 (larger values are truncated to
// 12 bits).
std::vector<uint8_t> encode(const Advert& advert, const IpAddress& source,
                            const IpAddress& destination,
                            ChecksumForm form = ChecksumForm::kPseudoHeader);

// The 16-bit one's complement checksum of `message` (its checksum field included as
// is), with or without the pseudo-header. A message whose field is right sums to 0.
uint16_t checksum(std::span<const uint8_t> message, const IpAddress& source,
                  const IpAddress& destination, ChecksumForm form);

}  // namespace sluice::vrrp
