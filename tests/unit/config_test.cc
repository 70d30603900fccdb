// SPDX-License-Identifier: BSD-3-Clause
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config/config_loader.h"
#include "config/node_limits.h"

namespace sluice::config {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }
IpPrefix prefix(const char* text) { return *IpPrefix::parse(text); }
MacAddress mac(const char* text) { return *MacAddress::parse(text); }

std::vector<std::string> messages(const LoadResult& result) {
  EXPECT_EQ(result.config.has_value(), result.errors.empty());
  std::vector<std::string> out;
  for (const ConfigError& e : result.errors) out.push_back(e.to_string());
  return out;
}

std::vector<std::string> errors_of(std::string_view text) {
  return messages(parse_config(text, "t.toml"));
}

// A valid port, appended after the text under test so that positions in the
// expectations count from the first line of that text.
constexpr std::string_view kPort = R"(
[[port]]
name = "lan0"
device = "net_af_packet0,iface=veth0"
addresses = ["10.0.0.10/24", "2001:db8::10/64"]
)";

std::vector<std::string> errors(std::string_view text) {
  return errors_of(std::string(text) + std::string(kPort));
}

// Lines 1-6 of many VIP tests.
constexpr std::string_view kWww = R"([[vip]]
name = "www"
address = "10.0.0.100"
protocol = "tcp"
port = 80
mode = "dsr-l2"
)";

std::vector<std::string> www_errors(std::string_view rest) {
  return errors(std::string(kWww) + std::string(rest));
}

// The config the VIP updates under test apply to.
constexpr std::string_view kUpdateBase = R"([[port]]
name = "lan0"
device = "net_null0"
addresses = ["10.0.0.10/24"]
)";

// ---------------------------------------------------------------------------------------
// Valid configs

