// SPDX-License-Identifier: BSD-3-Clause
// sluice's configuration as loaded from TOML, one schema for both programs (see
// configs/*.toml for the keys with comments): the dataplane reads its ports, VIPs and
// settings, sluiced its health checks, VRRP instances and runtime API. Plain value types,
// built by config_loader.h and already validated; not used on the packet path. A
// default-constructed struct holds the schema defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/flow_timeouts.h"
#include "config/fragment_settings.h"
#include "net/ip_address.h"
#include "net/mac_address.h"
#include "net/socket_address.h"

namespace sluice::config {

// dsr-l2, ipip, gue: direct server return. kNat: the destination is translated to the
// backend and its answers, routed through sluice, back (two-armed, the client's address
// kept). kFullNat: the source is translated too, to a [nat] local address and port, so
// answers come back to sluice wherever the backend is (one-armed). docs/nat.md.
enum class ForwardingMode : uint8_t { kDsrL2, kIpip, kGue, kNat, kFullNat };
// What Maglev places a VIP's new flows by: the 5-tuple, or the client's address (with the
// VIP's) so that all of a client's connections reach one backend.
enum class VipHash : uint8_t { kFiveTuple, kSource, kSourceDestination };
enum class BackendState : uint8_t {
  kReady,  // new and existing flows
  kDrain,  // existing flows only
  kMaint,  // no traffic at all
};

inline constexpr uint8_t kProtocolTcp = 6;   // IPPROTO_TCP
inline constexpr uint8_t kProtocolUdp = 17;  // IPPROTO_UDP

struct Backend {
  IpAddress address;
  uint16_t weight = 1;  // 0 behaves like kDrain
  BackendState state = BackendState::kReady;
  friend bool operator==(const Backend&, const Backend&) = default;
};

// How sluiced checks the backends of a VIP. kNone: backends count as up.
struct HealthCheck {
  enum class Type : uint8_t { kNone, kTcp, kHttp, kUdp };
  Type type = Type::kNone;
  uint16_t port = 0;  // 0 = the VIP's port
  uint32_t interval_ms = 2000;
  uint32_t fast_interval_ms = 0;  // while changing state; 0 = interval
  uint32_t down_interval_ms = 0;  // while down; 0 = interval
  uint32_t timeout_ms = 1000;
  uint32_t rise = 2;
  uint32_t fall = 3;
  std::string http_path = "/";
  std::string http_host;  // empty: the backend address (and :port unless 80)
  uint16_t http_status_min = 200;
  uint16_t http_status_max = 399;
  std::string udp_payload;
  std::string udp_expect;   // empty: any reply
  bool initial_up = false;  // counted up before the first result
  friend bool operator==(const HealthCheck&, const HealthCheck&) = default;
};

// A BGP community of [vip.bgp] communities: standard "ASN:VALUE" (RFC 1997, two 16-bit
// numbers) or large "GLOBAL:LOCAL1:LOCAL2" (RFC 8092, three 32-bit numbers).
struct BgpCommunity {
  bool large = false;
  uint32_t global = 0;  // a standard community's ASN: 0..65535
  uint32_t local1 = 0;  // a standard community's VALUE: 0..65535
  uint32_t local2 = 0;  // large only
  std::string to_string() const {
    std::string s = std::to_string(global) + ":" + std::to_string(local1);
    return large ? s + ":" + std::to_string(local2) : s;
  }
  friend bool operator==(const BgpCommunity&, const BgpCommunity&) = default;
};

// [vip.bgp]: how the VIP is announced when [bgp] is enabled (docs/bgp.md).
struct VipBgp {
  bool announce = true;      // false: pinned to "never announce"
  uint32_t min_healthy = 1;  // serving backends needed to announce; 1..backends
  uint32_t med = 0;          // the route's metric, which the routing daemon sends as MED
  // A kernel route carries neither: sluiced writes them into bird's policy file
  // ([bgp] bird_policy). local_pref goes to iBGP peers only.
  std::optional<uint32_t> local_pref;
  std::vector<BgpCommunity> communities;  // distinct, in the file's order
  friend bool operator==(const VipBgp&, const VipBgp&) = default;
};

struct Vip {
  std::string name;
  IpAddress address;
  uint8_t protocol = kProtocolTcp;
  uint16_t port = 0;  // 0 = every port of `protocol`
  ForwardingMode mode = ForwardingMode::kDsrL2;
  uint32_t maglev_table_size = 65537;  // prime
  VipHash hash = VipHash::kFiveTuple;
  // Outer source prefixes for ipip/gue; set whenever a backend of that family exists.
  std::optional<IpPrefix> encap_source;   // IPv4
  std::optional<IpPrefix> encap_source6;  // IPv6
  uint16_t gue_port = 6080;               // outer UDP destination port, gue only
  uint16_t mss_clamp = 0;                 // TCP: clients' SYNs announce at most this MSS
  std::vector<Backend> backends;          // non-empty, distinct addresses
  HealthCheck check;
  VipBgp bgp;  // sluiced only; not part of the dataplane's desired state
  // An inactive VIP is neither answered (ARP, ND, echo) nor forwarded: its peer holds it.
  // sluiced's VRRP instance sets it; a config file normally leaves it true.
  bool active = true;
  friend bool operator==(const Vip&, const Vip&) = default;
};

// Whether a worker hands a frame it received to the worker that owns the frame's flow
// (pipeline/flow_owner.h), for devices that cannot bring a flow to one worker themselves.
enum class FlowHandoff : uint8_t {
  // Where the device cannot give every worker its own flows: several queues without RSS
  // (a flow would be split), or fewer queues than workers (the rest would idle).
  kAuto,
  kOff,  // never: the device is trusted (af_packet's fanout hash); extra workers idle
};

enum class ExceptionPath : uint8_t {
  kNone,  // counted as host_unhandled and dropped
  kTap,   // to a kernel TAP interface, whose frames also go out of this port
  // net_af_xdp only: the XDP steering program (bpf/steering.bpf.c) leaves everything but
  // VIP traffic and ARP/ND for the dataplane's addresses to the interface's own kernel.
  kXdp,
};

struct Port {
  std::string name;
  std::string device;                 // PCI address or vdev string, as written
  std::vector<IpPrefix> addresses;    // own addresses; the prefix is the on-link subnet
  std::optional<IpAddress> gateway;   // IPv4, inside one of `addresses`
  std::optional<IpAddress> gateway6;  // IPv6, inside one of `addresses`
  // The device's MTU; its mbufs hold mtu + Ethernet and VLAN headers in one segment,
  // and longer frames are dropped (over_mtu).
  uint16_t mtu = 1500;
  std::optional<MacAddress> mac;  // overrides the device's MAC; unicast
  // Unicast destination MACs taken besides the port's own (a VRRP virtual MAC that another
  // program answers ARP with on this link); frames for any other unicast MAC are dropped.
  std::vector<MacAddress> accept_macs;
  uint16_t queues = 0;  // 0 = one RX/TX queue pair per worker
  FlowHandoff flow_handoff = FlowHandoff::kAuto;
  // Where traffic that is not the load balancer's goes (ARP for other addresses, SSH,
  // VRRP, health-check replies).
  ExceptionPath exception_path = ExceptionPath::kNone;
  std::string tap_name;  // kTap: the TAP interface ("sl-" + name when not set)
  friend bool operator==(const Port&, const Port&) = default;
};

struct Neighbor {
  IpAddress address;
  MacAddress mac;
  friend bool operator==(const Neighbor&, const Neighbor&) = default;
};

using sluice::FlowTimeouts;

// [nat]: what the NAT modes need per node (docs/nat.md). The dataplane reads it at start;
// a change needs a restart.
inline constexpr size_t kMaxNatLocalAddresses = 16;
struct NatSettings {
  // fullnat's source addresses (IPv4 and IPv6), which the dataplane answers ARP/ND for;
  // a fullnat VIP needs one of each family its backends use.
  std::vector<IpAddress> local_addresses;
  // The local ports of each local address, shared by the workers: port p is worker
  // p mod workers' (pipeline/flow_owner.h).
  uint16_t port_min = 1024;
  uint16_t port_max = 65535;
  uint32_t table_size = 65536;  // NAT connections per worker
  friend bool operator==(const NatSettings&, const NatSettings&) = default;
};

struct DataplaneSettings {
  uint32_t main_lcore = 0;
  std::vector<uint32_t> worker_lcores{1};  // non-empty, distinct, without main_lcore
  uint32_t burst_size = 32;
  uint32_t flow_table_size = 1u << 20;  // flows per worker
  uint32_t idle_sleep_us = 0;           // 0 = busy polling
  // An idle worker blocks until an RX interrupt (or 1 ms) instead of polling or sleeping,
  // when every queue it reads can raise one (PCI NICs, net_tap); otherwise it
  // falls back to idle_sleep_us.
  bool rx_interrupts = false;
  // New SYN-only flows a worker inserts into its flow table per second; above it their
  // SYNs are forwarded by Maglev alone (flow/flood_guard.h). 0 = no limit.
  uint32_t syn_admission_limit = 100'000;
  // Frames per second and per port of the host's traffic that is not control traffic
  // (dataplane/pipeline/host_lane.h) passed to the exception path; the rest is dropped
  // (to_host_rate_limited). Control traffic has its own lane, drained first. 0 = no limit.
  uint32_t host_rate_limit = 20'000;
  bool hugepages = true;
  uint32_t memory_mb = 1024;
  std::string file_prefix = "sluice";
  uint32_t mbufs_per_port = 16383;
  std::vector<std::string> eal_args;  // appended verbatim after the generated EAL args
  // Gratuitous ARP / unsolicited NA burst sent when a VIP becomes active.
  uint32_t garp_count = 3;
  uint32_t garp_interval_ms = 100;
  // Where the dataplane listens for sluiced's desired state (common/channel/).
  std::string control_socket = "/run/sluice/dataplane.sock";
  friend bool operator==(const DataplaneSettings&, const DataplaneSettings&) = default;
};

struct ControlPlaneSettings {
  std::string socket = "/run/sluice/sluiced.sock";  // runtime API (sluicectl)
  std::string admin_state_file = "/var/lib/sluice/admin-state";
  uint32_t admin_state_max_age_s = 7 * 24 * 3600;  // older entries are dropped
  friend bool operator==(const ControlPlaneSettings&, const ControlPlaneSettings&) = default;
};

// sluiced's HTTP listener (controlplane/metrics/): /metrics in the Prometheus text format
// and the status page. It runs only when the file has a [metrics] table.
struct MetricsSettings {
  SocketAddress listen{IpAddress::v4(0x7f000001), 9101};  // 127.0.0.1:9101
  // The status page's drain / ready / maint buttons (POST /admin/backend): only when true,
  // and only for clients whose address is in admin_sources.
  bool admin_actions = false;
  std::vector<IpPrefix> admin_sources{IpPrefix{IpAddress::v4(0x7f000001), 32}};  // non-empty
  friend bool operator==(const MetricsSettings&, const MetricsSettings&) = default;
};

// How a [[vrrp]] instance over IPv4 checksums its adverts (controlplane/vrrp/packet.h):
// RFC 5798 with the pseudo-header (keepalived, FRR), or RFC 9568, the message only.
enum class VrrpChecksum : uint8_t { kPseudoHeader, kMessageOnly };

// A VRRPv3 instance of sluiced: the VIPs it carries are active in the dataplane only
// while it is MASTER.
struct VrrpInstance {
  std::string name;
  std::string interface;              // kernel interface carrying the adverts
  uint8_t vrid = 0;                   // 1..255
  uint8_t priority = 100;             // 1..255; 255 = address owner
  uint16_t advert_interval_cs = 100;  // 1..4095 centiseconds
  bool preempt = true;
  uint32_t preempt_delay_ms = 0;
  IpAddress address;                     // this node's address on `interface`
  std::vector<IpAddress> unicast_peers;  // empty: multicast
  std::vector<std::string> vips;         // names of [[vip]] entries, of address's family
  bool track_dataplane = true;           // FAULT while the dataplane channel is down
  bool track_backends = false;           // FAULT while a VIP has no serving backend
  // FAULT while one of these kernel links, or `interface`, is down or absent (keepalived's
  // track_interface); `interface` is always tracked.
  std::vector<std::string> track_interfaces;
  std::string notify;  // run as: notify INSTANCE STATE PRIORITY
  VrrpChecksum ipv4_checksum = VrrpChecksum::kPseudoHeader;  // sent and accepted
  friend bool operator==(const VrrpInstance&, const VrrpInstance&) = default;
};

// [bgp]: sluiced announces the VIPs it can serve by installing a blackhole host route per
// VIP in a kernel routing table that no `ip rule` uses; a routing daemon (bird2, FRR)
// exports that table by BGP (docs/bgp.md, configs/bird-sluice.conf).
struct BgpSettings {
  bool enable = false;
  uint32_t table = 0;             // required when enabled; not 0, 253 (default), 254 (main), 255
  uint8_t protocol = 200;         // rtm_protocol of sluiced's routes, not one of a known daemon's
  uint32_t drain_time_ms = 5000;  // after a withdrawal of everything, until drained
  bool drain_on_stop = true;      // SIGTERM waits drain_time before sluiced exits
  // Node maintenance and VIP pins set from the runtime API, kept across restarts.
  std::string state_file = "/var/lib/sluice/bgp-state";
  // The routing daemon's control socket (bird's, e.g. /run/bird/bird.ctl): sluiced reads
  // the state of its BGP and BFD sessions there for `show bgp` and /metrics. "": not read.
  std::string bird_socket;
  // The file sluiced writes for bird with each VIP's local_pref and communities
  // (controlplane/bird/policy.h), included by bird's config. "": not written.
  std::string bird_policy = "/run/sluice/bird-vips.conf";
  friend bool operator==(const BgpSettings&, const BgpSettings&) = default;
};

// [sync]: flow sync with the peers (docs/flow-sync.md). The dataplane publishes its
// long-lived flows to `peers` and installs theirs, over UDP on `listen`, every batch
// signed with `key`. Off without the table or with enable = false.
struct SyncSettings {
  bool enable = false;
  SocketAddress listen;                  // required when enabled
  std::vector<SocketAddress> peers;      // required when enabled; distinct, not `listen`
  std::string key;                       // the shared key (`key`, or `key_file`'s content)
  uint32_t node_id = 0;                  // 0 = listen's address (IPv4) or its last 32 bits
  uint32_t threshold_packets = 3;        // publish a flow after this many packets ...
  uint32_t threshold_ms = 1000;          // ... or this long, whichever comes first
  uint32_t refresh_interval_ms = 15000;  // then again while it lives; < its peers' timeouts
  uint32_t send_rate = 20000;            // flow records sent per second, at most
  uint32_t install_rate = 20000;         // flow records from peers installed per second
  uint32_t table_reserve_percent = 25;   // of each flow table, kept for local flows
  // Bulk sync on join: at start, ask the peers for their flows and wait this long at most
  // for them before announcing VIPs (sluiced holds BGP meanwhile); 0 = off.
  uint32_t join_wait_ms = 0;
  friend bool operator==(const SyncSettings&, const SyncSettings&) = default;
};

struct Config {
  DataplaneSettings dataplane;
  ControlPlaneSettings controlplane;
  std::optional<MetricsSettings> metrics;  // nullopt: no [metrics] table, no listener
  BgpSettings bgp;
  SyncSettings sync;
  FlowTimeouts flow_timeouts;
  FragmentSettings fragments;
  NatSettings nat;
  std::vector<Port> ports;  // non-empty
  std::vector<Neighbor> neighbors;
  std::vector<Vip> vips;  // (address, protocol, port) distinct
  std::vector<VrrpInstance> vrrp;
  friend bool operator==(const Config&, const Config&) = default;
};

// VIPs carried by a [[vrrp]] instance start inactive: the dataplane answers and forwards
// for them only once sluiced's instance is MASTER and says so.
inline void deactivate_vrrp_vips(Config& config) {
  for (const VrrpInstance& instance : config.vrrp)
    for (const std::string& name : instance.vips)
      for (Vip& vip : config.vips)
        if (vip.name == name) vip.active = false;
}

// Names as written in the TOML file.
inline std::string to_string(ForwardingMode m) {
  switch (m) {
    case ForwardingMode::kDsrL2:
      return "dsr-l2";
    case ForwardingMode::kIpip:
      return "ipip";
    case ForwardingMode::kGue:
      return "gue";
    case ForwardingMode::kNat:
      return "nat";
    case ForwardingMode::kFullNat:
      return "fullnat";
  }
  return "?";
}
inline bool is_nat(ForwardingMode m) {
  return m == ForwardingMode::kNat || m == ForwardingMode::kFullNat;
}
inline std::string to_string(VipHash h) {
  switch (h) {
    case VipHash::kFiveTuple:
      return "5-tuple";
    case VipHash::kSource:
      return "source";
    case VipHash::kSourceDestination:
      return "source-destination";
  }
  return "?";
}
inline std::optional<VipHash> parse_vip_hash(std::string_view text) {
  if (text == "5-tuple") return VipHash::kFiveTuple;
  if (text == "source") return VipHash::kSource;
  if (text == "source-destination") return VipHash::kSourceDestination;
  return std::nullopt;
}
inline std::string to_string(BackendState s) {
  switch (s) {
    case BackendState::kReady:
      return "ready";
    case BackendState::kDrain:
      return "drain";
    case BackendState::kMaint:
      return "maint";
  }
  return "?";
}
inline std::string to_string(VrrpChecksum c) {
  return c == VrrpChecksum::kPseudoHeader ? "pseudo-header" : "message-only";
}
inline std::optional<VrrpChecksum> parse_vrrp_checksum(std::string_view text) {
  if (text == "pseudo-header") return VrrpChecksum::kPseudoHeader;
  if (text == "message-only") return VrrpChecksum::kMessageOnly;
  return std::nullopt;
}
inline std::string protocol_name(uint8_t protocol) {
  if (protocol == kProtocolTcp) return "tcp";
  if (protocol == kProtocolUdp) return "udp";
  return std::to_string(protocol);
}

inline std::string to_string(HealthCheck::Type t) {
  switch (t) {
    case HealthCheck::Type::kNone:
      return "none";
    case HealthCheck::Type::kTcp:
      return "tcp";
    case HealthCheck::Type::kHttp:
      return "http";
    case HealthCheck::Type::kUdp:
      return "udp";
  }
  return "?";
}
inline std::optional<HealthCheck::Type> parse_check_type(std::string_view text) {
  if (text == "none") return HealthCheck::Type::kNone;
  if (text == "tcp") return HealthCheck::Type::kTcp;
  if (text == "http") return HealthCheck::Type::kHttp;
  if (text == "udp") return HealthCheck::Type::kUdp;
  return std::nullopt;
}

inline std::optional<ForwardingMode> parse_forwarding_mode(std::string_view text) {
  if (text == "dsr-l2") return ForwardingMode::kDsrL2;
  if (text == "ipip") return ForwardingMode::kIpip;
  if (text == "gue") return ForwardingMode::kGue;
  if (text == "nat") return ForwardingMode::kNat;
  if (text == "fullnat") return ForwardingMode::kFullNat;
  return std::nullopt;
}
inline std::optional<BackendState> parse_backend_state(std::string_view text) {
  if (text == "ready") return BackendState::kReady;
  if (text == "drain") return BackendState::kDrain;
  if (text == "maint") return BackendState::kMaint;
  return std::nullopt;
}
inline std::optional<uint8_t> parse_protocol(std::string_view text) {
  if (text == "tcp") return kProtocolTcp;
  if (text == "udp") return kProtocolUdp;
  return std::nullopt;
}

}  // namespace sluice::config
