// SPDX-License-Identifier: BSD-3-Clause
// Test frames built header by header, for the parser's tests and those that need real
// frames of many shapes. Header-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "net/ip_address.h"
#include "net/wire.h"

namespace sluice::testing_support {

// Builds a frame header by header. Each header fills in the type field of the one before
// it (ethertype, IPv4 protocol, IPv6 next header); bytes() writes the IP length fields last,
// then applies the raw patches, so malformed variants are a patch on a valid frame.
// A Frame that starts without eth() is a bare IP packet (used for ICMP quotes).
class Frame {
 public:
  Frame& eth() {
    append({0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0, 0});
    pending_ = {12, true};
    return *this;
  }
  Frame& ethertype(uint16_t type) {
    link(type, 0);
    pending_ = {};
    return *this;
  }
  Frame& vlan(uint16_t id, uint16_t tpid = wire::kEtherTypeVlan) {
    link(tpid, 0);
    size_t at = append({uint8_t(id >> 8 & 0x0f), uint8_t(id), 0, 0});
    pending_ = {at + 2, true};
    return *this;
  }
  Frame& arp() {
    link(wire::kEtherTypeArp, 0);
    append({0, 1, 0x08, 0x00, 6, 4, 0, 1});
    append(std::vector<uint8_t>(20, 0));
    pending_ = {};
    return *this;
  }
  // `option_words` 32-bit words of NOP options.
  Frame& ipv4(const char* src, const char* dst, uint8_t option_words = 0) {
    link(wire::kEtherTypeIpv4, 4);
    ip_at_ = append({uint8_t(0x40 | (5 + option_words)), 0, 0, 0, 0, 0, 0, 0, 64, 0, 0, 0});
    ipv6_ = false;
    append(IpAddress::parse(src).value().v4_wire(), 4);
    append(IpAddress::parse(dst).value().v4_wire(), 4);
    append(std::vector<uint8_t>(option_words * 4u, 0x01));
    pending_ = {ip_at_ + 9, false};
    return *this;
  }
  Frame& ipv6(const char* src, const char* dst) {
    link(wire::kEtherTypeIpv6, wire::kProtoIpv6);
    ip_at_ = append({0x60, 0, 0, 0, 0, 0, 0, 64});
    ipv6_ = true;
    append(IpAddress::parse(src).value().v6_wire(), 16);
    append(IpAddress::parse(dst).value().v6_wire(), 16);
    pending_ = {ip_at_ + 6, false};
    return *this;
  }
  // A generic IPv6 extension header of `length` bytes (a multiple of 8).
  Frame& ext(uint8_t type, uint32_t length = 8) {
    link(0, type);
    size_t at = append(std::vector<uint8_t>(length, 0));
    bytes_[at + 1] = uint8_t(length / 8 - 1);
    pending_ = {at, false};
    return *this;
  }
  // Authentication header of `length` bytes (a multiple of 4, at least 8).
  Frame& ah(uint32_t length = 12) {
    link(0, wire::kProtoAh);
    size_t at = append(std::vector<uint8_t>(length, 0));
    bytes_[at + 1] = uint8_t(length / 4 - 2);
    pending_ = {at, false};
    return *this;
  }
  Frame& frag6(uint16_t offset_units, bool more) {
    link(0, wire::kProtoFragment);
    const uint16_t field = uint16_t(offset_units << 3 | (more ? 1 : 0));
    size_t at = append({0, 0, uint8_t(field >> 8), uint8_t(field), 0, 0, 0x12, 0x34});
    pending_ = {at, false};
    return *this;
  }
  Frame& proto(uint8_t protocol) {
    link(0, protocol);
    pending_ = {};
    return *this;
  }
  Frame& tcp(uint16_t src_port, uint16_t dst_port, uint8_t flags, uint8_t data_words = 5) {
    link(0, wire::kProtoTcp);
    size_t at = append(std::vector<uint8_t>(data_words * 4u, 0));
    wire::store_be16(&bytes_[at], src_port);
    wire::store_be16(&bytes_[at + 2], dst_port);
    bytes_[at + 12] = uint8_t(data_words << 4);
    bytes_[at + 13] = flags;
    pending_ = {};
    return *this;
  }
  Frame& udp(uint16_t src_port, uint16_t dst_port) {
    link(0, wire::kProtoUdp);
    size_t at = append(std::vector<uint8_t>(wire::kUdpHeaderLen, 0));
    wire::store_be16(&bytes_[at], src_port);
    wire::store_be16(&bytes_[at + 2], dst_port);
    pending_ = {};
    return *this;
  }
  // ICMP or ICMPv6 (after ipv6()) header; the rest of the 8 bytes is zero.
  Frame& icmp(uint8_t type, uint8_t code = 0) {
    link(0, ipv6_ ? wire::kProtoIcmpv6 : wire::kProtoIcmp);
    append({type, code, 0, 0, 0, 0, 0, 0});
    pending_ = {};
    return *this;
  }
  // Appends `inner` (an IP packet, e.g. quoted by an ICMP error), cut to `max_len` bytes.
  Frame& quote(const Frame& inner, size_t max_len = SIZE_MAX) {
    std::vector<uint8_t> b = inner.bytes();
    if (b.size() > max_len) b.resize(max_len);
    append(b);
    return *this;
  }
  Frame& payload(size_t n, uint8_t fill = 0xab) {
    append(std::vector<uint8_t>(n, fill));
    return *this;
  }
  // Trailing bytes outside the IP packet (Ethernet minimum-size padding).
  Frame& pad(size_t n) {
    padding_ += n;
    return *this;
  }
  Frame& set8(size_t at, uint8_t v) {
    patches_.push_back({at, 1, v});
    return *this;
  }
  Frame& set16(size_t at, uint16_t v) {
    patches_.push_back({at, 2, v});
    return *this;
  }