TEST(ConfigLoad, FullConfigIntoTheModel) {
  LoadResult r = parse_config(R"(
[dataplane]
main_lcore = 2
worker_lcores = [3, 4]
burst_size = 64
flow_table_size = 2048
host_rate_limit = 5000
idle_sleep_us = 50
rx_interrupts = true
hugepages = false
memory_mb = 256
file_prefix = "lb-a_1"
mbufs_per_port = 8191
eal_args = ["--log-level=8", "--no-pci"]

[flow_timeouts]
tcp_syn = 0.5
tcp_established = 3600
tcp_closing = 2.25
udp = 60
other = 1

[fragments]
table_size = 1024
hold = 64
hold_per_datagram = 8
timeout = 2
hold_time = 0.25

[[port]]
name = "lan0"
device = "net_af_packet0,iface=veth0"
addresses = ["10.0.0.10/24", "2001:db8::10/64"]
gateway = "10.0.0.1"
gateway6 = "2001:db8::1"
mtu = 9000
mac = "02:00:00:00:00:10"
accept_macs = ["00:00:5e:00:01:33", "00:00:5E:00:02:33"]
queues = 2

[[port]]
name = "wan.1"
device = "0000:3B:00.1"

[[neighbor]]
address = "10.0.0.21"
mac = "02:00:00:00:00:21"

[[vip]]
name = "www"
address = "10.0.0.100"
protocol = "tcp"
port = 80
mode = "dsr-l2"
maglev_table_size = 251
hash = "source"
  [[vip.backend]]
  address = "10.0.0.21"
  weight = 3
  state = "drain"
  [[vip.backend]]
  address = "10.0.0.22"

[[vip]]
name = "dns6"
address = "2001:db8::53"
protocol = "udp"
port = 0
mode = "gue"
encap_source = "172.16.0.0/16"
encap_source6 = "fd00:5eed::/64"
gue_port = 7000
hash = "source-destination"
backend = [
  { address = "192.168.7.1", weight = 0, state = "maint" },
  { address = "fd00:1::1" },
]

[[vip]]
name = "tun"
address = "10.0.0.101"
protocol = "tcp"
port = 443
mode = "ipip"
maglev_table_size = 1000003
encap_source = "172.17.0.0/16"
mss_clamp = 1440
  [[vip.backend]]
  address = "192.168.7.2"
)",
                              "full.toml");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front().to_string();
  ASSERT_TRUE(r.config);
  const Config& c = *r.config;

  DataplaneSettings d;
  d.main_lcore = 2;
  d.worker_lcores = {3, 4};
  d.burst_size = 64;
  d.flow_table_size = 2048;
  d.host_rate_limit = 5000;
  d.idle_sleep_us = 50;
  d.rx_interrupts = true;
  d.hugepages = false;
  d.memory_mb = 256;
  d.file_prefix = "lb-a_1";
  d.mbufs_per_port = 8191;
  d.eal_args = {"--log-level=8", "--no-pci"};
  EXPECT_EQ(c.dataplane, d);

  EXPECT_EQ(c.flow_timeouts, (FlowTimeouts{500, 3'600'000, 2250, 60'000, 1000}));
  EXPECT_EQ(c.fragments, (FragmentSettings{1024, 64, 8, 2000, 250}));

  ASSERT_EQ(c.ports.size(), 2u);
  Port lan;
  lan.name = "lan0";
  lan.device = "net_af_packet0,iface=veth0";
  lan.addresses = {prefix("10.0.0.10/24"), prefix("2001:db8::10/64")};
  lan.gateway = ip("10.0.0.1");
  lan.gateway6 = ip("2001:db8::1");
  lan.mtu = 9000;
  lan.mac = mac("02:00:00:00:00:10");
  lan.accept_macs = {mac("00:00:5e:00:01:33"), mac("00:00:5e:00:02:33")};
  lan.queues = 2;
  EXPECT_EQ(c.ports[0], lan);
  Port wan;
  wan.name = "wan.1";
  wan.device = "0000:3B:00.1";
  EXPECT_EQ(c.ports[1], wan);

  EXPECT_THAT(c.neighbors, ElementsAre(Neighbor{ip("10.0.0.21"), mac("02:00:00:00:00:21")}));

  ASSERT_EQ(c.vips.size(), 3u);
  Vip www;
  www.name = "www";
  www.address = ip("10.0.0.100");
  www.protocol = 6;
  www.port = 80;
  www.mode = ForwardingMode::kDsrL2;
  www.maglev_table_size = 251;
  www.hash = VipHash::kSource;
  www.backends = {{ip("10.0.0.21"), 3, BackendState::kDrain},
                  {ip("10.0.0.22"), 1, BackendState::kReady}};
  EXPECT_EQ(c.vips[0], www);
  Vip dns;
  dns.name = "dns6";
  dns.address = ip("2001:db8::53");
  dns.protocol = 17;
  dns.port = 0;
  dns.mode = ForwardingMode::kGue;
  dns.encap_source = prefix("172.16.0.0/16");
  dns.encap_source6 = prefix("fd00:5eed::/64");
  dns.gue_port = 7000;
  dns.hash = VipHash::kSourceDestination;
  dns.backends = {{ip("192.168.7.1"), 0, BackendState::kMaint},
                  {ip("fd00:1::1"), 1, BackendState::kReady}};
  EXPECT_EQ(c.vips[1], dns);
  Vip tun;
  tun.name = "tun";
  tun.address = ip("10.0.0.101");
  tun.protocol = 6;
  tun.port = 443;
  tun.mode = ForwardingMode::kIpip;
  tun.maglev_table_size = 1000003;
  tun.encap_source = prefix("172.17.0.0/16");
  tun.mss_clamp = 1440;
  tun.backends = {{ip("192.168.7.2"), 1, BackendState::kReady}};
  EXPECT_EQ(c.vips[2], tun);
}

TEST(ConfigLoad, OmittedKeysTakeTheirDefaults) {
  LoadResult r = parse_config(R"(
[[port]]
name = "p"
device = "net_pcap0,iface=lo"

[[vip]]
name = "v"
address = "10.0.0.100"
protocol = "udp"
port = 53
mode = "ipip"
encap_source = "172.16.0.0/16"
  [[vip.backend]]
  address = "10.1.0.1"
)",
                              "defaults.toml");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front().to_string();
  const Config& c = *r.config;
  EXPECT_EQ(c.dataplane, DataplaneSettings{});
  EXPECT_EQ(c.dataplane.main_lcore, 0u);
  EXPECT_THAT(c.dataplane.worker_lcores, ElementsAre(1u));
  EXPECT_EQ(c.dataplane.burst_size, 32u);
  EXPECT_EQ(c.dataplane.flow_table_size, 1048576u);
  EXPECT_EQ(c.dataplane.host_rate_limit, 20000u);
  EXPECT_EQ(c.dataplane.idle_sleep_us, 0u);
  EXPECT_FALSE(c.dataplane.rx_interrupts);
  EXPECT_TRUE(c.dataplane.hugepages);
  EXPECT_EQ(c.dataplane.memory_mb, 1024u);
  EXPECT_EQ(c.dataplane.file_prefix, "sluice");
  EXPECT_EQ(c.dataplane.mbufs_per_port, 16383u);
  EXPECT_TRUE(c.dataplane.eal_args.empty());
  EXPECT_EQ(c.flow_timeouts, (FlowTimeouts{10'000, 900'000, 10'000, 30'000, 30'000}));
  EXPECT_EQ(c.fragments, (FragmentSettings{8192, 256, 64, 1000, 100}));

  ASSERT_EQ(c.ports.size(), 1u);
  const Port& p = c.ports[0];
  EXPECT_TRUE(p.addresses.empty());
  EXPECT_FALSE(p.gateway);
  EXPECT_FALSE(p.gateway6);
  EXPECT_EQ(p.mtu, 1500);
  EXPECT_FALSE(p.mac);
  EXPECT_TRUE(p.accept_macs.empty());
  EXPECT_EQ(p.queues, 0);
  EXPECT_TRUE(c.neighbors.empty());

  ASSERT_EQ(c.vips.size(), 1u);
  const Vip& v = c.vips[0];
  EXPECT_EQ(v.protocol, 17);
  EXPECT_EQ(v.maglev_table_size, 65537u);
  EXPECT_FALSE(v.encap_source6);
  EXPECT_EQ(v.gue_port, 6080);
  EXPECT_EQ(v.hash, VipHash::kFiveTuple);
  EXPECT_EQ(v.mss_clamp, 0);
  EXPECT_THAT(v.backends, ElementsAre(Backend{ip("10.1.0.1"), 1, BackendState::kReady}));
}

TEST(ConfigLoad, DeviceForms) {
  auto device_ok = [](const char* device) {
    return parse_config(std::string("[[port]]\nname = \"p\"\ndevice = \"") + device + "\"\n",
                        "t.toml")
        .config.has_value();
  };
  for (const char* good : {"0000:3b:00.0", "3b:1f.7", "ABCD:EF:01.2", "net_pcap0",
                           "net_af_xdp12,iface=eth0,start_queue=0", "net_memif0,role=server"})
    EXPECT_TRUE(device_ok(good)) << good;
  for (const char* bad : {"eth0", "0000:3b:20.0", "3b:00.8", "3b:00", "0000:3b:00.0,x=1",
                          "net_pcap", "net_0", "net_Pcap0", "net_pcap0,", "pcap0"})
    EXPECT_FALSE(device_ok(bad)) << bad;
}

TEST(ConfigLoad, FlowHandoff) {
  auto port = [](const std::string& extra) {
    return parse_config(
        "[[port]]\nname = \"p\"\ndevice = \"net_af_packet0,iface=eth1,qpairs=2\"\n" + extra,
        "t.toml");
  };
  LoadResult dflt = port("");
  ASSERT_TRUE(dflt.config);
  EXPECT_EQ(dflt.config->ports[0].flow_handoff, FlowHandoff::kAuto);
  for (auto [text, want] :
       {std::pair{"auto", FlowHandoff::kAuto}, std::pair{"off", FlowHandoff::kOff}}) {
    LoadResult r = port(std::string("flow_handoff = \"") + text + "\"\n");
    ASSERT_TRUE(r.config) << text;
    EXPECT_EQ(r.config->ports[0].flow_handoff, want) << text;
  }
}

TEST(ConfigLoad, ExceptionPaths) {
  auto port = [](const char* device, const char* path) {
    return parse_config(std::string("[[port]]\nname = \"p\"\ndevice = \"") + device +
                            "\"\nexception_path = \"" + path + "\"\n",
                        "t.toml");
  };
  LoadResult xdp = port("net_af_xdp0,iface=eth1", "xdp");
  ASSERT_TRUE(xdp.config);
  EXPECT_EQ(xdp.config->ports[0].exception_path, ExceptionPath::kXdp);
  LoadResult tap = port("net_af_packet0,iface=eth1", "tap");
  ASSERT_TRUE(tap.config);
  EXPECT_EQ(tap.config->ports[0].exception_path, ExceptionPath::kTap);
  EXPECT_EQ(tap.config->ports[0].tap_name, "sl-p");
  LoadResult none = port("0000:3b:00.0", "none");
  ASSERT_TRUE(none.config);
  EXPECT_EQ(none.config->ports[0].exception_path, ExceptionPath::kNone);
}

TEST(ConfigLoad, NoVipsIsValid) { EXPECT_TRUE(errors("").empty()); }

TEST(ConfigLoad, MetricsOnlyWithItsTable) {
  LoadResult none = parse_config(kPort, "t.toml");
  ASSERT_TRUE(none.config);
  EXPECT_FALSE(none.config->metrics) << "no [metrics] table: no listener";

  LoadResult defaults = parse_config("[metrics]\n" + std::string(kPort), "t.toml");
  ASSERT_TRUE(defaults.config);
  ASSERT_TRUE(defaults.config->metrics);
  EXPECT_EQ(defaults.config->metrics, MetricsSettings{});
  EXPECT_EQ(defaults.config->metrics->listen.to_string(), "127.0.0.1:9101");
  EXPECT_FALSE(defaults.config->metrics->admin_actions);
  EXPECT_THAT(defaults.config->metrics->admin_sources, ElementsAre(prefix("127.0.0.1/32")));

  LoadResult full = parse_config(R"([metrics]
listen = "[::]:19101"
admin_actions = true
admin_sources = ["10.0.0.0/24", "::1/128"]
)" + std::string(kPort),
                                 "t.toml");
  ASSERT_TRUE(full.config) << full.errors.front().to_string();
  const MetricsSettings& m = *full.config->metrics;
  EXPECT_EQ(m.listen.to_string(), "[::]:19101");
  EXPECT_TRUE(m.admin_actions);
  EXPECT_THAT(m.admin_sources, ElementsAre(prefix("10.0.0.0/24"), prefix("::1/128")));
}

TEST(ConfigLoad, EnumNamesRoundTrip) {
  for (auto m : {ForwardingMode::kDsrL2, ForwardingMode::kIpip, ForwardingMode::kGue,
                 ForwardingMode::kNat, ForwardingMode::kFullNat})
    EXPECT_EQ(parse_forwarding_mode(to_string(m)), m);
  for (auto s : {BackendState::kReady, BackendState::kDrain, BackendState::kMaint})
    EXPECT_EQ(parse_backend_state(to_string(s)), s);
  EXPECT_EQ(protocol_name(*parse_protocol("tcp")), "tcp");
  EXPECT_EQ(protocol_name(*parse_protocol("udp")), "udp");
}

TEST(ConfigError, PrintsFileLineColumnMessage) {
  EXPECT_EQ((ConfigError{"a.toml", 3, 14, "bad"}).to_string(), "a.toml:3:14: bad");
}

// The samples are documentation: they must stay loadable.
std::filesystem::path source_root() {
  if (const char* env = std::getenv("MESON_SOURCE_ROOT"); env && *env) return env;
  for (auto dir = std::filesystem::current_path(); !dir.empty(); dir = dir.parent_path()) {
    if (std::filesystem::exists(dir / "configs" / "minimal.toml")) return dir;
    if (dir == dir.parent_path()) break;
  }
  return {};
}

TEST(ConfigSamples, LoadWithoutErrors) {
  std::filesystem::path root = source_root();
  ASSERT_FALSE(root.empty()) << "configs/ not found; set MESON_SOURCE_ROOT";
  for (const char* name : {"minimal.toml", "baremetal.toml", "foobar.toml"}) {
    LoadResult r = load_config_file((root / "configs" / name).string());
    std::string all;
    for (const ConfigError& e : r.errors) all += e.to_string() + "\n";
    EXPECT_TRUE(r.config) << name << ":\n" << all;
  }
}

TEST(ConfigSamples, BaremetalHasTheDocumentedShape) {
  std::filesystem::path root = source_root();
  ASSERT_FALSE(root.empty()) << "configs/ not found; set MESON_SOURCE_ROOT";
  LoadResult r = load_config_file((root / "configs" / "baremetal.toml").string());
  ASSERT_TRUE(r.config);
  EXPECT_THAT(r.config->dataplane.worker_lcores, ElementsAre(2u, 3u, 4u, 5u));
  ASSERT_EQ(r.config->ports.size(), 1u);
  EXPECT_EQ(r.config->ports[0].device, "0000:3b:00.0");
  ASSERT_EQ(r.config->vips.size(), 3u);
  EXPECT_EQ(r.config->vips[0].backends.size(), 4u);
  EXPECT_EQ(r.config->vips[2].mode, ForwardingMode::kIpip);
  EXPECT_EQ(r.config->fragments, FragmentSettings{}) << "the [fragments] table spells the defaults";
}

TEST(ConfigSamples, FoobarIsAnXdpPairWithBothFamilies) {
  std::filesystem::path root = source_root();
  ASSERT_FALSE(root.empty()) << "configs/ not found; set MESON_SOURCE_ROOT";
  LoadResult r = load_config_file((root / "configs" / "foobar.toml").string());
  ASSERT_TRUE(r.config);
  ASSERT_EQ(r.config->ports.size(), 1u);
  EXPECT_EQ(r.config->ports[0].exception_path, ExceptionPath::kXdp);
  ASSERT_EQ(r.config->vrrp.size(), 2u);
  EXPECT_THAT(r.config->vrrp[0].vips, ElementsAre("www", "www-tls"));
  EXPECT_THAT(r.config->vrrp[1].vips, ElementsAre("www6"));
  EXPECT_EQ(r.config->vips.size(), 3u);
  EXPECT_EQ(r.config->metrics, MetricsSettings{}) << "the [metrics] table spells the defaults";
}

// [bgp] and [vip.bgp]: the announcement settings of sluiced (docs/bgp.md).
TEST(ConfigLoad, BgpSettingsAndPerVipAnnouncement) {
  LoadResult r = parse_config(std::string(R"([bgp]
enable = true
table = 100
protocol = 201
drain_time = 2.5
drain_on_stop = false
state_file = "/run/x/bgp-state"
bird_socket = "/run/bird/bird.ctl"
bird_policy = "/run/x/bird-vips.conf"
)") + std::string(kWww) + R"(  [vip.bgp]
  announce = false
  min_healthy = 2
  med = 50
  local_pref = 4294967295
  communities = ["65010:100", "0:65535", "4200000001:7:4294967295"]
  [[vip.backend]]
  address = "10.0.0.21"
  [[vip.backend]]
  address = "10.0.0.22"
[[vip]]
name = "www6"
address = "2001:db8::100"
protocol = "tcp"
port = 80
mode = "dsr-l2"
  [[vip.backend]]
  address = "2001:db8::21"
)" + std::string(kPort),
                              "t.toml");
  ASSERT_TRUE(r.config) << messages(r).front();
  const BgpSettings& b = r.config->bgp;
  EXPECT_TRUE(b.enable);
  EXPECT_EQ(b.table, 100u);
  EXPECT_EQ(b.protocol, 201);
  EXPECT_EQ(b.drain_time_ms, 2500u);
  EXPECT_FALSE(b.drain_on_stop);
  EXPECT_EQ(b.state_file, "/run/x/bgp-state");
  EXPECT_EQ(b.bird_socket, "/run/bird/bird.ctl");
  ASSERT_EQ(r.config->vips.size(), 2u);
  EXPECT_EQ(b.bird_policy, "/run/x/bird-vips.conf");
  EXPECT_EQ(
      r.config->vips[0].bgp,
      (VipBgp{.announce = false,
              .min_healthy = 2,
              .med = 50,
              .local_pref = 4294967295u,
              .communities = {
                  {.global = 65010, .local1 = 100},
                  {.global = 0, .local1 = 65535},
                  {.large = true, .global = 4200000001u, .local1 = 7, .local2 = 4294967295u}}}));
  EXPECT_EQ(r.config->vips[0].bgp.communities[2].to_string(), "4200000001:7:4294967295");
  EXPECT_EQ(r.config->vips[1].bgp, VipBgp{})
      << "defaults: announce, 1 backend, MED 0, no local_pref, no communities";
}

TEST(ConfigLoad, BgpIsOffByDefaultAndDrainTimeZeroMeansNoWait) {
  LoadResult off = parse_config(std::string(kPort), "t.toml");
  ASSERT_TRUE(off.config);
  EXPECT_FALSE(off.config->bgp.enable);
  EXPECT_EQ(off.config->bgp.protocol, 200);
  EXPECT_EQ(off.config->bgp.drain_time_ms, 5000u);
  EXPECT_EQ(off.config->bgp.bird_socket, "") << "bird's state is not read unless asked";
  EXPECT_EQ(off.config->bgp.bird_policy, "/run/sluice/bird-vips.conf");
  LoadResult zero = parse_config(
      "[bgp]\nenable = true\ntable = 7\ndrain_time = 0\n" + std::string(kPort), "t.toml");
  ASSERT_TRUE(zero.config) << messages(zero).front();
  EXPECT_EQ(zero.config->bgp.drain_time_ms, 0u);
}

// [sync]: flow sync with the peers (docs/flow-sync.md).
TEST(ConfigLoad, SyncSettings) {
  LoadResult r = parse_config(std::string(R"([sync]
enable = true
listen = "10.0.0.11:7300"
peers = ["10.0.0.12:7300", "[fd00::13]:7301"]
key = "0123456789abcdef"
threshold_packets = 5
threshold_time = 0.5
refresh_interval = 20
send_rate = 1000
install_rate = 2000
table_reserve = 10
join_wait = 2.5
)") + std::string(kPort),
                              "t.toml");
  ASSERT_TRUE(r.config) << messages(r).front();
  const SyncSettings& s = r.config->sync;
  EXPECT_TRUE(s.enable);
  EXPECT_EQ(s.listen.to_string(), "10.0.0.11:7300");
  ASSERT_EQ(s.peers.size(), 2u);
  EXPECT_EQ(s.peers[1].to_string(), "[fd00::13]:7301");
  EXPECT_EQ(s.key, "0123456789abcdef");
  EXPECT_EQ(s.node_id, 0x0a00000bu) << "the listen address";
  EXPECT_EQ(s.threshold_packets, 5u);
  EXPECT_EQ(s.threshold_ms, 500u);
  EXPECT_EQ(s.refresh_interval_ms, 20000u);
  EXPECT_EQ(s.send_rate, 1000u);
  EXPECT_EQ(s.install_rate, 2000u);
  EXPECT_EQ(s.table_reserve_percent, 10u);
  EXPECT_EQ(s.join_wait_ms, 2500u);

  LoadResult off = parse_config(std::string(kPort), "t.toml");
  ASSERT_TRUE(off.config);
  EXPECT_EQ(off.config->sync, SyncSettings{}) << "off by default";
  LoadResult no_join = parse_config("[sync]\njoin_wait = 0\n" + std::string(kPort), "t.toml");
  ASSERT_TRUE(no_join.config) << messages(no_join).front();
  EXPECT_EQ(no_join.config->sync.join_wait_ms, 0u);
}

TEST(ConfigLoad, SyncKeyFileWithoutItsNewline) {
  const std::string path = ::testing::TempDir() + "sync.key";
  {
    std::ofstream out(path);
    out << "fedcba9876543210fedcba9876543210\n";
  }
  LoadResult r = parse_config(
      "[sync]\nenable = true\nnode_id = 7\nlisten = \"127.0.0.1:7300\"\n"
      "peers = [\"127.0.0.2:7300\"]\nkey_file = \"" +
          path + "\"\n" + std::string(kPort),
      "t.toml");
  ASSERT_TRUE(r.config) << messages(r).front();
  EXPECT_EQ(r.config->sync.key, "fedcba9876543210fedcba9876543210");
  EXPECT_EQ(r.config->sync.node_id, 7u);
}

// ---------------------------------------------------------------------------------------
// Errors: one row each, with the exact messages and positions.

TEST(ConfigErrors, UnreadableFile) {
  LoadResult r = load_config_file("/nonexistent/sluice.toml");
  EXPECT_FALSE(r.config);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].to_string(),
            "/nonexistent/sluice.toml:0:0: cannot read: No such file or directory");
}

TEST(ConfigErrors, NotARegularFile) {
  // The reported case: /dev/zero was read without bound (8-12 GB in 30 s).
  LoadResult r = load_config_file("/dev/zero");
  EXPECT_FALSE(r.config);
  EXPECT_THAT(messages(r), ElementsAre("/dev/zero:0:0: cannot read: not a regular file"));
}

TEST(ConfigErrors, AFileOverTheLimitIsNotRead) {
  const std::string path = ::testing::TempDir() + "sluice-huge.toml";
  ASSERT_EQ(::truncate(path.c_str(), 0) == 0 || errno == ENOENT, true);
  { std::ofstream create(path); }
  ASSERT_EQ(::truncate(path.c_str(), off_t(kMaxConfigBytes) + 1), 0);  // sparse
  LoadResult r = load_config_file(path);
  std::filesystem::remove(path);
  EXPECT_FALSE(r.config);
  EXPECT_THAT(messages(r), ElementsAre(path + ":0:0: cannot read: larger than 64 MiB, the "
                                              "largest config sluice reads"));
}

// Where a row's snippet goes before it is parsed.
enum class Frame {
  kWholeFile,   // the snippet is the whole file
  kBeforePort,  // the snippet, then kPort
  kAfterWww,    // kWww (lines 1-6), the snippet, then kPort
  kVipUpdate,   // the snippet as a VIP update to kUpdateBase
};

struct Rejected {
  const char* name;
  Frame frame;
  std::string_view snippet;
  std::vector<std::string> errors;  // every error, "file:line:column: message", in order
};

void PrintTo(const Rejected& row, std::ostream* os) { *os << row.name; }

std::vector<std::string> update_errors(std::string_view text) {
  Config base = parse_config(kUpdateBase, "base.toml").config.value();
  return messages(parse_vip_update(text, "update", base));
}

std::vector<std::string> errors_in(Frame frame, std::string_view snippet) {
  switch (frame) {
    case Frame::kWholeFile:
      return errors_of(snippet);
    case Frame::kBeforePort:
      return errors(snippet);
    case Frame::kAfterWww:
      return www_errors(snippet);
    case Frame::kVipUpdate:
      return update_errors(snippet);
  }
  return {};
}

const std::vector<Rejected> kRejected = {
    {"SyntaxError",
     Frame::kWholeFile,
     "[dataplane]\nburst_size = = 3\n",
     {"t.toml:2:14: Error while parsing value: could not determine value type"}},
    {"UnknownTopLevelKey",
     Frame::kBeforePort,
     "colour = 1\n",
     {"t.toml:1:1: unknown key 'colour' at the top level, allowed: dataplane, "
      "controlplane, metrics, flow_timeouts, fragments, bgp, sync, nat, port, neighbor, vip, "
      "vrrp"}},
    {"UnknownKeyInBackend",
     Frame::kAfterWww,
     "  [[vip.backend]]\n  address = \"10.0.0.21\"\n  foo = 1\n",
     {"t.toml:9:3: unknown key 'foo' in [vip.backend], allowed: address, "
      "weight, state"}},
    {"UnknownKeyInDataplane",
     Frame::kBeforePort,
     "[dataplane]\nworkers = [1]\n",
     {"t.toml:2:1: unknown key 'workers' in [dataplane], allowed: "
      "main_lcore, worker_lcores, burst_size, flow_table_size, syn_admission_limit, "
      "host_rate_limit, idle_sleep_us, rx_interrupts, hugepages, memory_mb, file_prefix, "
      "mbufs_per_port, eal_args, control_socket, garp_count, garp_interval"}},
    {"WrongType",
     Frame::kBeforePort,
     R"([[vip]]
name = "www"
address = "10.0.0.100"
protocol = "tcp"
port = "80"
mode = "dsr-l2"
  [[vip.backend]]
  address = "10.0.0.21"
)",
     {"t.toml:5:8: port: expected an integer, got a string"}},
    {"FloatWhereIntegerExpected",
     Frame::kBeforePort,
     "[dataplane]\nburst_size = 32.0\n",
     {"t.toml:2:14: burst_size: expected an integer, got a float"}},
    {"ArrayOfTablesWhereTableExpected",
     Frame::kBeforePort,
     "[[dataplane]]\nburst_size = 32\n",
     {"t.toml:1:1: dataplane: expected a table, got an array of tables; "
      "write [dataplane] (single brackets) once"}},
    {"ScalarWhereTableExpected",
     Frame::kBeforePort,
     "flow_timeouts = 30\n",
     {"t.toml:1:17: flow_timeouts: expected a table, got an integer"}},
    {"TableWhereArrayOfTablesExpected",
     Frame::kWholeFile,
     "[port]\nname = \"lan0\"\ndevice = \"0000:3b:00.0\"\n",
     {"t.toml:1:1: port: expected an array of tables, got a table; write "
      "[[port]] (double brackets) once per port"}},
    {"TableWhereBackendArrayExpected",
     Frame::kAfterWww,
     "  [vip.backend]\n  address = \"10.0.0.21\"\n",
     {"t.toml:7:3: backend: expected an array of tables, got a table; "
      "write [[vip.backend]] (double brackets) once per backend"}},
    {"NonTableInArrayOfTables",
     Frame::kBeforePort,
     "neighbor = [1]\n",
     {"t.toml:1:13: neighbor[0]: expected a table, got an integer"}},
    {"IntegerOutOfRange",
     Frame::kBeforePort,
     "[dataplane]\nburst_size = 0\n",
     {"t.toml:2:14: burst_size 0 is out of range; allowed: 1..512"}},
    {"HostRateLimitOutOfRange",
     Frame::kBeforePort,
     "[dataplane]\nhost_rate_limit = -1\n",
     {"t.toml:2:19: host_rate_limit -1 is out of range; allowed: 0..100000000"}},
    {"MissingRequiredKey",
     Frame::kBeforePort,
     R"([[vip]]
name = "www"
address = "10.0.0.100"
protocol = "tcp"
port = 80
  [[vip.backend]]
  address = "10.0.0.21"
)",
     {"t.toml:1:1: vip 'www': missing required key 'mode' (allowed: dsr-l2, "
      "ipip, gue, nat, fullnat)"}},
    {"MissingNameUsesTheOrdinal",
     Frame::kWholeFile,
     "[[port]]\ndevice = \"0000:3b:00.0\"\n",
     {"t.toml:1:1: port #1: missing required key 'name' (a unique name, 1-15 "
      "characters from A-Z a-z 0-9 _ . -)"}},
    {"NoPorts",
     Frame::kWholeFile,
     "[dataplane]\nburst_size = 32\n",
     {"t.toml:1:1: no [[port]] defined; at least one port is required"}},
    {"EmptyPortArray",
     Frame::kWholeFile,
     "port = []\n",
     {"t.toml:1:8: no [[port]] defined; at least one port is required"}},
    {"EmptyWorkerList",
     Frame::kBeforePort,
     "[dataplane]\nworker_lcores = []\n",
     {"t.toml:2:17: worker_lcores is empty; list at least one worker lcore, "
      "e.g. [1]"}},
    {"WorkerLcoreOutOfRange",
     Frame::kBeforePort,
     "[dataplane]\nworker_lcores = [1, 1024]\n",
     {"t.toml:2:21: worker_lcores[1] 1024 is out of range; allowed: 0..1023"}},
    {"WorkerLcoreTwice",
     Frame::kBeforePort,
     "[dataplane]\nworker_lcores = [1, 2, 1]\n",
     {"t.toml:2:24: worker lcore 1 listed twice"}},
    {"WorkerLcoreIsMain",
     Frame::kBeforePort,
     "[dataplane]\nmain_lcore = 2\nworker_lcores = [1, 2]\n",
     {"t.toml:3:21: worker lcore 2 is the main_lcore; give workers lcores of "
      "their own"}},
    {"MainLcoreIsTheDefaultWorker",
     Frame::kBeforePort,
     "[dataplane]\nmain_lcore = 1\n",
     {"t.toml:2:14: main_lcore 1 is also the default worker lcore; set "
      "worker_lcores to other lcores"}},
    {"BadFilePrefix",
     Frame::kBeforePort,
     "[dataplane]\nfile_prefix = \"a/b\"\n",
     {"t.toml:2:15: file_prefix 'a/b' is not valid; allowed: 1-32 characters "
      "from A-Z a-z 0-9 _ -"}},
    {"EalArgNotAString",
     Frame::kBeforePort,
     "[dataplane]\neal_args = [\"--no-pci\", 3]\n",
     {"t.toml:2:25: eal_args[1]: expected a string, got an integer"}},
    {"InMemoryWithoutHugepages",
     Frame::kBeforePort,
     "[dataplane]\nhugepages = false\neal_args = [\"--in-memory\"]\n",
     {"t.toml:3:13: eal_args: --in-memory cannot be combined with "
      "hugepages = false (DPDK's --no-huge already keeps memory in the "
      "process); remove it"}},
    {"HugepagesNotABoolean",
     Frame::kBeforePort,
     "[dataplane]\nhugepages = \"yes\"\n",
     {"t.toml:2:13: hugepages: expected a boolean, got a string"}},
    {"RxInterruptsNotABoolean",
     Frame::kBeforePort,
     "[dataplane]\nrx_interrupts = 1\n",
     {"t.toml:2:17: rx_interrupts: expected a boolean, got an integer"}},
    {"TimeoutNotANumber",
     Frame::kBeforePort,
     "[flow_timeouts]\ntcp_syn = \"10s\"\n",
     {"t.toml:2:11: tcp_syn: expected a number of seconds, got a string"}},
    {"TimeoutOutOfRange",
     Frame::kBeforePort,
     "[flow_timeouts]\nudp = 0\nother = 86400.5\n",
     {"t.toml:2:7: udp 0 is out of range; allowed: more than 0, at most "
      "86400 (seconds)",
      "t.toml:3:9: other 86400.5 is out of range; allowed: more than 0, at "
      "most 86400 (seconds)"}},
    {"FragmentLimits",
     Frame::kBeforePort,
     "[fragments]\ntable_size = 63\nhold = 1025\nhold_per_datagram = 0\nhold_time = 0\n",
     {"t.toml:2:14: table_size 63 is out of range; allowed: 64..16777216",
      "t.toml:3:8: hold 1025 is out of range; allowed: 0..1024",
      "t.toml:4:21: hold_per_datagram 0 is out of range; allowed: 1..1024",
      "t.toml:5:13: hold_time 0 is out of range; allowed: more than 0, at most 86400 (seconds)"}},
    {"UnknownKeyInFragments",
     Frame::kBeforePort,
     "[fragments]\nreassemble = true\n",
     {"t.toml:2:1: unknown key 'reassemble' in [fragments], allowed: table_size, hold, "
      "hold_per_datagram, timeout, hold_time"}},
    {"TimeoutBelowResolution",
     Frame::kBeforePort,
     "[flow_timeouts]\ntcp_closing = 0.0004\n",
     {"t.toml:2:15: tcp_closing 0.0004 is shorter than the 1 ms resolution; "
      "allowed: 0.001..86400 (seconds)"}},
    {"BadPortName",
     Frame::kWholeFile,
     "[[port]]\nname = \"much-too-long-name\"\ndevice = \"0000:3b:00.0\"\n",
     {"t.toml:2:8: name 'much-too-long-name' is not valid; allowed: 1-15 "
      "characters from A-Z a-z 0-9 _ . -"}},
    {"PortNameTwice",
     Frame::kBeforePort,
     "[[port]]\nname = \"lan0\"\ndevice = \"0000:3b:00.0\"\n",
     {"t.toml:6:8: port name 'lan0' is already used (first at line 2)"}},
    {"BadDevice",
     Frame::kWholeFile,
     "[[port]]\nname = \"p\"\ndevice = \"eth0\"\n",
     {"t.toml:3:10: device 'eth0' is neither a PCI address (DDDD:BB:DD.F or "
      "BB:DD.F) nor a vdev (net_<driver><n>[,args], e.g. net_af_packet0,iface=eth0)"}},
    {"PciDeviceTwiceInDifferentSpellings",
     Frame::kWholeFile,
     "[[port]]\nname = \"a\"\ndevice = \"0000:3b:00.0\"\n"
     "[[port]]\nname = \"b\"\ndevice = \"3B:00.0\"\n",
     {"t.toml:6:10: device '3B:00.0' is already used by port 'a'"}},
    {"VdevTwiceWithOtherArgs",
     Frame::kBeforePort,
     "[[port]]\nname = \"b\"\ndevice = \"net_af_packet0,iface=veth1\"\n",
     {"t.toml:7:10: device 'net_af_packet0,iface=veth0' is already used by "
      "port 'b'"}},
    {"AddressWithoutPrefixLength",
     Frame::kWholeFile,
     "[[port]]\nname = \"p\"\ndevice = \"net_tap0\"\n"
     "addresses = [\"10.0.0.10\"]\n",
     {"t.toml:4:14: addresses[0] '10.0.0.10' is not an address/prefix-length "
      "such as 10.0.0.10/24 or 2001:db8::10/64"}},
    {"AddressOnTwoPorts",
     Frame::kBeforePort,
     "[[port]]\nname = \"b\"\ndevice = \"net_tap0\"\n"
     "addresses = [\"10.0.0.10/16\"]\n",
     {"t.toml:9:14: address 10.0.0.10 is already on port 'b'"}},
    {"GatewayOfTheWrongFamily",
     Frame::kWholeFile,
     "[[port]]\nname = \"p\"\ndevice = \"net_tap0\"\n"
     "addresses = [\"2001:db8::10/64\"]\ngateway = \"2001:db8::1\"\n",
     {"t.toml:5:11: gateway 2001:db8::1 is not IPv4; put IPv6 gateways in "
      "gateway6"}},
    {"Gateway6OfTheWrongFamily",
     Frame::kWholeFile,
     "[[port]]\nname = \"p\"\ndevice = \"net_tap0\"\n"
     "gateway6 = \"10.0.0.1\"\n",
     {"t.toml:4:12: gateway6 10.0.0.1 is not IPv6; put IPv4 gateways in "
      "gateway"}},
    {"GatewayNotOnLink",
     Frame::kWholeFile,
     "[[port]]\nname = \"p\"\ndevice = \"net_tap0\"\n"
     "addresses = [\"10.0.0.10/24\", \"2001:db8::10/64\"]\n"
     "gateway = \"10.1.0.1\"\n",
     {"t.toml:5:11: gateway 10.1.0.1 is not in any subnet of port 'p' (IPv4 "
      "addresses: 10.0.0.10/24); a gateway must be on-link"}},
    {"GatewayWithoutAddresses",
     Frame::kWholeFile,
     "[[port]]\nname = \"p\"\ndevice = \"net_tap0\"\n"
     "gateway6 = \"2001:db8::1\"\n",
     {"t.toml:4:12: gateway6 2001:db8::1 is not in any subnet of port 'p' "
      "(IPv6 addresses: none); a gateway must be on-link"}},
    {"MalformedAddress",
     Frame::kWholeFile,
     "[[port]]\nname = \"p\"\ndevice = \"net_tap0\"\n"
     "gateway = \"10.0.0.256\"\n",
     {"t.toml:4:11: gateway '10.0.0.256' is not an IPv4 or IPv6 address"}},
    {"MalformedMac",
     Frame::kWholeFile,
     "[[port]]\nname = \"p\"\ndevice = \"net_tap0\"\nmac = \"02:00:00\"\n",
     {"t.toml:4:7: mac '02:00:00' is not a MAC address; write six hex bytes "
      "such as 02:00:00:00:00:21"}},
    {"MulticastMac",
     Frame::kWholeFile,
     "[[port]]\nname = \"p\"\ndevice = \"net_tap0\"\n"
     "mac = \"01:00:5E:00:00:01\"\n",
     {"t.toml:4:7: mac 01:00:5e:00:00:01 is not a unicast MAC address"}},
    {"AcceptMacs",
     Frame::kWholeFile,
     R"([[port]]
name = "p"
device = "net_tap0"
mac = "02:00:00:00:00:10"
accept_macs = ["00:00:5e:00:01:33", "02:00:00:00:00:10", "00:00:5E:00:01:33", "ff:ff:ff:ff:ff:ff", "vrrp"]
)",
     {"t.toml:5:37: accept_macs[1] 02:00:00:00:00:10 is the port's own mac; list other MACs only",
      "t.toml:5:58: accept_macs[2] 00:00:5e:00:01:33 is listed twice",
      "t.toml:5:79: accept_macs[3] ff:ff:ff:ff:ff:ff is not a unicast MAC address",
      "t.toml:5:100: accept_macs[4] 'vrrp' is not a MAC address; write six hex bytes such as "
      "02:00:00:00:00:21"}},
    {"AcceptMacsNotAnArray",
     Frame::kWholeFile,
     "[[port]]\nname = \"p\"\ndevice = \"net_tap0\"\naccept_macs = \"00:00:5e:00:01:33\"\n",
     {"t.toml:4:15: accept_macs: expected an array, got a string"}},
    {"MtuAboveJumbo",
     Frame::kWholeFile,
     "[[port]]\nname = \"p\"\ndevice = \"net_tap0\"\nmtu = 9601\n",
     {"t.toml:4:7: mtu 9601 is out of range; allowed: 576..9600"}},
    {"MtuBelowTheIpv4Minimum",
     Frame::kWholeFile,
     "[[port]]\nname = \"p\"\ndevice = \"net_tap0\"\nmtu = 575\n",
     {"t.toml:4:7: mtu 575 is out of range; allowed: 576..9600"}},
    {"MtuNotAnInteger",
     Frame::kWholeFile,
     "[[port]]\nname = \"p\"\ndevice = \"net_tap0\"\nmtu = \"9000\"\n",
     {"t.toml:4:7: mtu: expected an integer, got a string"}},
    {"QueuesOutOfRange",
     Frame::kWholeFile,
     "[[port]]\nname = \"p\"\ndevice = \"net_tap0\"\nqueues = 65\n",
     {"t.toml:4:10: queues 65 is out of range; allowed: 0..64"}},
    {"UnsupportedFlowHandoff",
     Frame::kWholeFile,
     "[[port]]\nname = \"p\"\ndevice = \"net_af_packet0,iface=eth1,qpairs=2\"\n"
     "flow_handoff = \"always\"\n",
     {"t.toml:4:16: flow_handoff 'always' is not supported; allowed: auto, off"}},
    {"XdpOnANonXdpDevice",
     Frame::kWholeFile,
     "[[port]]\nname = \"p\"\ndevice = \"net_af_packet0,iface=eth1\"\nexception_path = \"xdp\"\n",
     {"t.toml:4:18: exception_path 'xdp' needs an af_xdp device "
      "(net_af_xdp<n>,iface=<name>); port 'p' uses 'net_af_packet0,iface=eth1'"}},
    {"XdpOnAnXdpDeviceWithoutIface",
     Frame::kWholeFile,
     "[[port]]\nname = \"p\"\ndevice = \"net_af_xdp0\"\nexception_path = \"xdp\"\n",
     {"t.toml:4:18: exception_path 'xdp' needs an af_xdp device "
      "(net_af_xdp<n>,iface=<name>); port 'p' uses 'net_af_xdp0'"}},
    {"XdpOnADeviceWithItsOwnProgram",
     Frame::kWholeFile,
     "[[port]]\nname = \"p\"\ndevice = \"net_af_xdp0,iface=eth1,xdp_prog=/x.o\"\n"
     "exception_path = \"xdp\"\n",
     {"t.toml:4:18: exception_path 'xdp' loads sluice's own XDP program: remove xdp_prog= "
      "from the device of port 'p'"}},
    {"NatModeBehindXdpSteering",
     Frame::kWholeFile,
     R"([[port]]
name = "p"
device = "net_af_xdp0,iface=eth1"
exception_path = "xdp"
addresses = ["192.168.1.10/24"]
[[vip]]
name = "www"
address = "10.0.0.100"
protocol = "tcp"
port = 80
mode = "nat"
backend = [{ address = "192.168.1.1" }]
)",
     {"t.toml:11:8: mode nat needs the backends' answers to the clients, which the XDP steering "
      "of port 'p' (exception_path = \"xdp\") leaves to the kernel; use fullnat or "
      "exception_path = \"tap\""}},
    {"UnsupportedExceptionPath",
     Frame::kWholeFile,
     "[[port]]\nname = \"p\"\ndevice = \"net_af_xdp0,iface=eth1\"\nexception_path = \"kernel\"\n",
     {"t.toml:4:18: exception_path 'kernel' is not supported; allowed: none, tap, xdp"}},
    {"NeighborTwice",
     Frame::kBeforePort,
     "[[neighbor]]\naddress = \"10.0.0.21\"\nmac = \"02:00:00:00:00:21\"\n"
     "[[neighbor]]\naddress = \"10.0.0.21\"\nmac = \"02:00:00:00:00:22\"\n",
     {"t.toml:5:11: neighbor 10.0.0.21 listed twice"}},
    {"NeighborWithoutMac",
     Frame::kBeforePort,
     "[[neighbor]]\naddress = \"10.0.0.21\"\n",
     {"t.toml:1:1: neighbor #1: missing required key 'mac' (a MAC address "
      "such as 02:00:00:00:00:21)"}},
    {"BadVipName",
     Frame::kBeforePort,
     R"([[vip]]
name = "www foobar"
address = "10.0.0.100"
protocol = "tcp"
port = 80
mode = "dsr-l2"
backend = [{ address = "10.0.0.21" }]
)",
     {"t.toml:2:8: name 'www foobar' is not valid; allowed: 1-63 characters "
      "from A-Z a-z 0-9 _ . -"}},
    {"VipNameTwice",
     Frame::kAfterWww,
     R"(backend = [{ address = "10.0.0.21" }]
[[vip]]
name = "www"
address = "10.0.0.100"
protocol = "tcp"
port = 443
mode = "dsr-l2"
backend = [{ address = "10.0.0.21" }]
)",
     {"t.toml:9:8: vip name 'www' is already used (first at line 2)"}},
    {"VipSameAddressProtocolPort",
     Frame::kAfterWww,
     R"(backend = [{ address = "10.0.0.21" }]
[[vip]]
name = "www-again"
address = "10.0.0.100"
protocol = "tcp"
port = 80
mode = "dsr-l2"
backend = [{ address = "10.0.0.22" }]
)",
     {"t.toml:8:1: vip 'www-again' has the same address, protocol and port "
      "as vip 'www' (10.0.0.100 tcp port 80)"}},
    {"VipBgpAttributesDifferAtTheSameAddress",
     Frame::kBeforePort,
     R"([[vip]]
name = "www"
address = "10.0.0.100"
protocol = "tcp"
port = 80
mode = "dsr-l2"
backend = [{ address = "10.0.0.21" }]
bgp = { local_pref = 200, communities = ["65010:100"] }
[[vip]]
name = "www-tls"
address = "10.0.0.100"
protocol = "tcp"
port = 443
mode = "dsr-l2"
backend = [{ address = "10.0.0.21" }]
bgp = { local_pref = 200, communities = ["65010:100"] }
[[vip]]
name = "dns"
address = "10.0.0.100"
protocol = "udp"
port = 53
mode = "dsr-l2"
backend = [{ address = "10.0.0.21" }]
bgp = { local_pref = 100 }
[[vip]]
name = "other"
address = "10.0.0.101"
protocol = "tcp"
port = 80
mode = "dsr-l2"
backend = [{ address = "10.0.0.21" }]
)",
     {"t.toml:24:7: vip 'dns': [vip.bgp] local_pref and communities differ from those of "
      "vip 'www' at the same address 10.0.0.100; one route carries both: give them the "
      "same"}},
    {"MalformedVipAddress",
     Frame::kBeforePort,
     R"([[vip]]
name = "www"
address = "www.foobar.com"
protocol = "tcp"
port = 80
mode = "ipip"
encap_source = "172.16.0.0/16"
backend = [{ address = "10.0.0.21" }]
)",
     {"t.toml:3:11: address 'www.foobar.com' is not an IPv4 or IPv6 address"}},
    {"UnsupportedProtocol",
     Frame::kBeforePort,
     R"([[vip]]
name = "www"
address = "10.0.0.100"
protocol = "sctp"
port = 80
mode = "dsr-l2"
backend = [{ address = "10.0.0.21" }]
)",
     {"t.toml:4:12: protocol 'sctp' is not supported; allowed: tcp, udp"}},
    {"UnsupportedMode",
     Frame::kBeforePort,
     R"([[vip]]
name = "www"
address = "10.0.0.100"
protocol = "tcp"
port = 80
mode = "masquerade"
backend = [{ address = "10.0.0.21" }]
)",
     {"t.toml:6:8: mode 'masquerade' is not supported; allowed: dsr-l2, ipip, gue, nat, "
      "fullnat"}},
    {"NatLocalAddressIsAPortAddress",
     Frame::kBeforePort,
     "[nat]\nlocal_addresses = [\"10.0.0.10\", \"10.0.0.50\"]\n",
     {"t.toml:2:20: local address 10.0.0.10 is the address of port 'lan0'; NAT local addresses "
      "are the dataplane's own, give it others"}},
    {"NatLocalAddressTwice",
     Frame::kBeforePort,
     "[nat]\nlocal_addresses = [\"10.0.0.50\", \"10.0.0.50\"]\n",
     {"t.toml:2:33: local address 10.0.0.50 is listed twice"}},
    {"NatPortRangeReversed",
     Frame::kBeforePort,
     "[nat]\nport_min = 2000\nport_max = 1999\n",
     {"t.toml:1:1: [nat]: port_min 2000 is above port_max 1999"}},
    {"NatPortRangeSmallerThanTheWorkers",
     Frame::kBeforePort,
     "[dataplane]\nworker_lcores = [1, 2, 3]\n[nat]\nport_min = 2000\nport_max = 2001\n",
     {"t.toml:3:1: [nat]: ports 2000-2001 give fewer than one to each of the 3 workers"}},
    {"NatUnknownKey",
     Frame::kBeforePort,
     "[nat]\nlocal_address = \"10.0.0.50\"\n",
     {"t.toml:2:1: unknown key 'local_address' in [nat], allowed: local_addresses, port_min, "
      "port_max, table_size"}},
    {"FullNatWithoutALocalAddressOfItsFamily",
     Frame::kBeforePort,
     R"([nat]
local_addresses = ["2001:db8::50"]
[[vip]]
name = "www"
address = "10.0.0.100"
protocol = "tcp"
port = 80
mode = "fullnat"
backend = [{ address = "192.168.1.1" }]
)",
     {"t.toml:3:1: vip 'www': mode fullnat needs an IPv4 address in [nat] local_addresses, the "
      "source of its connections to the backends"}},
    {"NatBackendOfTheOtherFamily",
     Frame::kBeforePort,
     R"([[vip]]
name = "www"
address = "10.0.0.100"
protocol = "tcp"
port = 80
mode = "nat"
backend = [{ address = "2001:db8::21" }]
)",
     {"t.toml:7:24: backend 2001:db8::21 is IPv6 but vip 'www' is IPv4; nat needs backends of "
      "the VIP's family (ipip and gue can mix)"}},
    {"NatBackendIsALocalAddress",
     Frame::kBeforePort,
     R"([nat]
local_addresses = ["10.0.0.50"]
[[vip]]
name = "www"
address = "10.0.0.100"
protocol = "tcp"
port = 80
mode = "fullnat"
backend = [{ address = "10.0.0.50" }]
)",
     {"t.toml:9:24: backend 10.0.0.50 is a [nat] local address of this load balancer; a "
      "backend must be another host"}},
    {"VipOnANatLocalAddress",
     Frame::kBeforePort,
     R"([nat]
local_addresses = ["10.0.0.50"]
[[vip]]
name = "www"
address = "10.0.0.50"
protocol = "tcp"
port = 80
mode = "nat"
backend = [{ address = "10.0.0.21" }]
)",
     {"t.toml:5:11: vip 'www': address 10.0.0.50 is a [nat] local address; a VIP needs an "
      "address of its own"}},
    {"EncapSourceWithNat",
     Frame::kBeforePort,
     R"([[vip]]
name = "www"
address = "10.0.0.100"
protocol = "tcp"
port = 80
mode = "nat"
encap_source = "172.16.0.0/16"
backend = [{ address = "10.0.0.21" }]
)",
     {"t.toml:7:16: encap_source is only used by modes ipip and gue; vip 'www' uses nat"}},
    {"MaglevTableSizeNotPrime",
     Frame::kAfterWww,
     "maglev_table_size = 65536\nbackend = [{ address = \"10.0.0.21\" }]\n",
     {"t.toml:7:21: maglev_table_size 65536 is not prime; use a prime such "
      "as 65537"}},
    {"MaglevTableSizeOutOfRange",
     Frame::kAfterWww,
     "maglev_table_size = 5\nbackend = [{ address = \"10.0.0.21\" }]\n",
     {"t.toml:7:21: maglev_table_size 5 is out of range; allowed: "
      "7..1000003"}},
    {"MssClampOutOfRange",
     Frame::kAfterWww,
     "mss_clamp = 535\nbackend = [{ address = \"10.0.0.21\" }]\n",
     {"t.toml:7:13: mss_clamp 535 is out of range; allowed: 536..9560"}},
    {"MssClampOnAUdpVip",
     Frame::kBeforePort,
     R"([[vip]]
name = "dns"
address = "10.0.0.53"
protocol = "udp"
port = 53
mode = "ipip"
encap_source = "172.16.0.0/16"
mss_clamp = 1400
backend = [{ address = "192.168.1.1" }]
)",
     {"t.toml:8:13: mss_clamp is only used by TCP VIPs; vip 'dns' is udp"}},
    {"UnsupportedHash",
     Frame::kAfterWww,
     "hash = \"round-robin\"\nbackend = [{ address = \"10.0.0.21\" }]\n",
     {"t.toml:7:8: hash 'round-robin' is not supported; allowed: 5-tuple, source, "
      "source-destination"}},
    {"HashNotAString",
     Frame::kAfterWww,
     "hash = 5\nbackend = [{ address = \"10.0.0.21\" }]\n",
     {"t.toml:7:8: hash: expected a string, got an integer"}},
    {"EncapSourceOfTheWrongFamily",
     Frame::kBeforePort,
     R"([[vip]]
name = "tun"
address = "10.0.0.100"
protocol = "tcp"
port = 80
mode = "ipip"
encap_source = "fd00::/64"
backend = [{ address = "192.168.1.1" }]
)",
     {"t.toml:7:16: encap_source fd00::/64 is not IPv4; IPv6 outer sources go "
      "in encap_source6"}},
    {"Encap6SourceOfTheWrongFamily",
     Frame::kBeforePort,
     R"([[vip]]
name = "tun"
address = "10.0.0.100"
protocol = "tcp"
port = 80
mode = "ipip"
encap_source6 = "172.16.0.0/16"
backend = [{ address = "fd00::1" }]
)",
     {"t.toml:7:17: encap_source6 172.16.0.0/16 is not IPv6; IPv4 outer "
      "sources go in encap_source"}},
    {"EncapSourceWithDsr",
     Frame::kAfterWww,
     "encap_source = \"172.16.0.0/16\"\n"
     "backend = [{ address = \"10.0.0.21\" }]\n",
     {"t.toml:7:16: encap_source is only used by modes ipip and gue; vip "
      "'www' uses dsr-l2"}},
    {"GuePortWithIpip",
     Frame::kBeforePort,
     R"([[vip]]
name = "tun"
address = "10.0.0.100"
protocol = "tcp"
port = 80
mode = "ipip"
encap_source = "172.16.0.0/16"
gue_port = 6080
backend = [{ address = "192.168.1.1" }]
)",
     {"t.toml:8:12: gue_port is only used by mode gue; vip 'tun' uses ipip"}},
    {"IpipWithoutEncapSource",
     Frame::kBeforePort,
     R"([[vip]]
name = "tun"
address = "10.0.0.100"
protocol = "tcp"
port = 80
mode = "ipip"
backend = [{ address = "192.168.1.1" }]
)",
     {"t.toml:1:1: vip 'tun': missing required key 'encap_source' (mode ipip "
      "with IPv4 backends needs an IPv4 outer source prefix, e.g. "
      "\"172.16.0.0/16\")"}},
    {"GueWithoutEncapSource6",
     Frame::kBeforePort,
     R"([[vip]]
name = "tun"
address = "10.0.0.100"
protocol = "udp"
port = 0
mode = "gue"
encap_source = "172.16.0.0/16"
backend = [{ address = "192.168.1.1" }, { address = "fd00::1" }]
)",
     {"t.toml:1:1: vip 'tun': missing required key 'encap_source6' (mode gue "
      "with IPv6 backends needs an IPv6 outer source prefix, e.g. "
      "\"fd00:5eed::/64\")"}},
    {"VipWithoutBackends",
     Frame::kAfterWww,
     "",
     {"t.toml:1:1: vip 'www': no backends; add at least one [[vip.backend]]"}},
    {"VipWithEmptyBackendArray",
     Frame::kAfterWww,
     "backend = []\n",
     {"t.toml:7:11: vip 'www': no backends; add at least one [[vip.backend]]"}},
    {"BackendWithoutAddress",
     Frame::kAfterWww,
     "  [[vip.backend]]\n  weight = 2\n",
     {"t.toml:7:3: vip 'www' backend #1: missing required key 'address' (an "
      "IPv4 or IPv6 address)"}},
    {"BackendTwice",
     Frame::kAfterWww,
     "  [[vip.backend]]\n  address = \"10.0.0.21\"\n"
     "  [[vip.backend]]\n  address = \"10.0.0.21\"\n",
     {"t.toml:10:13: backend 10.0.0.21 listed twice in vip 'www'"}},
    {"BackendIsOwnPortAddress",
     Frame::kAfterWww,
     "  [[vip.backend]]\n  address = \"10.0.0.10\"\n",
     {"t.toml:8:13: backend 10.0.0.10 is this load balancer's own address (port 'lan0'); a "
      "backend must be another host"}},
    {"BackendIsTheVipItself",
     Frame::kAfterWww,
     "  [[vip.backend]]\n  address = \"10.0.0.100\"\n",
     {"t.toml:8:13: backend 10.0.0.100 is the address of vip 'www'; a backend must be "
      "another host, not a VIP of this load balancer"}},
    {"BackendIsTheAddressOfALaterVip",
     Frame::kAfterWww,
     "  [[vip.backend]]\n  address = \"10.0.0.21\"\n"
     "[[vip]]\nname = \"api\"\naddress = \"10.0.0.21\"\nprotocol = \"tcp\"\nport = 8080\n"
     "mode = \"dsr-l2\"\n  [[vip.backend]]\n  address = \"10.0.0.22\"\n",
     {"t.toml:8:13: backend 10.0.0.21 is the address of vip 'api'; a backend must be "
      "another host, not a VIP of this load balancer"}},
    {"UpdateBackendIsOwnPortAddress",
     Frame::kVipUpdate,
     "[[vip]]\nname = \"www\"\naddress = \"10.0.0.100\"\nprotocol = \"tcp\"\nport = 80\n"
     "mode = \"dsr-l2\"\n  [[vip.backend]]\n  address = \"10.0.0.10\"\n",
     {"update:8:13: backend 10.0.0.10 is this load balancer's own address (port 'lan0'); a "
      "backend must be another host"}},
    {"NulInAValueIsShownEscaped",
     Frame::kAfterWww,
     "  [[vip.backend]]\n  address = \"10.0.0.21\"\n  state = \"dr\\u0000ain\"\n",
     {"t.toml:9:11: state 'dr\\x00ain' is not supported; allowed: ready, drain, maint"}},
    {"BackendWeightOutOfRange",
     Frame::kAfterWww,
     "  [[vip.backend]]\n  address = \"10.0.0.21\"\n  weight = -1\n",
     {"t.toml:9:12: weight -1 is out of range; allowed: 0..65535"}},
    {"UnsupportedBackendState",
     Frame::kAfterWww,
     "  [[vip.backend]]\n  address = \"10.0.0.21\"\n  state = \"down\"\n",
     {"t.toml:9:11: state 'down' is not supported; allowed: ready, drain, "
      "maint"}},
    {"DsrBackendOfTheOtherFamily",
     Frame::kAfterWww,
     "  [[vip.backend]]\n  address = \"2001:db8::21\"\n",
     {"t.toml:8:13: backend 2001:db8::21 is IPv6 but vip 'www' is IPv4; "
      "dsr-l2 needs backends of the VIP's family (ipip and gue can mix)"}},
    {"DsrBackendNotOnLink",
     Frame::kAfterWww,
     "  [[vip.backend]]\n  address = \"10.9.0.21\"\n",
     {"t.toml:8:13: backend 10.9.0.21 is not on-link for dsr-l2: no port "
      "address has it in its subnet and no [[neighbor]] names it; use ipip or "
      "gue for routed backends"}},
    {"UnsupportedCheckTypeAndStatus",
     Frame::kAfterWww,
     "  [vip.check]\n  type = \"ping\"\n  status = \"600\"\n"
     "  [[vip.backend]]\n  address = \"10.0.0.21\"\n",
     {"t.toml:8:10: check type 'ping' is not supported; allowed: tcp, http, "
      "udp, none",
      "t.toml:9:12: status '600' is not valid; allowed: a code or a range such "
      "as \"200-399\""}},
    {"CheckTimeoutLongerThanInterval",
     Frame::kAfterWww,
     "  [vip.check]\n  type = \"tcp\"\n  timeout = 3\n"
     "  [[vip.backend]]\n  address = \"10.0.0.21\"\n",
     {"t.toml:7:3: vip 'www' check: timeout is longer than interval; lower "
      "timeout or raise interval"}},
    {"VrrpAdvertIntervalOffStepAndUnknownVip",
     Frame::kAfterWww,
     "  [[vip.backend]]\n  address = \"10.0.0.21\"\n"
     R"([[vrrp]]
name = "vi_www"
interface = "eth0"
vrid = 51
advert_interval = 0.005
address = "10.0.0.11"
vips = ["nope", "www"]
)",
     {"t.toml:13:19: advert_interval of 5 ms is not allowed; use 0.01..40.95 seconds in steps "
      "of 0.01",
      "t.toml:15:9: vips: no [[vip]] named 'nope'"}},
    {"VrrpVridTwiceOnOneInterfaceAndFamily",
     Frame::kAfterWww,
     "  [[vip.backend]]\n  address = \"10.0.0.21\"\n"
     R"([[vip]]
name = "api"
address = "10.0.0.101"
protocol = "tcp"
port = 80
mode = "dsr-l2"
  [[vip.backend]]
  address = "10.0.0.21"
[[vrrp]]
name = "vi_www"
interface = "eth0"
vrid = 51
address = "10.0.0.11"
vips = ["www"]
[[vrrp]]
name = "vi_api"
interface = "eth0"
vrid = 51
address = "10.0.0.11"
vips = ["api"]
)",
     {"t.toml:26:8: vrid 51 is already used by vrrp 'vi_www' on eth0 (IPv4); use another vrid "
      "or another interface"}},
    {"VrrpIpv4ChecksumUnknownAndOnIpv6",
     Frame::kAfterWww,
     "  [[vip.backend]]\n  address = \"10.0.0.21\"\n"
     R"([[vip]]
name = "www6"
address = "2001:db8::100"
protocol = "tcp"
port = 80
mode = "dsr-l2"
  [[vip.backend]]
  address = "2001:db8::21"
[[vrrp]]
name = "vi_www"
interface = "eth0"
vrid = 51
address = "10.0.0.11"
vips = ["www"]
ipv4_checksum = "rfc9568"
[[vrrp]]
name = "vi_www6"
interface = "eth0"
vrid = 51
address = "fe80::11"
vips = ["www6"]
ipv4_checksum = "message-only"
)",
     {"t.toml:23:17: ipv4_checksum 'rfc9568' is not supported; allowed: pseudo-header (RFC "
      "5798, keepalived up to 2.2.7, FRR), message-only (RFC 9568, keepalived's "
      "v3_checksum_as_v2)",
      "t.toml:30:17: vrrp 'vi_www6': ipv4_checksum applies to IPv4 instances only; over IPv6 "
      "the checksum always includes the pseudo-header (RFC 9568 5.2.8): remove the key"}},
    {"VrrpTrackInterfacesBadNameTwiceAndNotAnArray",
     Frame::kAfterWww,
     "  [[vip.backend]]\n  address = \"10.0.0.21\"\n"
     R"([[vip]]
name = "api"
address = "10.0.0.101"
protocol = "tcp"
port = 80
mode = "dsr-l2"
  [[vip.backend]]
  address = "10.0.0.21"
[[vrrp]]
name = "vi_www"
interface = "eth0"
vrid = 51
address = "10.0.0.11"
vips = ["www"]
track_interfaces = ["eth1", "bond0:1", "eth1", "averyveryverylongname", 7]
[[vrrp]]
name = "vi_api"
interface = "eth0"
vrid = 52
address = "10.0.0.11"
vips = ["api"]
track_interfaces = "eth1"
)",
     {"t.toml:23:29: track_interfaces: 'bond0:1' is not an interface name; allowed: 1-15 "
      "characters without '/', ':' or spaces",
      "t.toml:23:40: track_interfaces: 'eth1' is listed twice",
      "t.toml:23:48: track_interfaces: 'averyveryverylongname' is not an interface name; "
      "allowed: 1-15 characters without '/', ':' or spaces",
      "t.toml:23:73: track_interfaces[4]: expected a string, got an integer",
      "t.toml:30:20: track_interfaces: expected an array, got a string"}},
    {"SyncEnabledWithoutItsKeys",
     Frame::kBeforePort,
     "[sync]\nenable = true\n",
     {"t.toml:1:1: [sync]: missing required key 'listen' (an IPv4 or IPv6 address and a port "
      "1..65535, such as 10.0.0.11:7300 or [fd00::11]:7300, this node's on the control network)",
      "t.toml:1:1: [sync]: missing required key 'peers' (the other nodes' listen addresses, e.g. "
      "[\"10.0.0.12:7300\"])",
      "t.toml:1:1: [sync]: missing required key 'key' or 'key_file' (the secret every node of "
      "the site shares, 16 bytes or more)"}},
    {"SyncBadAddressesAndPeers",
     Frame::kBeforePort,
     "[sync]\nlisten = \"10.0.0.11\"\n",
     {"t.toml:2:10: listen '10.0.0.11' is not valid; allowed: an IPv4 or IPv6 address and a "
      "port 1..65535, such as 10.0.0.11:7300 or [fd00::11]:7300"}},
    {"SyncPeersTwiceOrOurOwn",
     Frame::kBeforePort,
     "[sync]\nlisten = \"10.0.0.11:7300\"\n"
     "peers = [\"10.0.0.12:7300\", \"10.0.0.11:7300\", \"10.0.0.12:7300\", 7]\n",
     {"t.toml:3:28: peers: '10.0.0.11:7300' is this node's own listen address",
      "t.toml:3:46: peers: '10.0.0.12:7300' is listed twice",
      "t.toml:3:64: peers[3]: expected a string, got an integer"}},
    {"SyncShortKeyAndBothKeys",
     Frame::kBeforePort,
     "[sync]\nkey = \"short\"\n",
     {"t.toml:2:7: key is 5 bytes; allowed: 16 to 1024 bytes, e.g. the output of 'openssl rand "
      "-hex 32'"}},
    {"SyncKeyAndKeyFile",
     Frame::kBeforePort,
     "[sync]\nkey = \"0123456789abcdef\"\nkey_file = \"/etc/sluice/sync.key\"\n",
     {"t.toml:3:12: key and key_file are both set; keep one"}},
    {"SyncKeyFileMissing",
     Frame::kBeforePort,
     "[sync]\nkey_file = \"/nonexistent/sync.key\"\n",
     {"t.toml:2:12: key_file '/nonexistent/sync.key' cannot be read: No such file or directory"}},
    {"SyncThresholdsOutOfRange",
     Frame::kBeforePort,
     "[sync]\nthreshold_packets = 128\nthreshold_time = 1001\nrefresh_interval = 0\n"
     "table_reserve = 91\njoin_wait = 61\n",
     {"t.toml:2:21: threshold_packets 128 is out of range; allowed: 1..127",
      "t.toml:3:18: threshold_time 1001 is out of range; allowed: 0.001..1000 (seconds)",
      "t.toml:4:20: refresh_interval 0 is out of range; allowed: more than 0, at most 86400 "
      "(seconds)",
      "t.toml:5:17: table_reserve 91 is out of range; allowed: 0..90",
      "t.toml:6:13: join_wait 61 is out of range; allowed: 0 (off) or 0.001..60 (seconds)"}},
    {"SyncRefreshNotBeforeThePeersTimeout",
     Frame::kBeforePort,
     "[flow_timeouts]\nudp = 20\n[sync]\nenable = true\nlisten = \"10.0.0.11:7300\"\n"
     "peers = [\"10.0.0.12:7300\"]\nkey = \"0123456789abcdef\"\nrefresh_interval = 20\n",
     {"t.toml:8:20: refresh_interval 20 is not shorter than flow_timeouts.udp (20): a peer's "
      "copy of a quiet flow would expire before its refresh"}},
    {"SyncUnknownKey",
     Frame::kBeforePort,
     "[sync]\nport = 7300\n",
     {"t.toml:2:1: unknown key 'port' in [sync], allowed: enable, listen, peers, key, key_file, "
      "node_id, threshold_packets, threshold_time, refresh_interval, send_rate, install_rate, "
      "table_reserve, join_wait"}},
    {"BgpEnabledWithoutTable",
     Frame::kBeforePort,
     "[bgp]\nenable = true\n",
     {"t.toml:1:1: [bgp]: missing required key 'table' (the kernel routing table the routing "
      "daemon exports, e.g. 100)"}},
    {"BgpTableTheHostRoutesBy",
     Frame::kBeforePort,
     "[bgp]\nenable = true\ntable = 254\n",
     {"t.toml:3:9: table 254 is one the host routes by (253 default, 254 main, 255 local); "
      "use a table of its own that no 'ip rule' looks up, e.g. 100"}},
    {"BgpProtocolOfARoutingDaemon",
     Frame::kBeforePort,
     "[bgp]\ntable = 100\nprotocol = 12\n",
     {"t.toml:3:12: protocol 12 is a routing daemon's (see /etc/iproute2/rt_protos); use "
      "another number in 5..254, e.g. 200"}},
    {"BgpProtocolTheKernelKeeps",
     Frame::kBeforePort,
     "[bgp]\ntable = 100\nprotocol = 4\n",
     {"t.toml:3:12: protocol 4 is out of range; allowed: 5..254"}},
    {"BgpUnknownKey",
     Frame::kBeforePort,
     "[bgp]\ntable = 100\nasn = 65001\n",
     {"t.toml:3:1: unknown key 'asn' in [bgp], allowed: enable, table, protocol, drain_time, "
      "drain_on_stop, state_file, bird_socket, bird_policy"}},
    {"BgpRelativeStateFile",
     Frame::kBeforePort,
     "[bgp]\ntable = 100\nstate_file = \"bgp-state\"\n",
     {"t.toml:3:14: state_file 'bgp-state' is not valid; allowed: an absolute path"}},
    {"BgpBirdSocketNotAnAbsolutePath",
     Frame::kBeforePort,
     "[bgp]\ntable = 100\nbird_socket = \"bird.ctl\"\n",
     {"t.toml:3:15: bird_socket 'bird.ctl' is not valid; allowed: an absolute path under 100 "
      "bytes (bird's control socket, e.g. /run/bird/bird.ctl)"}},
    {"BgpBirdSocketNotAString",
     Frame::kBeforePort,
     "[bgp]\ntable = 100\nbird_socket = true\n",
     {"t.toml:3:15: bird_socket: expected a string, got a boolean"}},
    {"VipBgpMinHealthyAboveItsBackends",
     Frame::kAfterWww,
     "  [vip.bgp]\n  min_healthy = 3\n  [[vip.backend]]\n  address = \"10.0.0.21\"\n"
     "  [[vip.backend]]\n  address = \"10.0.0.22\"\n",
     {"t.toml:8:17: vip 'www': min_healthy 3 is more than its 2 backend(s); it would never be "
      "announced (use announce = false for that)"}},
    {"BgpBirdPolicyNotAnAbsolutePath",
     Frame::kBeforePort,
     "[bgp]\ntable = 100\nbird_policy = \"bird-vips.conf\"\n",
     {"t.toml:3:15: bird_policy 'bird-vips.conf' is not valid; allowed: an absolute file path "
      "(the file bird's config includes, e.g. /run/sluice/bird-vips.conf), or \"\" for none"}},
    {"BgpBirdPolicyADirectory",
     Frame::kBeforePort,
     "[bgp]\ntable = 100\nbird_policy = \"/run/sluice/\"\n",
     {"t.toml:3:15: bird_policy '/run/sluice/' is not valid; allowed: an absolute file path "
      "(the file bird's config includes, e.g. /run/sluice/bird-vips.conf), or \"\" for none"}},
    {"VipBgpUnknownKey",
     Frame::kAfterWww,
     "  [vip.bgp]\n  local_preference = 200\n  [[vip.backend]]\n  address = \"10.0.0.21\"\n",
     {"t.toml:8:3: unknown key 'local_preference' in [vip.bgp], allowed: announce, "
      "min_healthy, med, local_pref, communities"}},
    {"VipBgpLocalPrefOutOfRange",
     Frame::kAfterWww,
     "  [vip.bgp]\n  local_pref = 4294967296\n  [[vip.backend]]\n  address = \"10.0.0.21\"\n",
     {"t.toml:8:16: local_pref 4294967296 is out of range; allowed: 0..4294967295"}},
    {"VipBgpCommunitiesNotAnArray",
     Frame::kAfterWww,
     "  [vip.bgp]\n  communities = \"65010:100\"\n  [[vip.backend]]\n  address = "
     "\"10.0.0.21\"\n",
     {"t.toml:8:17: communities: expected an array, got a string"}},
    {"VipBgpCommunityNotAString",
     Frame::kAfterWww,
     "  [vip.bgp]\n  communities = [65010]\n  [[vip.backend]]\n  address = \"10.0.0.21\"\n",
     {"t.toml:8:18: communities[0]: expected a string, got an integer"}},
    {"VipBgpCommunitiesMalformed",
     Frame::kAfterWww,
     "  [vip.bgp]\n  communities = [\"65536:1\", \"1:2:3:4\", \"no-export\", \"1:\", "
     "\"1:2:4294967296\", \"+1:2\"]\n  [[vip.backend]]\n  address = \"10.0.0.21\"\n",
     {"t.toml:8:18: communities: '65536:1' is not a community; allowed: \"ASN:VALUE\" (each "
      "0..65535) or a large \"GLOBAL:LOCAL1:LOCAL2\" (each 0..4294967295)",
      "t.toml:8:29: communities: '1:2:3:4' is not a community; allowed: \"ASN:VALUE\" (each "
      "0..65535) or a large \"GLOBAL:LOCAL1:LOCAL2\" (each 0..4294967295)",
      "t.toml:8:40: communities: 'no-export' is not a community; allowed: \"ASN:VALUE\" (each "
      "0..65535) or a large \"GLOBAL:LOCAL1:LOCAL2\" (each 0..4294967295)",
      "t.toml:8:53: communities: '1:' is not a community; allowed: \"ASN:VALUE\" (each "
      "0..65535) or a large \"GLOBAL:LOCAL1:LOCAL2\" (each 0..4294967295)",
      "t.toml:8:59: communities: '1:2:4294967296' is not a community; allowed: \"ASN:VALUE\" "
      "(each 0..65535) or a large \"GLOBAL:LOCAL1:LOCAL2\" (each 0..4294967295)",
      "t.toml:8:77: communities: '+1:2' is not a community; allowed: \"ASN:VALUE\" (each "
      "0..65535) or a large \"GLOBAL:LOCAL1:LOCAL2\" (each 0..4294967295)"}},
    {"VipBgpCommunityTwice",
     Frame::kAfterWww,
     "  [vip.bgp]\n  communities = [\"65010:100\", \"65010:1:2\", \"65010:100\"]\n  "
     "[[vip.backend]]\n  address = \"10.0.0.21\"\n",
     {"t.toml:8:44: communities: '65010:100' is listed twice"}},
    {"VipBgpMedOutOfRange",
     Frame::kAfterWww,
     "  [vip.bgp]\n  med = -1\n  [[vip.backend]]\n  address = \"10.0.0.21\"\n",
     {"t.toml:8:9: med -1 is out of range; allowed: 0..4294967295"}},
    {"VipUpdateWithAnotherTable",
     Frame::kVipUpdate,
     "[dataplane]\nburst_size = 8\n",
     {"update:1:2: unknown key 'dataplane' in a VIP update, allowed: vip"}},
    {"AllErrorsReportedInFileOrder",
     Frame::kBeforePort,
     R"([[vip]]
name = "www"
address = "10.0.0.100"
protocol = "sctp"
port = 80
  [[vip.backend]]
  address = "10.0.0.21"
  weight = 70000
[dataplane]
burst_size = 1000
colour = "blue"
)",
     {"t.toml:1:1: vip 'www': missing required key 'mode' (allowed: dsr-l2, ipip, "
      "gue, nat, fullnat)",
      "t.toml:4:12: protocol 'sctp' is not supported; allowed: tcp, udp",
      "t.toml:8:12: weight 70000 is out of range; allowed: 0..65535",
      "t.toml:10:14: burst_size 1000 is out of range; allowed: 1..512",
      "t.toml:11:1: unknown key 'colour' in [dataplane], allowed: main_lcore, "
      "worker_lcores, burst_size, flow_table_size, syn_admission_limit, host_rate_limit, "
      "idle_sleep_us, "
      "rx_interrupts, "
      "hugepages, memory_mb, file_prefix, mbufs_per_port, eal_args, control_socket, "
      "garp_count, garp_interval"}},
    {"UnknownKeyInMetrics",
     Frame::kBeforePort,
     "[metrics]\nport = 9101\n",
     {"t.toml:2:1: unknown key 'port' in [metrics], allowed: listen, admin_actions, "
      "admin_sources"}},
    {"MetricsListenWithoutPort",
     Frame::kBeforePort,
     "[metrics]\nlisten = \"127.0.0.1\"\n",
     {"t.toml:2:10: listen '127.0.0.1' is not valid; allowed: an IPv4 or IPv6 address and a "
      "port 1..65535, such as 127.0.0.1:9101 or [::1]:9101"}},
    {"MetricsListenIpv6WithoutBrackets",
     Frame::kBeforePort,
     "[metrics]\nlisten = \"::1:9101\"\n",
     {"t.toml:2:10: listen '::1:9101' is not valid; allowed: an IPv4 or IPv6 address and a "
      "port 1..65535, such as 127.0.0.1:9101 or [::1]:9101"}},
    {"MetricsListenHostName",
     Frame::kBeforePort,
     "[metrics]\nlisten = \"localhost:9101\"\n",
     {"t.toml:2:10: listen 'localhost:9101' is not valid; allowed: an IPv4 or IPv6 address "
      "and a port 1..65535, such as 127.0.0.1:9101 or [::1]:9101"}},
    {"MetricsListenPortZero",
     Frame::kBeforePort,
     "[metrics]\nlisten = \"[::]:0\"\n",
     {"t.toml:2:10: listen '[::]:0' is not valid; allowed: an IPv4 or IPv6 address and a "
      "port 1..65535, such as 127.0.0.1:9101 or [::1]:9101"}},
    {"MetricsAdminActionsNotABoolean",
     Frame::kBeforePort,
     "[metrics]\nadmin_actions = \"yes\"\n",
     {"t.toml:2:17: admin_actions: expected a boolean, got a string"}},
    {"MetricsAdminSourcesEmpty",
     Frame::kBeforePort,
     "[metrics]\nadmin_actions = true\nadmin_sources = []\n",
     {"t.toml:3:17: admin_sources is empty; list at least one prefix, e.g. "
      "[\"127.0.0.1/32\"]"}},
    {"MetricsAdminSourceNotAPrefix",
     Frame::kBeforePort,
     "[metrics]\nadmin_sources = [\"10.0.0.0/8\", \"10.0.0.1\", 7]\n",
     {"t.toml:2:32: admin_sources[1] '10.0.0.1' is not an address/prefix-length such as "
      "10.0.0.10/24 or 2001:db8::10/64",
      "t.toml:2:44: admin_sources[2]: expected a string, got an integer"}},
    {"MetricsNotATable",
     Frame::kBeforePort,
     "metrics = \"127.0.0.1:9101\"\n",
     {"t.toml:1:11: metrics: expected a table, got a string"}},
};

