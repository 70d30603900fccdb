// SPDX-License-Identifier: BSD-3-Clause
// The packet builder of the C++ tests and benchmarks (tests/unit, tests/bpf, bench): a
// frame written header by header, fluent like Katran's test builder:
//
//   Packet().eth(kRouterMac, kOurMac).vlan(10).ipv4("198.51.100.7", "10.0.0.100")
//       .tcp(40000, 80, kTcpSyn).payload("GET / HTTP/1.1\r\n").bytes()
//
// Each header fills in the type field of the one before it (EtherType, IPv4 protocol,
// IPv6 next header) unless ethertype() or proto() set it. bytes() writes the length fields
// and checksums, innermost header first (the IPv4 header, TCP, UDP over IPv6, ICMP, and
// ICMPv6 with the pseudo header of the IP header they follow), then applies the raw
// patches, then the cut: a malformed variant is a patch or a cut of a valid packet.
// A Packet that starts without eth() is a bare IP packet, carried by another through
// inner() (encapsulation) or quote() (an ICMP error's quote).
//
// Fields not given are fixed (TTL/hop limit 64, DF, IP ID 0, TCP seq 1000 / ack 2000 /
// window 8192 / PSH|ACK, UDP checksum 0 over IPv4), so frames are reproducible byte for
// byte; DecapBuilder.MatchesScapy in tests/bpf/decap_test.cc pins them to scapy's encoding.
// Header-only, without DPDK or a sluice library (net/wire.h is header-only), so the BPF
// program tests use it too.
#pragma once

#include <arpa/inet.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "net/wire.h"

namespace sluice::testing_support {

using Bytes = std::vector<uint8_t>;
using Mac = std::array<uint8_t, 6>;

// An IPv4 (4 bytes) or IPv6 (16 bytes) address in network byte order.
inline Bytes addr(std::string_view text) {
  const std::string s(text);
  uint8_t buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) return Bytes(buf, buf + 4);
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) return Bytes(buf, buf + 16);
  throw std::invalid_argument("bad address " + s);
}

inline std::string hex(const Bytes& b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (uint8_t c : b) {
    s += kDigits[c >> 4];
    s += kDigits[c & 15];
  }
  return s;
}

