// SPDX-License-Identifier: BSD-3-Clause
// steering.bpf.c through BPF_PROG_TEST_RUN, loaded by SteeringProgram: each case is an
// input frame, the exact verdict and the one counter that must move. The program never
// changes a frame, so every output must equal its input.
//
// A redirect needs an AF_XDP socket in xsks_map at the RX queue index. BPF_PROG_TEST_RUN
// runs on queue 0 and, without BPF_F_TEST_XDP_LIVE_FRAMES, does not carry the redirect
// out: it reports the verdict. A socket that is created but not bound is enough for
// bpf_redirect_map to find the slot occupied and return XDP_REDIRECT, so the tests put
// one there; with the slot empty the program falls back to XDP_PASS (no_socket).
#include "steering.h"

#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bpf_test_util.h"
#include "packet_builder.h"
#include "steering_loader.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif

namespace sluice::bpf::test {
namespace {

using testing_support::addr;
using testing_support::Bytes;
using testing_support::hex;
using testing_support::Ipv4Opts;
using testing_support::Mac;
using testing_support::Packet;
using namespace wire;

const Mac kMacClient{0x02, 0x5c, 0, 0, 0, 0x02};
const Mac kMacLb{0x02, 0x5c, 0, 0, 0, 0x10};
constexpr const char* kClient4 = "198.51.100.7";
constexpr const char* kClient6 = "2001:db8:1::7";
constexpr const char* kVip4 = "203.0.113.10";
constexpr const char* kVip6 = "2001:db8::10";
constexpr const char* kDns4 = "203.0.113.53";  // VIP for every UDP port
constexpr const char* kHost4 = "203.0.113.2";  // the LB host's own address
constexpr const char* kHost6 = "2001:db8::2";
constexpr const char* kOwn4 = "203.0.113.3";  // the dataplane's own port address
constexpr const char* kOwn6 = "2001:db8::3";
constexpr const char* kBackend4 = "203.0.113.21";
constexpr const char* kBackend6 = "2001:db8::21";
constexpr const char* kGet = "GET / HTTP/1.1\r\n";

// The packet `l3` in an Ethernet frame (EtherType from its first header) under `vlans`.
Packet frame(const Packet& l3, std::initializer_list<uint16_t> vlans = {}) {
  Packet f;
  f.eth(kMacLb, kMacClient);
  for (uint16_t tci : vlans) f.vlan(tci);
  return f.inner(l3);
}

Packet tcp4(const char* src, const char* dst, uint16_t sport, uint16_t dport,
            std::string_view payload = kGet, const Ipv4Opts& o = {}) {
  return Packet().ipv4(src, dst, o).tcp(sport, dport).payload(payload);
}
Packet tcp6(const char* src, const char* dst, uint16_t sport, uint16_t dport,
            std::string_view payload = kGet) {
  return Packet().ipv6(src, dst).tcp(sport, dport).payload(payload);
}
// UDP with the one-byte query "q".
Packet udp4(const char* src, const char* dst, uint16_t sport, uint16_t dport) {
  return Packet().ipv4(src, dst).udp(sport, dport).payload("q");
}

std::vector<SteeringVip> test_vips() {
  return {*SteeringVip::parse(kVip4, kProtoTcp, 80),  *SteeringVip::parse(kVip4, kProtoTcp, 443),
          *SteeringVip::parse(kVip6, kProtoTcp, 443), *SteeringVip::parse(kDns4, kProtoUdp, 0),
          *SteeringVip::parse(kVip4, kProtoIcmp, 0),  *SteeringVip::parse(kVip6, kProtoIcmpv6, 0)};
}

// Addresses the dataplane answers ARP/ND for: its VIPs and its own.
std::vector<AddrBytes> test_addresses() {
  return {*parse_address(kVip4), *parse_address(kVip6), *parse_address(kDns4),
          *parse_address(kOwn4), *parse_address(kOwn6)};
}

// An unbound AF_XDP socket in xsks_map[0]: enough for bpf_redirect_map to redirect.
// Closed with the returned fd (-1 after a failed assertion).
UniqueFd occupy_queue0(const SteeringProgram& prog) {
  UniqueFd xsk(socket(AF_XDP, SOCK_RAW, 0));
  EXPECT_GE(xsk.get(), 0) << "socket(AF_XDP): " << std::strerror(errno);
  const uint32_t queue = 0;
  const int fd = xsk.get();
  EXPECT_EQ(bpf_map_update_elem(prog.xsk_map_fd(), &queue, &fd, BPF_ANY), 0)
      << "xsks_map[0] = unbound AF_XDP socket: " << std::strerror(errno);
  return xsk;
}

struct Case {
  std::string name;
  Packet in;
  steering_counter counter;  // STEERED and NEIGHBOR mean XDP_REDIRECT, every other XDP_PASS
};

std::vector<Case> cases() {
  // The reply of VIP:80 -> client that a router could not forward, quoted by ICMP.
  const Packet reply4 = tcp4(kVip4, kClient4, 80, 40000, std::string(64, 'x'));
  const Packet reply6 = tcp6(kVip6, kClient6, 443, 40000, std::string(64, 'x'));
  const Packet other_reply4 = tcp4(kHost4, kClient4, 22, 40000, "ssh");
  const char* router4 = "192.0.2.1";
  const char* router6 = "2001:db8:ff::1";
  Ipv4Opts mf;
  mf.frag = 0x2000;
  Ipv4Opts later_fragment;
  later_fragment.frag = 0x0010;
  // IPv6 ND neighbor solicitation for the VIP (ICMPv6 type 135).
  const Packet ns = Packet()
                        .ipv6(kClient6, "ff02::1:ff00:10", {.hop_limit = 255})
                        .icmp(kIcmpv6NeighborSolicitation)
                        .payload(addr(kVip6));
  // Hop-by-hop options header (PadN) in front of TCP to the IPv6 VIP.
  const Packet hbh = Packet()
                         .ipv6(kClient6, kVip6)
                         .ext(kProtoHopByHop, {1, 4, 0, 0, 0, 0})
                         .tcp(40000, 443)
                         .payload("hello");
  // Atomic fragment header (offset 0, M clear) and a real one (M set).
  const Packet atomic =
      Packet().ipv6(kClient6, kVip6).frag6(0, false, 1).tcp(40000, 443).payload("hello");
  const Packet frag6 =
      Packet().ipv6(kClient6, kVip6).frag6(0, true, 1).tcp(40000, 443).payload("hello");
  const Mac zero_mac{};
  const Mac kMacBackend{0x02, 0x5c, 0, 0, 0, 0x21};
  // ND: a solicitation for `target` (to its solicited-node group) and an advertisement
  // of `target` sent to `to`.
  auto solicit = [&](const char* target) {
    return Packet()
        .ipv6(kClient6, "ff02::1:ff00:10", {.hop_limit = 255})
        .icmp(kIcmpv6NeighborSolicitation)
        .payload(addr(target));
  };
  auto advertise = [&](const char* to) {
    return Packet()
        .ipv6(kBackend6, to, {.hop_limit = 255})
        .icmp(kIcmpv6NeighborAdvertisement, 0, 0x60000000)
        .payload(addr(kBackend6));
  };
  const Packet vrrp =
      Packet().ipv4(kHost4, "224.0.0.18", {.ttl = 255}).proto(kProtoVrrp).payload(20, 0);
  const Packet who_has_vip = Packet().arp(1, kMacClient, kClient4, zero_mac, kVip4);

  return {
      {"vip tcp 80", frame(tcp4(kClient4, kVip4, 40000, 80)), STEER_STEERED},
      {"vip tcp 443", frame(tcp4(kClient4, kVip4, 40000, 443)), STEER_STEERED},
      {"vip address, port not served (ssh)", frame(tcp4(kClient4, kVip4, 40000, 22)), STEER_PASSED},
      {"vip address, udp not served", frame(udp4(kClient4, kVip4, 40000, 80)), STEER_PASSED},
      {"port-0 vip: udp 53", frame(udp4(kClient4, kDns4, 40000, 53)), STEER_STEERED},
      {"port-0 vip: udp 9999", frame(udp4(kClient4, kDns4, 40000, 9999)), STEER_STEERED},
      {"port-0 vip is udp only: tcp 53", frame(tcp4(kClient4, kDns4, 40000, 53)), STEER_PASSED},
      {"tcp to the host itself (ssh)", frame(tcp4(kClient4, kHost4, 40000, 22)), STEER_PASSED},
      {"arp that is not ipv4 over ethernet",
       Packet().eth(kMacLb, kMacClient).ethertype(kEtherTypeArp).payload(28, 0), STEER_PASSED},
      {"arp request for the vip", frame(who_has_vip), STEER_NEIGHBOR},
      {"arp reply to the dataplane's address",
       frame(Packet().arp(2, kMacBackend, kBackend4, kMacLb, kOwn4)), STEER_NEIGHBOR},
      {"arp request for the host's address",
       frame(Packet().arp(1, kMacClient, kClient4, zero_mac, kHost4)), STEER_PASSED},
      {"arp reply to the host's address",
       frame(Packet().arp(2, kMacBackend, kBackend4, kMacLb, kHost4)), STEER_PASSED},
      {"arp request for the vip under a tag", frame(who_has_vip, {10}), STEER_NEIGHBOR},
      {"arp cut short", frame(who_has_vip).truncate(14 + 27), STEER_TRUNCATED},
      {"nd solicitation for the dataplane's address", frame(solicit(kOwn6)), STEER_NEIGHBOR},
      {"nd solicitation for the host's address", frame(solicit(kHost6)), STEER_PASSED},
      {"nd advertisement to the dataplane's address", frame(advertise(kOwn6)), STEER_NEIGHBOR},
      {"nd advertisement to the host's address", frame(advertise(kHost6)), STEER_PASSED},
      {"nd solicitation cut before its target", frame(solicit(kOwn6)).truncate(14 + 40 + 20),
       STEER_TRUNCATED},
      {"router solicitation",
       frame(
           Packet().ipv6(kClient6, "ff02::2", {.hop_limit = 255}).icmp(kIcmpv6RouterSolicitation)),
       STEER_PASSED},
      {"vrrp", frame(vrrp), STEER_PASSED},
      {"ipv6 vip tcp 443", frame(tcp6(kClient6, kVip6, 40000, 443)), STEER_STEERED},
      {"ipv6 vip tcp 80 not served", frame(tcp6(kClient6, kVip6, 40000, 80)), STEER_PASSED},
      {"ipv6 nd solicitation for the vip", frame(ns), STEER_NEIGHBOR},
      {"ipv6 hop-by-hop then tcp 443", frame(hbh), STEER_STEERED},
      {"ipv6 atomic fragment", frame(atomic), STEER_STEERED},
      {"ipv6 fragment", frame(frag6), STEER_PASSED},
      {"vip under an 802.1Q tag", frame(tcp4(kClient4, kVip4, 40000, 80), {10}), STEER_STEERED},
      {"vip under two tags", frame(tcp6(kClient6, kVip6, 40000, 443), {10, 20}), STEER_STEERED},
      {"ipv4 first fragment", frame(tcp4(kClient4, kVip4, 40000, 80, "x", mf)), STEER_PASSED},
      {"ipv4 later fragment", frame(tcp4(kClient4, kVip4, 40000, 80, "x", later_fragment)),
       STEER_PASSED},
      {"icmp echo to the vip (icmp port-0 entry)",
       frame(Packet().ipv4(kClient4, kVip4).icmp(kIcmpEchoRequest, 0, 0x00010001).payload("ping")),
       STEER_STEERED},
      {"icmp echo to the host",
       frame(Packet().ipv4(kClient4, kHost4).icmp(kIcmpEchoRequest, 0, 0x00010001).payload("ping")),
       STEER_PASSED},
      {"icmp frag-needed quoting vip:80 -> client",
       frame(Packet().ipv4(router4, kVip4).icmp(3, 4, 1400).quote(reply4, 28)), STEER_STEERED},
      {"icmp frag-needed quoting the host's ssh",
       frame(Packet().ipv4(router4, kHost4).icmp(3, 4, 1400).quote(other_reply4, 28)),
       STEER_PASSED},
      {"icmpv6 packet-too-big quoting vip6:443 -> client",
       frame(Packet().ipv6(router6, kVip6).icmp(kIcmpv6PacketTooBig, 0, 1280).quote(reply6, 48)),
       STEER_STEERED},
      {"icmp error quoting a cut header",
       frame(Packet().ipv4(router4, kVip4).icmp(3, 4, 1400).quote(reply4, 12)), STEER_TRUNCATED},
      {"tcp header cut to 2 bytes", frame(tcp4(kClient4, kVip4, 40000, 80)).truncate(14 + 20 + 2),
       STEER_TRUNCATED},
      {"ipv4 header cut", frame(tcp4(kClient4, kVip4, 40000, 80)).truncate(14 + 10),
       STEER_TRUNCATED},
      {"ipv6 header cut", frame(tcp6(kClient6, kVip6, 40000, 443)).truncate(14 + 39),
       STEER_TRUNCATED},
      {"vlan tag cut", frame(tcp4(kClient4, kVip4, 40000, 80), {10}).truncate(16), STEER_TRUNCATED},
  };
}

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

class SteeringCase : public testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    prog_ = new SteeringProgram(SteeringProgram::Options{.max_queues = 4, .max_vips = 64});
    prog_->replace_all(test_vips());
    prog_->replace_addresses(test_addresses());
    xsk_ = new UniqueFd(occupy_queue0(*prog_));
  }
  static void TearDownTestSuite() {
    delete prog_;
    prog_ = nullptr;
    delete xsk_;
    xsk_ = nullptr;
  }
  static SteeringProgram* prog_;
  static UniqueFd* xsk_;
};
SteeringProgram* SteeringCase::prog_ = nullptr;
UniqueFd* SteeringCase::xsk_ = nullptr;