class RejectedConfig : public ::testing::TestWithParam<Rejected> {};

TEST_P(RejectedConfig, ReportsExactlyTheseErrors) {
  const Rejected& row = GetParam();
  EXPECT_THAT(errors_in(row.frame, row.snippet), ElementsAreArray(row.errors));
}

INSTANTIATE_TEST_SUITE_P(ConfigErrors, RejectedConfig, ::testing::ValuesIn(kRejected),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ConfigErrors, AtMostSixteenAcceptMacs) {
  std::string macs;
  for (int i = 0; i < 17; ++i)
    macs += (i ? ", " : "") + std::string("\"00:00:5e:00:01:") + (i < 10 ? "0" : "") +
            std::to_string(i) + "\"";
  EXPECT_THAT(
      errors_of("[[port]]\nname = \"p\"\ndevice = \"net_tap0\"\naccept_macs = [" + macs + "]\n"),
      ElementsAre("t.toml:4:352: accept_macs[16]: more than 16 accept_macs; a port takes "
                  "at most 16"));
}

TEST(ConfigErrors, AHugeValueIsQuotedShort) {
  const std::string huge(5'000'000, 'x');
  std::string text(kWww);
  text.replace(text.find("\"dsr-l2\""), 8, "\"" + huge + "\"");
  text += "  [[vip.backend]]\n  address = \"10.0.0.21\"\n";
  EXPECT_THAT(errors(text),
              ElementsAre("t.toml:6:8: mode 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...(5000000 "
                          "bytes)' is not supported; allowed: dsr-l2, ipip, gue, nat, fullnat"));
}

