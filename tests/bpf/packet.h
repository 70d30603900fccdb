// SPDX-License-Identifier: BSD-3-Clause
// Test packet builder for the BPF program tests: each function returns the bytes of one
// header plus its payload, with lengths and checksums filled in, so a frame reads
// inside out: eth(..., ipv4(..., tcp(...))). Fields not given are fixed (TTL 64, DF,
// IP ID 0, TCP seq 1000 / ack 2000 / window 8192), so expected frames are reproducible
// byte for byte; BuilderMatchesScapy in decap_test.cc pins them to scapy's encoding.
#pragma once

#include <arpa/inet.h>

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::bpf::test {

using Bytes = std::vector<uint8_t>;

inline Bytes operator+(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

inline Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }

inline void put16(Bytes& b, size_t at, uint16_t v) {
  b[at] = uint8_t(v >> 8);
  b[at + 1] = uint8_t(v);
}

inline void push16(Bytes& b, uint16_t v) {
  b.push_back(uint8_t(v >> 8));
  b.push_back(uint8_t(v));
}

inline void push32(Bytes& b, uint32_t v) {
  push16(b, uint16_t(v >> 16));
  push16(b, uint16_t(v));
}

// An IPv4 (4 bytes) or IPv6 (16 bytes) address in network byte order.
inline Bytes addr(const char* text) {
  uint8_t buf[16];
  if (inet_pton(AF_INET, text, buf) == 1) return Bytes(buf, buf + 4);
  if (inet_pton(AF_INET6, text, buf) == 1) return Bytes(buf, buf + 16);
  throw std::invalid_argument(std::string("bad address ") + text);
}

inline Bytes mac(std::initializer_list<uint8_t> b) { return Bytes(b); }

// One's complement sum over data, added to `sum`, not folded.
inline uint32_t sum16(const Bytes& data, uint32_t sum = 0) {
  for (size_t i = 0; i + 1 < data.size(); i += 2) sum += uint32_t(data[i] << 8 | data[i + 1]);
  if (data.size() % 2) sum += uint32_t(data.back() << 8);
  return sum;
}

inline uint16_t fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return uint16_t(~sum);
}

// Checksum of an L4 segment with the pseudo header of its addresses' family.
inline uint16_t l4_checksum(const Bytes& src, const Bytes& dst, uint8_t proto, const Bytes& seg) {
  Bytes pseudo = src + dst;
  if (src.size() == 4) {
    pseudo.push_back(0);
    pseudo.push_back(proto);
    push16(pseudo, uint16_t(seg.size()));
  } else {
    push32(pseudo, uint32_t(seg.size()));
    pseudo.insert(pseudo.end(), {0, 0, 0, proto});
  }
  return fold(sum16(seg, sum16(pseudo)));
}

constexpr uint16_t kEthIpv4 = 0x0800;
constexpr uint16_t kEthIpv6 = 0x86dd;
constexpr uint16_t kEthArp = 0x0806;
constexpr uint16_t kEthVlan = 0x8100;

// Ethernet II; each entry of `vlans` is one 802.1Q tag (its TCI), outermost first.
inline Bytes eth(const Bytes& dst, const Bytes& src, uint16_t type, const Bytes& payload,
                 std::initializer_list<uint16_t> vlans = {}) {
  Bytes b = dst + src;
  for (uint16_t tci : vlans) {
    push16(b, kEthVlan);
    push16(b, tci);
  }
  push16(b, type);
  return b + payload;
}

struct Ipv4Opts {
  uint8_t tos = 0;
  uint8_t ttl = 64;
  uint16_t id = 0;
  uint16_t frag = 0x4000;  // flags and fragment offset: DF
  Bytes options;           // a multiple of 4 bytes
  int total_length = -1;   // -1: the real length
  bool bad_checksum = false;
};

inline Bytes ipv4(const Bytes& src, const Bytes& dst, uint8_t proto, const Bytes& payload,
                  const Ipv4Opts& o = {}) {
  const size_t hlen = 20 + o.options.size();
  Bytes h;
  h.push_back(uint8_t(0x40 | (hlen / 4)));
  h.push_back(o.tos);
  push16(h, uint16_t(o.total_length >= 0 ? o.total_length : int(hlen + payload.size())));
  push16(h, o.id);
  push16(h, o.frag);
  h.push_back(o.ttl);
  h.push_back(proto);
  push16(h, 0);
  h = h + src + dst + o.options;
  put16(h, 10, uint16_t(fold(sum16(h)) ^ (o.bad_checksum ? 0x5555 : 0)));
  return h + payload;
}

struct Ipv6Opts {
  uint8_t tclass = 0;
  uint32_t flow = 0;
  uint8_t hop_limit = 64;
  int payload_length = -1;  // -1: the real length
};

