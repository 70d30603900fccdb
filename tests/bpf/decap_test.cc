// SPDX-License-Identifier: BSD-3-Clause
// decap.bpf.c through BPF_PROG_TEST_RUN: each case is an input frame, the exact verdict,
// the exact output frame and the one counter that must move.
#include "decap.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bpf_test_util.h"
#include "decap.skel.h"
#include "packet_builder.h"
#include "xdp_util.h"

namespace sluice::bpf::test {
namespace {

using testing_support::Bytes;
using testing_support::hex;
using testing_support::Ipv4Opts;
using testing_support::Ipv6Opts;
using testing_support::Mac;
using testing_support::Packet;
using namespace wire;

const Mac kMacLb{0x02, 0x5c, 0, 0, 0, 0x10};
const Mac kMacWeb1{0x02, 0x5c, 0, 0, 0, 0x21};
constexpr const char* kLocal4 = "10.211.0.21";
constexpr const char* kLocal6 = "fd00:211::21";
constexpr const char* kOther4 = "10.211.0.99";
constexpr const char* kOther6 = "fd00:211::99";
constexpr const char* kEncapSrc4 = "172.16.0.7";
constexpr const char* kEncapSrc6 = "fd00:5c::7";
constexpr const char* kClient4 = "10.211.0.2";
constexpr const char* kClient6 = "fd00:211::2";
constexpr const char* kVip4 = "10.211.0.100";
constexpr const char* kVip6 = "fd00:211::100";
constexpr const char* kGet = "GET / HTTP/1.1\r\n";

// The IP packet `l3` in an Ethernet frame (EtherType from its first header) under `vlans`.
Packet frame(const Packet& l3, std::initializer_list<uint16_t> vlans = {}) {
  Packet f;
  f.eth(kMacWeb1, kMacLb);
  for (uint16_t tci : vlans) f.vlan(tci);
  return f.inner(l3);
}

// Outer headers as sluice-dataplane writes them; the protocol field follows `inner`.
Packet ipip4(const char* dst, const Packet& inner, const Ipv4Opts& o = {}) {
  return Packet().ipv4(kEncapSrc4, dst, o).inner(inner);
}
Packet ipip6(const char* dst, const Packet& inner, const Ipv6Opts& o = {}) {
  return Packet().ipv6(kEncapSrc6, dst, o).inner(inner);
}
Packet gue4(const char* dst, const Packet& inner, uint16_t port = DECAP_DEFAULT_GUE_PORT) {
  return Packet().ipv4(kEncapSrc4, dst).udp(40001, port).inner(inner);
}
Packet gue6(const char* dst, const Packet& inner, uint16_t port = DECAP_DEFAULT_GUE_PORT) {
  return Packet().ipv6(kEncapSrc6, dst).udp(40001, port).inner(inner);
}

Packet inner4(const Ipv4Opts& o = {}) {
  return Packet().ipv4(kClient4, kVip4, o).tcp(40000, 80).payload(kGet);
}
Packet inner6(const Ipv6Opts& o = {}) {
  return Packet().ipv6(kClient6, kVip6, o).tcp(40000, 80).payload(kGet);
}

struct Case {
  std::string name;
  Packet in;
  uint32_t verdict;
  std::optional<Packet> out;  // none: the input, unchanged
  decap_counter counter;
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

std::vector<Case> cases() {
  const uint8_t ce = 0x3, ect0 = 0x2, ect1 = 0x1;
  Ipv4Opts with_options;
  with_options.options = {0x01, 0x01, 0x01, 0x00};  // NOP NOP NOP EOL
  Ipv4Opts mf;
  mf.frag = 0x2000;
  Ipv4Opts bad_csum;
  bad_csum.bad_checksum = true;
  Ipv4Opts inner_too_long;
  inner_too_long.total_length = int(inner4().bytes().size()) + 10;
  Ipv4Opts outer_ce4;
  outer_ce4.tos = ce;
  Ipv4Opts outer_ect4;
  outer_ect4.tos = ect0;
  Ipv4Opts inner_ect0;
  inner_ect0.tos = ect0;
  Ipv4Opts inner_ce;
  inner_ce.tos = ce;
  Ipv6Opts outer_ce6;
  outer_ce6.tclass = ce;
  Ipv6Opts inner6_ect1;
  inner6_ect1.tclass = 0xb8 | ect1;  // DSCP EF with ECT(1)
  Ipv6Opts inner6_ce;
  inner6_ce.tclass = 0xb8 | ce;
  Ipv6Opts outer6_too_long;
  outer6_too_long.payload_length = int(inner6().bytes().size()) + 1;

  // Inner IPv4 header with IHL 4.
  const Packet bad_ihl = inner4().set8(0, 0x44);
  // GUE whose UDP length exceeds the IP payload.
  Packet gue_long = gue4(kLocal4, inner4());
  gue_long.set16(20 + 4, uint16_t(gue_long.bytes().size()));
  // The 4in4 frame cut 10 bytes into the inner header.
  const Packet cut = frame(ipip4(kLocal4, inner4())).truncate(14 + 20 + 10);
  // Outer total length covering only 10 bytes of inner header (and the frame ending there).
  const Packet short_inner = frame(Packet().ipv4(kEncapSrc4, kLocal4).inner(inner4(), 10));

  return {
      // --- decapsulated ---
      {"ipip 4in4", frame(ipip4(kLocal4, inner4())), XDP_PASS, frame(inner4()), DECAP_IPIP},
      {"ipip 6in4", frame(ipip4(kLocal4, inner6())), XDP_PASS, frame(inner6()), DECAP_IPIP},
      {"ipip 4in6", frame(ipip6(kLocal6, inner4())), XDP_PASS, frame(inner4()), DECAP_IPIP},
      {"ipip 6in6", frame(ipip6(kLocal6, inner6())), XDP_PASS, frame(inner6()), DECAP_IPIP},
      {"gue v4 in v4", frame(gue4(kLocal4, inner4())), XDP_PASS, frame(inner4()), DECAP_GUE},
      {"gue v6 in v6", frame(gue6(kLocal6, inner6())), XDP_PASS, frame(inner6()), DECAP_GUE},
      {"gue v4 in v6", frame(gue6(kLocal6, inner4())), XDP_PASS, frame(inner4()), DECAP_GUE},
      {"gue v6 in v4", frame(gue4(kLocal4, inner6())), XDP_PASS, frame(inner6()), DECAP_GUE},
      {"ipip 4in4 under an 802.1Q tag", frame(ipip4(kLocal4, inner4()), {100}), XDP_PASS,
       frame(inner4(), {100}), DECAP_IPIP},
      {"ipip 6in4 under two tags", frame(ipip4(kLocal4, inner6()), {100, 200}), XDP_PASS,
       frame(inner6(), {100, 200}), DECAP_IPIP},
      {"gue 4in6 under two tags", frame(gue6(kLocal6, inner4()), {7, 8}), XDP_PASS,
       frame(inner4(), {7, 8}), DECAP_GUE},
      {"outer IPv4 with options", frame(ipip4(kLocal4, inner4(), with_options)), XDP_PASS,
       frame(inner4()), DECAP_IPIP},
      {"trailing frame bytes kept (the stack trims by IP length)",
       frame(ipip4(kLocal4, inner4())).pad(4), XDP_PASS, frame(inner4()).pad(4), DECAP_IPIP},
      {"ecn: outer CE marks an ECT(0) inner IPv4 (checksum updated)",
       frame(ipip4(kLocal4, inner4(inner_ect0), outer_ce4)), XDP_PASS, frame(inner4(inner_ce)),
       DECAP_IPIP},
      {"ecn: outer CE marks an ECT(1) inner IPv6",
       frame(ipip6(kLocal6, inner6(inner6_ect1), outer_ce6)), XDP_PASS, frame(inner6(inner6_ce)),
       DECAP_IPIP},
      {"ecn: outer ECT(0) leaves a not-ECT inner alone",
       frame(ipip4(kLocal4, inner4(), outer_ect4)), XDP_PASS, frame(inner4()), DECAP_IPIP},
      // --- passed untouched ---
      {"ipip for another host", frame(ipip4(kOther4, inner4())), XDP_PASS, {}, DECAP_PASSED},
      {"ipip 6in6 for another host", frame(ipip6(kOther6, inner6())), XDP_PASS, {}, DECAP_PASSED},
      {"gue for another host", frame(gue4(kOther4, inner4())), XDP_PASS, {}, DECAP_PASSED},
      {"plain tcp to us",
       frame(Packet().ipv4(kClient4, kLocal4).tcp(40000, 22).payload(kGet)),
       XDP_PASS,
       {},
       DECAP_PASSED},
      {"plain tcp6 to us",
       frame(Packet().ipv6(kClient6, kLocal6).tcp(40000, 22).payload(kGet)),
       XDP_PASS,
       {},
       DECAP_PASSED},
      {"udp to us, not the gue port",
       frame(gue4(kLocal4, inner4(), 53)),
       XDP_PASS,
       {},
       DECAP_PASSED},
      {"arp",
       Packet().eth(kMacWeb1, kMacLb).ethertype(kEtherTypeArp).payload(28, 0),
       XDP_PASS,
       {},
       DECAP_PASSED},
      {"outer ipv6 extension header (not parsed)",
       frame(Packet()
                 .ipv6(kEncapSrc6, kLocal6)
                 .ext(kProtoHopByHop, {1, 4, 0, 0, 0, 0})
                 .inner(inner6())),
       XDP_PASS,
       {},
       DECAP_PASSED},
      {"frame ends inside the outer ipv4 header",
       frame(ipip4(kLocal4, inner4())).truncate(14 + 12),
       XDP_PASS,
       {},
       DECAP_PASSED},
      {"frame ends inside the gue udp header",
       frame(gue4(kLocal4, inner4())).truncate(14 + 20 + 6),
       XDP_PASS,
       {},
       DECAP_PASSED},
      {"outer ipv4 fragment",
       frame(ipip4(kLocal4, inner4(), mf)),
       XDP_PASS,
       {},
       DECAP_PASSED_FRAGMENT},
      // --- dropped ---
      {"frame ends inside the inner header (outer truncated)",
       cut,
       XDP_DROP,
       {},
       DECAP_DROP_TRUNCATED},
      {"outer packet ends inside the inner header",
       short_inner,
       XDP_DROP,
       {},
       DECAP_DROP_TRUNCATED},
      {"inner ipv4 total length beyond the outer packet",
       frame(ipip4(kLocal4, inner4(inner_too_long))),
       XDP_DROP,
       {},
       DECAP_DROP_TRUNCATED},
      {"outer ipv6 payload length beyond the frame",
       frame(ipip6(kLocal6, inner6(), outer6_too_long)),
       XDP_DROP,
       {},
       DECAP_DROP_TRUNCATED},
      {"empty gue payload", frame(gue4(kLocal4, Packet())), XDP_DROP, {}, DECAP_DROP_TRUNCATED},
      {"outer ipv4 checksum wrong",
       frame(ipip4(kLocal4, inner4(), bad_csum)),
       XDP_DROP,
       {},
       DECAP_DROP_BAD_OUTER},
      {"gue udp length beyond the ip payload", frame(gue_long), XDP_DROP, {}, DECAP_DROP_BAD_OUTER},
      {"protocol 4 carrying ipv6",
       frame(Packet().ipv4(kEncapSrc4, kLocal4).proto(kProtoIpip).inner(inner6())),
       XDP_DROP,
       {},
       DECAP_DROP_BAD_INNER},
      {"next header 41 carrying ipv4",
       frame(Packet().ipv6(kEncapSrc6, kLocal6).proto(kProtoIpv6).inner(inner4())),
       XDP_DROP,
       {},
       DECAP_DROP_BAD_INNER},
      {"gue variant 0 header (not an ip packet)",
       frame(gue4(kLocal4, Packet().payload({0x00, 0x04, 0, 0}).inner(inner4()))),
       XDP_DROP,
       {},
       DECAP_DROP_BAD_INNER},
      {"inner ipv4 ihl 4", frame(ipip4(kLocal4, bad_ihl)), XDP_DROP, {}, DECAP_DROP_BAD_INNER},
      {"ecn: outer CE over a not-ECT inner",
       frame(ipip4(kLocal4, inner4(), outer_ce4)),
       XDP_DROP,
       {},
       DECAP_DROP_ECN},
  };
}

struct SkelDeleter {
  void operator()(decap_bpf* s) const { decap_bpf__destroy(s); }
};
using Skel = std::unique_ptr<decap_bpf, SkelDeleter>;

Skel load(uint16_t gue_port, std::initializer_list<const char*> locals) {
  Skel s(decap_bpf__open());
  if (!s) throw std::runtime_error("decap_bpf__open failed");
  s->rodata->gue_port = gue_port;
  if (decap_bpf__load(s.get()) != 0) throw std::runtime_error("decap_bpf__load failed");
  for (const char* l : locals) {
    const AddrBytes a = *parse_address(l);
    const uint8_t one = 1;
    if (bpf_map_update_elem(bpf_map__fd(s->maps.decap_locals), a.data(), &one, BPF_ANY) != 0)
      throw std::runtime_error("adding a local address failed");
  }
  return s;
}

std::vector<sluice_counter> counters(const Skel& s) {
  return read_counters(bpf_map__fd(s->maps.decap_stats), DECAP_NR_COUNTERS);
}

class DecapCase : public testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    skel_ = new Skel(load(DECAP_DEFAULT_GUE_PORT, {kLocal4, kLocal6}));
  }
  static void TearDownTestSuite() {
    delete skel_;
    skel_ = nullptr;
  }
  static Skel* skel_;
};
Skel* DecapCase::skel_ = nullptr;

TEST_P(DecapCase, VerdictOutputAndCounter) {
  const Case& c = GetParam();
  const auto before = counters(*skel_);
  const Bytes in = c.in.bytes();
  const RunResult r = run_xdp(bpf_program__fd((*skel_)->progs.sluice_decap), in);
  const auto after = counters(*skel_);

  EXPECT_EQ(verdict_name(r.verdict), std::string(verdict_name(c.verdict)));
  if (c.verdict == XDP_PASS) {
    const Bytes want = c.out ? c.out->bytes() : in;
    EXPECT_EQ(hex(r.out), hex(want));
  }
  for (int i = 0; i < DECAP_NR_COUNTERS; ++i) {
    const bool expected = i == c.counter;
    EXPECT_EQ(after[i].packets - before[i].packets, expected ? 1u : 0u)
        << decap_counter_info[i].name;
    EXPECT_EQ(after[i].bytes - before[i].bytes, expected ? in.size() : 0u)
        << decap_counter_info[i].name;
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, DecapCase, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<Case>& info) {
                           std::string n;
                           for (char ch : info.param.name)
                             n += std::isalnum(uint8_t(ch)) ? ch : '_';
                           return n;
                         });

// The builder's bytes are scapy's for the same packets (generated once with
// /usr/bin/python3 + scapy; see the comment at the top of tests/lib/packet_builder.h).
TEST(DecapBuilder, MatchesScapy) {
  EXPECT_EQ(hex(frame(ipip4(kLocal4, inner4())).bytes()),
            "025c00000021025c0000001008004500004c00004000400483afac1000070ad300154500003800004000"
            "400624b50ad300020ad300649c400050000003e8000007d050182000ffd10000474554202f2048545450"
            "2f312e310d0a");
  EXPECT_EQ(hex(frame(gue6(kLocal6, inner6())).bytes()),
            "025c00000021025c0000001086dd6000000000541140fd00005c00000000000000000000000"
            "7fd0002110000000000000000000000219c4117c00054e8736000000000240640fd00021100000000"
            "0000000000000002fd0002110000000000000000000001009c400050000003e8000007d050182000"
            "16b80000474554202f20485454502f312e310d0a");
}

// The GUE port is load-time rodata: another port decapsulates, 6080 does not.
TEST(DecapSettings, GuePortFromRodata) {
  Skel s = load(7777, {kLocal4});
  const int fd = bpf_program__fd(s->progs.sluice_decap);
  const Bytes on_7777 = frame(gue4(kLocal4, inner4(), 7777)).bytes();
  const Bytes on_6080 = frame(gue4(kLocal4, inner4())).bytes();
  RunResult r = run_xdp(fd, on_7777);
  EXPECT_EQ(r.verdict, uint32_t(XDP_PASS));
  EXPECT_EQ(hex(r.out), hex(frame(inner4()).bytes()));
  r = run_xdp(fd, on_6080);
  EXPECT_EQ(r.verdict, uint32_t(XDP_PASS));
  EXPECT_EQ(hex(r.out), hex(on_6080));
  const auto c = counters(s);
  EXPECT_EQ(c[DECAP_GUE].packets, 1u);
  EXPECT_EQ(c[DECAP_PASSED].packets, 1u);
}

// Local addresses are a map: adding one at run time takes effect at once.
TEST(DecapSettings, LocalsMap) {
  Skel s = load(DECAP_DEFAULT_GUE_PORT, {kLocal4});
  const int fd = bpf_program__fd(s->progs.sluice_decap);
  const Bytes in = frame(ipip6(kLocal6, inner6())).bytes();
  EXPECT_EQ(hex(run_xdp(fd, in).out), hex(in));
  const AddrBytes a = *parse_address(kLocal6);
  const uint8_t one = 1;
  ASSERT_EQ(bpf_map_update_elem(bpf_map__fd(s->maps.decap_locals), a.data(), &one, BPF_ANY), 0);
  EXPECT_EQ(hex(run_xdp(fd, in).out), hex(frame(inner6()).bytes()));
}

}  // namespace
}  // namespace sluice::bpf::test