// The limits the dataplane enforces (config/node_limits.h) are checked by the loader, so
// --check and the running programs agree.
TEST(ConfigErrors, MoreVipsThanOneNodeCarries) {
  std::string text;
  for (uint32_t i = 0; i <= kMaxVips; ++i)
    text += "[[vip]]\nname = \"v" + std::to_string(i) + "\"\naddress = \"10.1." +
            std::to_string(i >> 8) + "." + std::to_string(i & 255) +
            "\"\nprotocol = \"tcp\"\nport = 80\nmode = \"dsr-l2\"\n"
            "  [[vip.backend]]\n  address = \"10.0.0.21\"\n";
  const size_t last_vip_line = size_t(kMaxVips) * 8 + 1;
  EXPECT_THAT(errors(text), ElementsAre("t.toml:" + std::to_string(last_vip_line) +
                                        ":1: vip 'v16384': more than 16384 VIPs; one sluice "
                                        "node carries at most 16384"));
  text.resize(text.rfind("[[vip]]"));
  EXPECT_THAT(errors(text), ElementsAre()) << "exactly the limit is fine";
}

TEST(ConfigErrors, MoreBackendsThanOneVipHas) {
  std::string text =
      "[[vip]]\nname = \"www\"\naddress = \"10.0.0.100\"\nprotocol = \"tcp\"\nport = 80\n"
      "mode = \"ipip\"\nencap_source = \"172.16.0.0/16\"\n";
  for (uint32_t i = 0; i <= kMaxBackendsPerVip; ++i)
    text += "  [[vip.backend]]\n  address = \"10.1." + std::to_string(i >> 8) + "." +
            std::to_string(i & 255) + "\"\n";
  EXPECT_THAT(errors(text),
              ElementsAre("t.toml:" + std::to_string(7 + 2 * (kMaxBackendsPerVip + 1)) +
                          ":13: vip 'www': more than 65535 backends; a VIP has at "
                          "most 65535"));
}