TEST_P(SteeringCase, VerdictAndCounter) {
  const Case& c = GetParam();
  const SteeringCounters before = prog_->counters();
  const Bytes in = c.in.bytes();
  const RunResult r = run_xdp(prog_->prog_fd(), in);
  const SteeringCounters after = prog_->counters();

  const bool redirect = c.counter == STEER_STEERED || c.counter == STEER_NEIGHBOR;
  const uint32_t want = redirect ? XDP_REDIRECT : XDP_PASS;
  EXPECT_EQ(std::string(verdict_name(r.verdict)), verdict_name(want));
  EXPECT_EQ(hex(r.out), hex(in));
  for (int i = 0; i < STEER_NR_COUNTERS; ++i) {
    const bool expected = i == c.counter;
    EXPECT_EQ(after.counters[i].packets - before.counters[i].packets, expected ? 1u : 0u)
        << steering_counter_info[i].name;
    EXPECT_EQ(after.counters[i].bytes - before.counters[i].bytes, expected ? in.size() : 0u)
        << steering_counter_info[i].name;
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, SteeringCase, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<Case>& info) {
                           std::string n;
                           for (char ch : info.param.name)
                             n += std::isalnum(uint8_t(ch)) ? ch : '_';
                           return n;
                         });

// VIP traffic on a queue without a socket goes to the kernel and counts no_socket.
TEST(Steering, NoSocketOnTheQueue) {
  SteeringProgram prog;
  prog.add_vip(*SteeringVip::parse(kVip4, kProtoTcp, 80));
  const Bytes in = frame(tcp4(kClient4, kVip4, 40000, 80)).bytes();
  const RunResult r = run_xdp(prog.prog_fd(), in);
  EXPECT_EQ(r.verdict, uint32_t(XDP_PASS));
  EXPECT_EQ(hex(r.out), hex(in));
  EXPECT_EQ(prog.counters().packets(STEER_NO_SOCKET), 1u);
  EXPECT_EQ(prog.counters().packets(STEER_STEERED), 0u);
}