inline Bytes from_hex(std::string_view h) {
  Bytes b;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    b.push_back(uint8_t(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return b;
}

// `words` 32-bit words of IPv4 NOP options.
inline Bytes ipv4_nops(size_t words) { return Bytes(words * 4, 0x01); }

struct Ipv4Opts {
  uint8_t tos = 0;
  uint8_t ttl = 64;
  uint16_t id = 0;
  uint16_t frag = wire::kIpv4FlagDontFragment;  // flags and fragment offset
  Bytes options{};                              // a multiple of 4 bytes
  int total_length = -1;                        // -1: the real length
  bool bad_checksum = false;                    // the right checksum XOR 0x5555
};

struct Ipv6Opts {
  uint8_t tclass = 0;
  uint32_t flow = 0;
  uint8_t hop_limit = 64;
  int payload_length = -1;  // -1: the real length
};

struct TcpOpts {
  uint32_t seq = 1000;
  uint32_t ack = 2000;
  uint16_t window = 8192;
  Bytes options{};  // a multiple of 4 bytes; the data offset follows
};

class Packet {
 public:
  static constexpr Mac kDefaultDst{0x02, 0, 0, 0, 0, 0x01};
  static constexpr Mac kDefaultSrc{0x02, 0, 0, 0, 0, 0x02};

  Packet& eth(const Mac& dst = kDefaultDst, const Mac& src = kDefaultSrc) {
    const size_t at = append(dst.data(), dst.size());
    append(src.data(), src.size());
    append({0, 0});
    open(Kind::kOther, at, 0, 0, {at + wire::kEthTypeOffset, true});
    return *this;
  }
  // An 802.1Q tag (or, with tpid 0x88a8, an 802.1ad outer tag); `tci` is the VLAN ID when
  // priority and DEI are 0.
  Packet& vlan(uint16_t tci, uint16_t tpid = wire::kEtherTypeVlan) {
    link(tpid, 0);
    const size_t at = append({uint8_t(tci >> 8), uint8_t(tci), 0, 0});
    open(Kind::kOther, at, tpid, 0, {at + 2, true});
    return *this;
  }
  // Sets the pending EtherType to `type` and ends the chain: what follows is payload.
  Packet& ethertype(uint16_t type) {
    link(type, 0);
    pending_ = {};
    return *this;
  }
  // ARP for IPv4 over Ethernet (op 1 request, 2 reply).
  Packet& arp(uint16_t op = wire::kArpOpRequest, const Mac& sender_mac = {},
              std::string_view sender_ip = "0.0.0.0", const Mac& target_mac = {},
              std::string_view target_ip = "0.0.0.0") {
    link(wire::kEtherTypeArp, 0);
    const size_t at = append({0, 1, 0x08, 0x00, 6, 4, uint8_t(op >> 8), uint8_t(op)});
    append(sender_mac.data(), sender_mac.size());
    append(v4(sender_ip));
    append(target_mac.data(), target_mac.size());
    append(v4(target_ip));
    open(Kind::kOther, at, wire::kEtherTypeArp, 0, {});
    return *this;
  }
  Packet& ipv4(std::string_view src, std::string_view dst, const Ipv4Opts& o = {}) {
    if (o.options.size() % 4 != 0 || o.options.size() > 40)
      throw std::invalid_argument("IPv4 options must be 0..40 bytes in 4-byte words");
    link(wire::kEtherTypeIpv4, wire::kProtoIpip);
    const uint8_t ihl = uint8_t(5 + o.options.size() / 4);
    const size_t at = append({uint8_t(0x40 | ihl), o.tos, 0, 0, uint8_t(o.id >> 8), uint8_t(o.id),
                              uint8_t(o.frag >> 8), uint8_t(o.frag), o.ttl, 0, 0, 0});
    append(v4(src));
    append(v4(dst));
    append(o.options);
    Header& h = open(Kind::kIpv4, at, wire::kEtherTypeIpv4, wire::kProtoIpip, {at + 9, false});
    h.length_override = o.total_length;
    h.bad_checksum = o.bad_checksum;
    h.ipv4_header_len = ihl * 4u;
    ip_ = headers_.size() - 1;
    return *this;
  }
  Packet& ipv6(std::string_view src, std::string_view dst, const Ipv6Opts& o = {}) {
    link(wire::kEtherTypeIpv6, wire::kProtoIpv6);
    const uint32_t first = 0x60000000u | uint32_t(o.tclass) << 20 | (o.flow & 0xfffff);
    const size_t at = append({uint8_t(first >> 24), uint8_t(first >> 16), uint8_t(first >> 8),
                              uint8_t(first), 0, 0, 0, o.hop_limit});
    append(v6(src));
    append(v6(dst));
    Header& h = open(Kind::kIpv6, at, wire::kEtherTypeIpv6, wire::kProtoIpv6, {at + 6, false});
    h.length_override = o.payload_length;
    ip_ = headers_.size() - 1;
    return *this;
  }
  // A generic IPv6 extension header of `length` bytes (a multiple of 8), options all Pad1.
  Packet& ext(uint8_t type, uint32_t length = 8) { return ext(type, Bytes(length - 2, 0)); }
  // ... or with these option bytes after the next-header and length bytes.
  Packet& ext(uint8_t type, const Bytes& options) {
    if ((options.size() + 2) % 8 != 0)
      throw std::invalid_argument("an IPv6 extension header is a multiple of 8 bytes");
    link(0, type);
    const size_t at = append({0, uint8_t((options.size() + 2) / 8 - 1)});
    append(options);
    open(Kind::kOther, at, 0, type, {at, false});
    return *this;
  }
  // Authentication header of `length` bytes (a multiple of 4, at least 8).
  Packet& ah(uint32_t length = 12) {
    link(0, wire::kProtoAh);
    const size_t at = append(Bytes(length, 0));
    bytes_[at + 1] = uint8_t(length / 4 - 2);
    open(Kind::kOther, at, 0, wire::kProtoAh, {at, false});
    return *this;
  }
  Packet& frag6(uint16_t offset_units, bool more, uint32_t id = 0x1234) {
    link(0, wire::kProtoFragment);
    const uint16_t field = uint16_t(offset_units << 3 | (more ? 1 : 0));
    const size_t at = append({0, 0, uint8_t(field >> 8), uint8_t(field), uint8_t(id >> 24),
                              uint8_t(id >> 16), uint8_t(id >> 8), uint8_t(id)});
    open(Kind::kOther, at, 0, wire::kProtoFragment, {at, false});
    return *this;
  }
  // Sets the pending protocol (next header) to `protocol` and ends the chain: what follows
  // is payload, or a packet given to inner() that must not set the field itself.
  Packet& proto(uint8_t protocol) {
    link(0, protocol);
    pending_ = {};
    return *this;
  }
  Packet& tcp(uint16_t src_port, uint16_t dst_port, uint8_t flags = wire::kTcpPsh | wire::kTcpAck,
              const TcpOpts& o = {}) {
    if (o.options.size() % 4 != 0 || o.options.size() > 40)
      throw std::invalid_argument("TCP options must be 0..40 bytes in 4-byte words");
    link(0, wire::kProtoTcp);
    const size_t at = append(Bytes(wire::kTcpMinHeaderLen, 0));
    uint8_t* t = &bytes_[at];
    wire::store_be16(t, src_port);
    wire::store_be16(t + 2, dst_port);
    wire::store_be32(t + 4, o.seq);
    wire::store_be32(t + 8, o.ack);
    t[12] = uint8_t((5 + o.options.size() / 4) << 4);
    t[13] = flags;
    wire::store_be16(t + 14, o.window);
    append(o.options);
    open(Kind::kTcp, at, 0, wire::kProtoTcp, {});
    return *this;
  }
  Packet& udp(uint16_t src_port, uint16_t dst_port) {
    link(0, wire::kProtoUdp);
    const size_t at = append({uint8_t(src_port >> 8), uint8_t(src_port), uint8_t(dst_port >> 8),
                              uint8_t(dst_port), 0, 0, 0, 0});
    open(Kind::kUdp, at, 0, wire::kProtoUdp, {});
    return *this;
  }
  // ICMP, or ICMPv6 after ipv6(); `rest` is the 4 bytes after the checksum (an echo's
  // identifier and sequence, a packet-too-big's MTU, an advertisement's flags).
  Packet& icmp(uint8_t type, uint8_t code = 0, uint32_t rest = 0) {
    const bool v6 = ip_ != kNone && headers_[ip_].kind == Kind::kIpv6;
    const uint8_t protocol = v6 ? wire::kProtoIcmpv6 : wire::kProtoIcmp;
    link(0, protocol);
    const size_t at = append({type, code, 0, 0, uint8_t(rest >> 24), uint8_t(rest >> 16),
                              uint8_t(rest >> 8), uint8_t(rest)});
    open(v6 ? Kind::kIcmpv6 : Kind::kIcmp, at, 0, protocol, {});
    return *this;
  }
  // An NDP link-layer address option (source 1, target 2); `length` in 8-byte units.
  Packet& nd_option(uint8_t type, const Mac& mac, uint8_t length = 1) {
    append({type, length});
    append(mac.data(), mac.size());
    return *this;
  }
  // Appends the bytes of `p` (an IP packet: IPIP, GUE, ...), cut to `max_len`; the pending
  // type field becomes that of p's first header.
  Packet& inner(const Packet& p, size_t max_len = SIZE_MAX) {
    if (!p.headers_.empty()) link(p.headers_.front().ethertype, p.headers_.front().protocol);
    Bytes b = p.bytes();
    if (b.size() > max_len) b.resize(max_len);
    append(b);
    pending_ = {};
    return *this;
  }
  // The packet an ICMP error quotes, cut to `max_len` bytes.
  Packet& quote(const Packet& p, size_t max_len = SIZE_MAX) { return inner(p, max_len); }
  Packet& payload(size_t n, uint8_t fill = 0xab) {
    append(Bytes(n, fill));
    return *this;
  }
  Packet& payload(const Bytes& b) {
    append(b);
    return *this;
  }
  Packet& payload(std::string_view text) {
    append(reinterpret_cast<const uint8_t*>(text.data()), text.size());
    return *this;
  }
  // Zero bytes after the packet, outside every length and checksum (Ethernet padding).
  Packet& pad(size_t n) {
    padding_ += n;
    return *this;
  }
  // Pads with zero bytes to at least `frame_len` (60: the Ethernet minimum without FCS).
  Packet& pad_to(size_t frame_len) {
    min_len_ = frame_len;
    return *this;
  }
  // Raw big-endian writes at frame offsets, after lengths and checksums.
  Packet& set8(size_t at, uint8_t v) {
    patches_.push_back({at, 1, v});
    return *this;
  }
  Packet& set16(size_t at, uint16_t v) {
    patches_.push_back({at, 2, v});
    return *this;
  }
  // Cuts the finished frame to `length` bytes.
  Packet& truncate(size_t length) {
    cut_ = length;
    return *this;
  }

  Bytes bytes() const {
    Bytes b = bytes_;
    for (size_t i = headers_.size(); i-- > 0;) finish(b, i);
    b.resize(b.size() + padding_, 0);
    if (b.size() < min_len_) b.resize(min_len_, 0);
    for (const Patch& p : patches_) {
      b.at(p.at + p.width - 1);  // throws when the patch lies outside the frame
      if (p.width == 1)
        b[p.at] = uint8_t(p.value);
      else
        wire::store_be16(&b[p.at], p.value);
    }
    if (b.size() > cut_) b.resize(cut_);
    return b;
  }

 private:
  static constexpr size_t kNone = SIZE_MAX;
  // What bytes() finishes; kOther has nothing to finish.
  enum class Kind : uint8_t { kIpv4, kIpv6, kTcp, kUdp, kIcmp, kIcmpv6, kOther };
  struct Header {
    Kind kind;
    size_t at;
    size_t ip;           // the IP header this one follows, kNone if none
    uint16_t ethertype;  // what a header before this one calls it
    uint8_t protocol;
    int length_override = -1;
    bool bad_checksum = false;
    uint32_t ipv4_header_len = 0;
  };
  // The type field still to fill in: an EtherType or a protocol / next header byte.
  struct Pending {
    size_t at = kNone;
    bool ethertype = false;
  };
  struct Patch {
    size_t at;
    int width;
    uint16_t value;
  };

  static Bytes v4(std::string_view text) {
    Bytes a = addr(text);
    if (a.size() != 4) throw std::invalid_argument("not an IPv4 address: " + std::string(text));
    return a;
  }
  static Bytes v6(std::string_view text) {
    Bytes a = addr(text);
    if (a.size() != 16) throw std::invalid_argument("not an IPv6 address: " + std::string(text));
    return a;
  }
  // One's complement sum of 16-bit words, not folded; an odd tail is padded with zero.
  static uint32_t sum16(const uint8_t* p, size_t n, uint32_t sum = 0) {
    for (size_t i = 0; i + 1 < n; i += 2) sum += uint32_t(p[i] << 8 | p[i + 1]);
    if (n % 2) sum += uint32_t(p[n - 1] << 8);
    return sum;
  }
  static uint16_t fold(uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return uint16_t(~sum);
  }

  Header& open(Kind kind, size_t at, uint16_t ethertype, uint8_t protocol, Pending next) {
    headers_.push_back({kind, at, ip_, ethertype, protocol});
    pending_ = next;
    return headers_.back();
  }
  void link(uint16_t ethertype, uint8_t protocol) {
    if (pending_.at == kNone) return;
    if (pending_.ethertype)
      wire::store_be16(&bytes_[pending_.at], ethertype);
    else
      bytes_[pending_.at] = protocol;
  }
  size_t append(std::initializer_list<uint8_t> b) { return append(b.begin(), b.size()); }
  size_t append(const Bytes& b) { return append(b.data(), b.size()); }
  size_t append(const uint8_t* p, size_t n) {
    const size_t at = bytes_.size();
    bytes_.insert(bytes_.end(), p, p + n);
    return at;
  }

  // Checksum of the segment from `at` to the end with the pseudo header of IP header `ip`.
  uint16_t l4_checksum(const Bytes& b, size_t ip, size_t at, uint8_t protocol) const {
    if (ip == kNone) throw std::logic_error("a transport header needs an IP header before it");
    const size_t length = b.size() - at;
    const size_t ip_at = headers_[ip].at;
    uint32_t sum = 0;
    if (headers_[ip].kind == Kind::kIpv4) {
      sum = sum16(&b[ip_at + 12], 8);
      sum += protocol + uint32_t(length);
    } else {
      sum = sum16(&b[ip_at + 8], 32);
      sum += uint32_t(length >> 16) + uint32_t(length & 0xffff) + protocol;
    }
    return fold(sum16(&b[at], length, sum));
  }

  void finish(Bytes& b, size_t index) const {
    const Header& h = headers_[index];
    uint8_t* p = &b[h.at];
    const size_t length = b.size() - h.at;
    switch (h.kind) {
      case Kind::kIpv4: {
        wire::store_be16(p + 2, uint16_t(h.length_override >= 0 ? h.length_override : length));
        wire::store_be16(p + 10, 0);
        const uint16_t sum = fold(sum16(p, h.ipv4_header_len));
        wire::store_be16(p + 10, uint16_t(sum ^ (h.bad_checksum ? 0x5555 : 0)));
        break;
      }
      case Kind::kIpv6:
        wire::store_be16(p + 4, uint16_t(h.length_override >= 0 ? h.length_override
                                                                : length - wire::kIpv6HeaderLen));
        break;
      case Kind::kTcp:
        wire::store_be16(p + 16, 0);
        wire::store_be16(p + 16, l4_checksum(b, h.ip, h.at, wire::kProtoTcp));
        break;
      case Kind::kUdp:
        wire::store_be16(p + 4, uint16_t(length));
        wire::store_be16(p + 6, 0);
        if (h.ip != kNone && headers_[h.ip].kind == Kind::kIpv6) {
          const uint16_t sum = l4_checksum(b, h.ip, h.at, wire::kProtoUdp);
          wire::store_be16(p + 6, sum == 0 ? 0xffff : sum);
        }
        break;
      case Kind::kIcmp:
        wire::store_be16(p + 2, 0);
        wire::store_be16(p + 2, fold(sum16(p, length)));
        break;
      case Kind::kIcmpv6:
        wire::store_be16(p + 2, 0);
        wire::store_be16(p + 2, l4_checksum(b, h.ip, h.at, wire::kProtoIcmpv6));
        break;
      case Kind::kOther:
        break;
    }
  }

  Bytes bytes_;
  std::vector<Header> headers_;
  Pending pending_;
  size_t ip_ = kNone;  // the last IP header, the one a transport header follows
  size_t padding_ = 0;
  size_t min_len_ = 0;
  size_t cut_ = SIZE_MAX;
  std::vector<Patch> patches_;
};

}  // namespace sluice::testing_support