TEST(ConfigErrors, DsrBackendWithStaticNeighborIsOnLink) {
  EXPECT_TRUE(www_errors("  [[vip.backend]]\n  address = \"10.9.0.21\"\n"
                         "[[neighbor]]\naddress = \"10.9.0.21\"\nmac = \"02:00:00:00:00:21\"\n")
                  .empty());
}

TEST(ConfigCheck, HttpCheckParsed) {
  auto r = parse_config(R"([[port]]
name = "lan0"
device = "net_null0"
addresses = ["10.0.0.10/24"]
[[vip]]
name = "www"
address = "10.0.0.100"
protocol = "tcp"
port = 80
mode = "dsr-l2"
  [vip.check]
  type = "http"
  interval = 0.5
  timeout = 0.25
  rise = 1
  fall = 2
  path = "/health"
  host = "www.foobar.com"
  status = "200-299"
  [[vip.backend]]
  address = "10.0.0.21"
)",
                        "t.toml");
  ASSERT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors[0].to_string());
  const HealthCheck& c = r.config->vips[0].check;
  EXPECT_EQ(c.type, HealthCheck::Type::kHttp);
  EXPECT_EQ(c.interval_ms, 500u);
  EXPECT_EQ(c.timeout_ms, 250u);
  EXPECT_EQ(c.rise, 1u);
  EXPECT_EQ(c.fall, 2u);
  EXPECT_EQ(c.http_path, "/health");
  EXPECT_EQ(c.http_host, "www.foobar.com");
  EXPECT_EQ(c.http_status_min, 200);
  EXPECT_EQ(c.http_status_max, 299);
  EXPECT_FALSE(c.initial_up);
}