TEST(Steering, AddRemoveReplaceAll) {
  SteeringProgram prog;
  const UniqueFd xsk = occupy_queue0(prog);
  const Bytes to80 = frame(tcp4(kClient4, kVip4, 40000, 80)).bytes();
  const Bytes to443 = frame(tcp4(kClient4, kVip4, 40000, 443)).bytes();
  const SteeringVip v80 = *SteeringVip::parse(kVip4, kProtoTcp, 80);
  const SteeringVip v443 = *SteeringVip::parse(kVip4, kProtoTcp, 443);
  const SteeringVip all_tcp = *SteeringVip::parse(kVip4, kProtoTcp, 0);

  EXPECT_EQ(run_xdp(prog.prog_fd(), to80).verdict, uint32_t(XDP_PASS));
  prog.add_vip(v80);
  EXPECT_EQ(run_xdp(prog.prog_fd(), to80).verdict, uint32_t(XDP_REDIRECT));
  EXPECT_EQ(run_xdp(prog.prog_fd(), to443).verdict, uint32_t(XDP_PASS));
  prog.remove_vip(v80);
  prog.remove_vip(v80);  // absent: fine
  EXPECT_EQ(run_xdp(prog.prog_fd(), to80).verdict, uint32_t(XDP_PASS));

  prog.replace_all({v80, v443});
  EXPECT_EQ(prog.vips(), (std::vector<SteeringVip>{v80, v443}));
  EXPECT_EQ(run_xdp(prog.prog_fd(), to443).verdict, uint32_t(XDP_REDIRECT));
  prog.replace_all({all_tcp});
  EXPECT_EQ(prog.vips(), std::vector<SteeringVip>{all_tcp});
  EXPECT_EQ(run_xdp(prog.prog_fd(), to80).verdict, uint32_t(XDP_REDIRECT));
  EXPECT_EQ(run_xdp(prog.prog_fd(), to443).verdict, uint32_t(XDP_REDIRECT));
  prog.replace_all({});
  EXPECT_TRUE(prog.vips().empty());
  EXPECT_EQ(run_xdp(prog.prog_fd(), to80).verdict, uint32_t(XDP_PASS));
}

