// SPDX-License-Identifier: BSD-3-Clause
#include "vrrp/packet.h"

namespace sluice::vrrp {
namespace {

size_t address_size(const IpAddress& a) { return a.is_v4() ? 4 : 16; }
const uint8_t* address_wire(const IpAddress& a) { return a.is_v4() ? a.v4_wire() : a.v6_wire(); }

// One's complement sum of 16-bit big-endian words, not yet folded.
uint32_t sum_words(const uint8_t* p, size_t n, uint32_t sum) {
  for (; n >= 2; p += 2, n -= 2) sum += uint32_t(p[0]) << 8 | p[1];
  if (n) sum += uint32_t(p[0]) << 8;
  return sum;
}

uint16_t fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return uint16_t(~sum);
}

}  // namespace

IpAddress multicast_group_v4() { return IpAddress::v4(0xe0000012); }

IpAddress multicast_group_v6() {
  IpAddress a;
  a.bytes[0] = 0xff;
  a.bytes[1] = 0x02;
  a.bytes[15] = 0x12;
  return a;
}

const char* checksum_form_name(ChecksumForm form) {
  return form == ChecksumForm::kPseudoHeader ? "pseudo-header" : "message-only";
}

std::string_view decode_error_text(DecodeError e) {
  switch (e) {
#define SLUICE_X(name, text) \
  case DecodeError::name:    \
    return text;
    SLUICE_VRRP_DECODE_ERRORS(SLUICE_X)
#undef SLUICE_X
  }
  return "unknown";
}

std::string DecodeResult::text() const {
  std::string t(decode_error_text(error));
  switch (error) {
    case DecodeError::kBadTtl:
    case DecodeError::kWrongVersion:
    case DecodeError::kWrongType:
      t += " (got " + std::to_string(detail) + ")";
      break;
    case DecodeError::kTruncated:
      t += " (" + std::to_string(detail) + " bytes)";
      break;
    case DecodeError::kLengthMismatch:
      t += " (count " + std::to_string(detail >> 16) + ", " + std::to_string(detail & 0xffff) +
           " bytes)";
      break;
    case DecodeError::kBadChecksum: {
      static const char kHex[] = "0123456789abcdef";
      t += " (0x";
      for (int shift = 12; shift >= 0; shift -= 4) t += kHex[(detail >> shift) & 0xf];
      t += " on the wire)";
      break;
    }
    case DecodeError::kOtherChecksumForm: {
      auto form = [](ChecksumForm f) {
        return std::string(checksum_form_name(f)) +
               (f == ChecksumForm::kPseudoHeader ? ", RFC 5798 5.2.8" : ", RFC 9568 5.2.8");
      };
      ChecksumForm expected = checksum == ChecksumForm::kPseudoHeader ? ChecksumForm::kMessageOnly
                                                                      : ChecksumForm::kPseudoHeader;
      t += " (" + form(checksum) + "; expected " + form(expected) + ")";
      break;
    }
    default:
      break;
  }
  return t;
}

uint16_t checksum(std::span<const uint8_t> message, const IpAddress& source,
                  const IpAddress& destination, ChecksumForm form) {
  uint32_t sum = 0;
  if (form == ChecksumForm::kPseudoHeader) {
    // IPv4 (RFC 768 style) and IPv6 (RFC 8200 §8.1): addresses, upper-layer length,
    // next header. The zero bytes add nothing, so one formula serves both.
    size_t n = address_size(source);
    sum = sum_words(address_wire(source), n, sum);
    sum = sum_words(address_wire(destination), n, sum);
    sum += uint32_t(message.size() >> 16) + uint32_t(message.size() & 0xffff);
    sum += kIpProtocol;
  }
  return fold(sum_words(message.data(), message.size(), sum));
}

DecodeResult decode(std::span<const uint8_t> message, const ReceivedIp& ip,
                    ChecksumForm ipv4_form) {
  DecodeResult r;
  auto fail = [&r](DecodeError e, uint32_t detail = 0) {
    r.error = e;
    r.detail = detail;
    return r;
  };
  bool v4 = ip.source.is_v4();
  if (v4 != ip.destination.is_v4()) return fail(DecodeError::kFamilyMismatch);
  if (ip.ttl != kRequiredTtl) return fail(DecodeError::kBadTtl, ip.ttl);
  if (message.size() < kHeaderSize) return fail(DecodeError::kTruncated, message.size());
  const uint8_t* p = message.data();
  if (p[0] >> 4 != kVersion) return fail(DecodeError::kWrongVersion, p[0] >> 4);
  if ((p[0] & 0xf) != kTypeAdvertisement) return fail(DecodeError::kWrongType, p[0] & 0xf);
  uint8_t count = p[3];
  if (count == 0) return fail(DecodeError::kNoAddresses);
  size_t asize = v4 ? 4 : 16;
  if (message.size() != kHeaderSize + count * asize)
    return fail(DecodeError::kLengthMismatch, uint32_t(count) << 16 | (message.size() & 0xffff));

  ChecksumForm expected = v4 ? ipv4_form : ChecksumForm::kPseudoHeader;
  r.checksum = expected;
  if (checksum(message, ip.source, ip.destination, expected) != 0) {
    ChecksumForm other = expected == ChecksumForm::kPseudoHeader ? ChecksumForm::kMessageOnly
                                                                 : ChecksumForm::kPseudoHeader;
    if (!v4 || checksum(message, ip.source, ip.destination, other) != 0)
      return fail(DecodeError::kBadChecksum, uint32_t(p[6]) << 8 | p[7]);
    r.checksum = other;
    return fail(DecodeError::kOtherChecksumForm);
  }

  // The 4 rsvd bits above Max Adver Int are ignored on receipt (§5.2.6).
  uint16_t interval = uint16_t((p[4] & 0x0f) << 8 | p[5]);
  if (interval == 0) return fail(DecodeError::kZeroInterval);

  r.advert.vrid = p[1];
  r.advert.priority = p[2];
  r.advert.max_adver_int_cs = interval;
  r.advert.addresses.reserve(count);
  for (const uint8_t* a = p + kHeaderSize; a < p + message.size(); a += asize)
    r.advert.addresses.push_back(v4 ? IpAddress::v4_from_wire(a) : IpAddress::v6_from_wire(a));
  return r;
}

std::vector<uint8_t> encode(const Advert& advert, const IpAddress& source,
                            const IpAddress& destination, ChecksumForm form) {
  if (!source.is_v4()) form = ChecksumForm::kPseudoHeader;
  size_t asize = address_size(source);
  std::vector<uint8_t> m(kHeaderSize + advert.addresses.size() * asize);
  uint16_t interval = advert.max_adver_int_cs & 0x0fff;
  m[0] = kVersion << 4 | kTypeAdvertisement;
  m[1] = advert.vrid;
  m[2] = advert.priority;
  m[3] = uint8_t(advert.addresses.size());
  m[4] = uint8_t(interval >> 8);
  m[5] = uint8_t(interval);
  uint8_t* out = m.data() + kHeaderSize;
  for (const IpAddress& a : advert.addresses) {
    const uint8_t* w = address_wire(a);
    for (size_t i = 0; i < asize; ++i) *out++ = w[i];
  }
  uint16_t c = checksum(m, source, destination, form);
  m[6] = uint8_t(c >> 8);
  m[7] = uint8_t(c);
  return m;
}

}  // namespace sluice::vrrp