TEST(VipUpdate, ReplacesVipsAndKeepsPortsOfTheBase) {
  auto base = parse_config(kUpdateBase, "base.toml");
  ASSERT_TRUE(base.config);
  auto r = parse_vip_update(R"([[vip]]
name = "www"
address = "10.0.0.100"
protocol = "tcp"
port = 80
mode = "dsr-l2"
  [[vip.backend]]
  address = "10.0.0.21"
  state = "drain"
)",
                            "update", *base.config);
  ASSERT_TRUE(r.config);
  EXPECT_EQ(r.config->ports, base.config->ports);
  ASSERT_EQ(r.config->vips.size(), 1u);
  EXPECT_EQ(r.config->vips[0].backends[0].state, BackendState::kDrain);
}

TEST(ConfigLoad, NatSettingsAndModes) {
  auto r = parse_config(std::string(R"([nat]
local_addresses = ["10.0.0.50", "2001:db8::50"]
port_min = 20000
port_max = 29999
table_size = 4096
[[vip]]
name = "www"
address = "10.0.0.100"
protocol = "tcp"
port = 80
mode = "fullnat"
backend = [{ address = "192.168.1.1" }]
[[vip]]
name = "www6"
address = "2001:db8::100"
protocol = "tcp"
port = 80
mode = "nat"
backend = [{ address = "2001:db8::21" }]
)") + std::string(kPort),
                        "t.toml");
  ASSERT_TRUE(r.config) << messages(r)[0];
  const NatSettings& nat = r.config->nat;
  EXPECT_THAT(nat.local_addresses, ElementsAre(ip("10.0.0.50"), ip("2001:db8::50")));
  EXPECT_EQ(nat.port_min, 20000);
  EXPECT_EQ(nat.port_max, 29999);
  EXPECT_EQ(nat.table_size, 4096u);
  EXPECT_EQ(r.config->vips[0].mode, ForwardingMode::kFullNat);
  EXPECT_EQ(r.config->vips[1].mode, ForwardingMode::kNat);
  EXPECT_EQ(NatSettings{}, parse_config(kPort, "t.toml").config->nat);
}