TEST(Steering, ReplaceAddresses) {
  SteeringProgram prog;
  const UniqueFd xsk = occupy_queue0(prog);
  const Bytes who_has_vip = frame(Packet().arp(1, kMacClient, kClient4, {}, kVip4)).bytes();
  const AddrBytes vip4 = *parse_address(kVip4), own6 = *parse_address(kOwn6);

  EXPECT_EQ(run_xdp(prog.prog_fd(), who_has_vip).verdict, uint32_t(XDP_PASS));
  prog.replace_addresses({own6, vip4, vip4});
  EXPECT_EQ(prog.addresses(), (std::vector<AddrBytes>{vip4, own6}));  // sorted, once each
  EXPECT_EQ(run_xdp(prog.prog_fd(), who_has_vip).verdict, uint32_t(XDP_REDIRECT));
  prog.replace_addresses({own6});
  EXPECT_EQ(prog.addresses(), std::vector<AddrBytes>{own6});
  EXPECT_EQ(run_xdp(prog.prog_fd(), who_has_vip).verdict, uint32_t(XDP_PASS));
  EXPECT_EQ(prog.counters().packets(STEER_NEIGHBOR), 1u);
  EXPECT_EQ(prog.counters().packets(STEER_PASSED), 2u);
}

TEST(Steering, MapFullIsAnError) {
  SteeringProgram prog(SteeringProgram::Options{.max_queues = 1, .max_vips = 2});
  prog.add_vip(*SteeringVip::parse(kVip4, kProtoTcp, 1));
  prog.add_vip(*SteeringVip::parse(kVip4, kProtoTcp, 2));
  prog.add_vip(*SteeringVip::parse(kVip4, kProtoTcp, 2));  // update in place: fine
  EXPECT_THROW(prog.add_vip(*SteeringVip::parse(kVip4, kProtoTcp, 3)), BpfError);
}

TEST(Steering, KeyLayout) {
  const SteeringVip v = *SteeringVip::parse("10.1.2.3", kProtoUdp, 0x1234);
  const steering_vip_key k = v.key();
  static_assert(sizeof(k) == 20);
  const uint8_t want[20] = {0,    0,    0,  0, 0, 0, 0,    0,    0,  0,
                            0xff, 0xff, 10, 1, 2, 3, 0x12, 0x34, 17, 0};
  EXPECT_EQ(std::memcmp(&k, want, sizeof(want)), 0);
  EXPECT_EQ(SteeringVip::from_key(k), v);
}

}  // namespace
}  // namespace sluice::bpf::test