  size_t ip_at() const { return ip_at_; }

  std::vector<uint8_t> bytes() const {
    std::vector<uint8_t> b = bytes_;
    if (ip_at_ != kNone) {
      const size_t ip_len = b.size() - ip_at_;
      if (ipv6_)
        wire::store_be16(&b[ip_at_ + 4], uint16_t(ip_len - wire::kIpv6HeaderLen));
      else
        wire::store_be16(&b[ip_at_ + 2], uint16_t(ip_len));
    }
    b.resize(b.size() + padding_, 0);
    for (const Patch& p : patches_) {
      b.at(p.at + p.width - 1);  // throws when the patch lies outside the frame
      if (p.width == 1)
        b[p.at] = uint8_t(p.value);
      else
        wire::store_be16(&b[p.at], p.value);
    }
    return b;
  }

 private:
  static constexpr size_t kNone = SIZE_MAX;
  struct Pending {
    size_t at = kNone;
    bool ethertype = false;
  };
  struct Patch {
    size_t at;
    int width;
    uint16_t value;
  };

  void link(uint16_t ethertype, uint8_t protocol) {
    if (pending_.at == kNone) return;
    if (pending_.ethertype)
      wire::store_be16(&bytes_[pending_.at], ethertype);
    else
      bytes_[pending_.at] = protocol;
  }
  size_t append(std::initializer_list<uint8_t> b) { return append(std::vector<uint8_t>(b)); }
  size_t append(const std::vector<uint8_t>& b) { return append(b.data(), b.size()); }
  size_t append(const uint8_t* p, size_t n) {
    const size_t at = bytes_.size();
    bytes_.insert(bytes_.end(), p, p + n);
    return at;
  }

  std::vector<uint8_t> bytes_;
  Pending pending_;
  size_t ip_at_ = kNone;
  bool ipv6_ = false;
  size_t padding_ = 0;
  std::vector<Patch> patches_;
};

}  // namespace sluice::testing_support