TEST(VipUpdate, FullNatNeedsTheBasesLocalAddresses) {
  const std::string vip = R"([[vip]]
name = "www"
address = "10.0.0.100"
protocol = "tcp"
port = 80
mode = "fullnat"
backend = [{ address = "10.0.0.21" }]
)";
  auto without = parse_config(kUpdateBase, "base.toml");
  ASSERT_TRUE(without.config);
  EXPECT_THAT(messages(parse_vip_update(vip, "update", *without.config)),
              ElementsAre("update:1:1: vip 'www': mode fullnat needs an IPv4 address in [nat] "
                          "local_addresses, the source of its connections to the backends"));
  auto with = parse_config(std::string(kUpdateBase) + "[nat]\nlocal_addresses = [\"10.0.0.50\"]\n",
                           "base.toml");
  ASSERT_TRUE(with.config);
  auto r = parse_vip_update(vip, "update", *with.config);
  ASSERT_TRUE(r.config);
  EXPECT_EQ(r.config->vips[0].mode, ForwardingMode::kFullNat);
}

// One vrid per (interface, family): RFC 5798 5.2.9, IPv4 and IPv6 virtual routers are
// independent even with the same VRID. The family is the instance's address's, whichever
// comes first in the file.
TEST(ConfigVrrp, SameVridOnOneInterfaceOncePerFamily) {
  std::string base = std::string(kWww) + "  [[vip.backend]]\n  address = \"10.0.0.21\"\n" +
                     R"([[vip]]
name = "www6"
address = "2001:db8::100"
protocol = "tcp"
port = 80
mode = "dsr-l2"
  [[vip.backend]]
  address = "2001:db8::21"
)";
  const char* v6 = R"([[vrrp]]