inline Bytes ipv6(const Bytes& src, const Bytes& dst, uint8_t next, const Bytes& payload,
                  const Ipv6Opts& o = {}) {
  Bytes h;
  push32(h, 0x60000000u | uint32_t(o.tclass) << 20 | (o.flow & 0xfffff));
  push16(h, uint16_t(o.payload_length >= 0 ? o.payload_length : int(payload.size())));
  h.push_back(next);
  h.push_back(o.hop_limit);
  return h + src + dst + payload;
}

constexpr uint8_t kProtoIpip = 4;
constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kProtoUdp = 17;
constexpr uint8_t kProtoIpv6 = 41;
constexpr uint8_t kProtoIcmp = 1;
constexpr uint8_t kProtoIcmpv6 = 58;

// TCP segment (PSH|ACK unless `flags`), checksummed for src -> dst.
inline Bytes tcp(const Bytes& src, const Bytes& dst, uint16_t sport, uint16_t dport,
                 const Bytes& payload, uint8_t flags = 0x18) {
  Bytes s;
  push16(s, sport);
  push16(s, dport);
  push32(s, 1000);
  push32(s, 2000);
  s.push_back(0x50);
  s.push_back(flags);
  push16(s, 8192);
  push16(s, 0);
  push16(s, 0);
  s = s + payload;
  put16(s, 16, l4_checksum(src, dst, kProtoTcp, s));
  return s;
}

// UDP datagram; checksum 0 unless `checksum` (always computed over IPv6 in practice).
inline Bytes udp(const Bytes& src, const Bytes& dst, uint16_t sport, uint16_t dport,
                 const Bytes& payload, bool checksum) {
  Bytes s;
  push16(s, sport);
  push16(s, dport);
  push16(s, uint16_t(8 + payload.size()));
  push16(s, 0);
  s = s + payload;
  if (checksum) {
    uint16_t c = l4_checksum(src, dst, kProtoUdp, s);
    put16(s, 6, c == 0 ? 0xffff : c);
  }
  return s;
}

// ICMP (no pseudo header) or, with src/dst given, ICMPv6; `rest` is the 4 bytes after
// the checksum (e.g. the MTU of a packet-too-big).
inline Bytes icmp(uint8_t type, uint8_t code, uint32_t rest, const Bytes& payload,
                  const Bytes& src6 = {}, const Bytes& dst6 = {}) {
  Bytes s{type, code, 0, 0};
  push32(s, rest);
  s = s + payload;
  put16(s, 2, src6.empty() ? fold(sum16(s)) : l4_checksum(src6, dst6, kProtoIcmpv6, s));
  return s;
}

// ARP for IPv4 over Ethernet (op 1 request, 2 reply).
inline Bytes arp4(uint16_t op, const Bytes& sender_mac, const char* sender_ip,
                  const Bytes& target_mac, const char* target_ip) {
  Bytes a{0, 1, 0x08, 0, 6, 4};
  push16(a, op);
  const Bytes spa = addr(sender_ip), tpa = addr(target_ip);
  return a + sender_mac + Bytes(spa.end() - 4, spa.end()) + target_mac +
         Bytes(tpa.end() - 4, tpa.end());
}

// Convenience: whole IP packets.
inline Bytes tcp4(const char* src, const char* dst, uint16_t sport, uint16_t dport,
                  std::string_view payload = "GET / HTTP/1.1\r\n", const Ipv4Opts& o = {}) {
  return ipv4(addr(src), addr(dst), kProtoTcp,
              tcp(addr(src), addr(dst), sport, dport, text(payload)), o);
}
inline Bytes tcp6(const char* src, const char* dst, uint16_t sport, uint16_t dport,
                  std::string_view payload = "GET / HTTP/1.1\r\n", const Ipv6Opts& o = {}) {
  return ipv6(addr(src), addr(dst), kProtoTcp,
              tcp(addr(src), addr(dst), sport, dport, text(payload)), o);
}
inline Bytes udp4(const char* src, const char* dst, uint16_t sport, uint16_t dport,
                  const Bytes& payload, const Ipv4Opts& o = {}) {
  return ipv4(addr(src), addr(dst), kProtoUdp,
              udp(addr(src), addr(dst), sport, dport, payload, false), o);
}
inline Bytes udp6(const char* src, const char* dst, uint16_t sport, uint16_t dport,
                  const Bytes& payload, const Ipv6Opts& o = {}) {
  return ipv6(addr(src), addr(dst), kProtoUdp,
              udp(addr(src), addr(dst), sport, dport, payload, true), o);
}

inline Bytes truncate(Bytes b, size_t len) {
  b.resize(len);
  return b;
}

inline std::string hex(const Bytes& b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t c : b) {
    s += d[c >> 4];
    s += d[c & 15];
  }
  return s;
}

inline Bytes from_hex(std::string_view h) {
  Bytes b;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    b.push_back(uint8_t(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return b;
}

}  // namespace sluice::bpf::test