name = "vi_www6"
interface = "eth0"
vrid = 51
address = "fe80::11"
vips = ["www6"]
)";
  const char* v4 = R"([[vrrp]]
name = "vi_www"
interface = "eth0"
vrid = 51
address = "10.0.0.11"
vips = ["www"]
)";
  EXPECT_THAT(errors(base + v6 + v4), ElementsAre());
  EXPECT_THAT(errors(base + v4 + v6), ElementsAre());
}

TEST(ConfigVrrp, Ipv4ChecksumAndTrackInterfaces) {
  auto r = parse_config(std::string(kWww) + "  [[vip.backend]]\n  address = \"10.0.0.21\"\n" +
                            R"([[vrrp]]
name = "vi_www"
interface = "eth0"
vrid = 51
address = "10.0.0.11"
vips = ["www"]
ipv4_checksum = "message-only"
track_interfaces = ["eth1", "eth0"]
)" + std::string(kPort),
                        "t.toml");
  ASSERT_TRUE(r.config) << r.errors[0].to_string();
  EXPECT_EQ(r.config->vrrp.at(0).ipv4_checksum, VrrpChecksum::kMessageOnly);
  // Listing the instance's own interface is allowed (it is tracked anyway).
  EXPECT_EQ(r.config->vrrp.at(0).track_interfaces, (std::vector<std::string>{"eth1", "eth0"}));
}

TEST(ConfigVrrp, InstanceParsedAndChecked) {
  std::string base = std::string(kWww);
  base += "  [[vip.backend]]\n  address = \"10.0.0.21\"\n";
  auto r = parse_config(base + R"([[vrrp]]
name = "vi_www"
interface = "eth0"
vrid = 51
priority = 150
advert_interval = 0.1
preempt_delay = 0
address = "10.0.0.11"
unicast_peers = ["10.0.0.12"]
vips = ["www"]
)" + std::string(kPort),
                        "t.toml");
  ASSERT_TRUE(r.config) << r.errors[0].to_string();
  const VrrpInstance& v = r.config->vrrp.at(0);
  EXPECT_EQ(v.vrid, 51);
  EXPECT_EQ(v.priority, 150);
  EXPECT_EQ(v.advert_interval_cs, 10);
  EXPECT_EQ(v.preempt_delay_ms, 0u);  // 0 is allowed: no delay
  EXPECT_TRUE(v.preempt);
  EXPECT_TRUE(v.track_dataplane);
  EXPECT_EQ(v.ipv4_checksum, VrrpChecksum::kPseudoHeader);  // what keepalived 2.2.7 sends
  EXPECT_TRUE(v.track_interfaces.empty()) << "the instance's own interface is implied";
  ASSERT_EQ(v.unicast_peers.size(), 1u);
  EXPECT_EQ(v.vips, std::vector<std::string>{"www"});
}

}  // namespace
}  // namespace sluice::config
