// SPDX-License-Identifier: BSD-3-Clause
// The whole per-packet path (parse, VIP match, flow table, Maglev, rewrite, counters) as
// one worker runs it: Pipeline::process_burst on bursts of 32 frames, against a snapshot
// built by StateBuilder from a config made here (one VIP 10.0.0.100:80/tcp and one VIP
// [fd00::100]:80/tcp, 100 on-link backends each with static neighbor MACs).
//
// Scenarios (each per forwarding mode, IPv4 and IPv6):
//   Established  1M live flows, visited in a random permutation: every lookup misses the
//                CPU caches, as with real traffic (flow table sized 4M, i.e. 25% load).
//   NewFlows     every packet a SYN of a tuple never seen; the clock advances 1 ms per
//                burst so SYN-only entries expire (10 s) and the table stays large enough.
//   SynFlood     fresh SYNs into a 64K table already full of established flows: every
//                insert is refused and the packet goes out statelessly.
//   HotFlow      one established flow over and over (compare Katran's ~100-120 ns per
//                packet under BPF_PROG_TEST_RUN, where the flow is hot as well).
//   Answers1M    nat and fullnat only: the backends' answers of 1M established NAT
//                connections, in a random permutation (the reverse direction; the client
//                direction is Established1M of the same mode). fullnat spreads them over
//                16 local addresses per family, every port of each.
//   Connections  whole TCP connections, 32 at a time, one burst per step: the client's
//                SYN, ACK, data, FIN and last ACK (and in nat and fullnat the backend's
//                SYN-ACK, data ACK and FIN, each the answer to what the translated packet
//                became); the clock moves 1 ms per 32 connections, so closed ones expire
//                after the closing timeout (10 s: about 320K connections are in the table).
//                Counter conns_per_s: connections a second of one worker's CPU
//                (1e9 / (pipeline_ns x packets per connection)). No /staged: each answer is
//                made from what the pipeline did to the packet before it.
//
// Frames are Ethernet/IPv4|IPv6/TCP from tests/lib/packet_builder.h, in 2 KiB buffers with
// 128 bytes of headroom (like an mbuf). Before each burst the 32 buffers are restored from a
// pristine template and stamped with the packet's client address and port (and, for IPv4, the
// header checksum). That restore is timed on its own before every run (restore_ns) and in
// the Restore/* benchmarks; pipeline_ns = ns_per_pkt - restore_ns is the pipeline's cost.
// Both are this thread's CPU time per packet, so time spent preempted on a busy machine
// does not count.
// The TCP checksum is left 0: nothing on the path reads it.
// Every scenario also runs ".../staged": the way Worker drives the pipeline, with two
// bursts in flight (begin_burst k, finish_burst k-1, prefetch_flows k), so one burst's
// flow-table misses overlap the previous burst's work.
// Established1M also runs ".../sync": the same workload (the same table) with flow sync's
// gate on (docs/flow-sync.md: 3 packets, 1 s, refresh 15 s), each flow published once it
// has its third packet; run with --benchmark_enable_random_interleaving and repetitions
// for the cost of sync against the same scenario without it.
#include <benchmark/benchmark.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "packet/checksum.h"
#include "packet_builder.h"  // tests/lib
#include "pipeline/pipeline.h"
#include "state/neighbor_cache.h"
#include "state/state_builder.h"

namespace sluice {
namespace {

using config::ForwardingMode;
using testing_support::Packet;

constexpr uint16_t kBurst = 32;
constexpr uint32_t kHeadroom = 128;  // RTE_PKTMBUF_HEADROOM
constexpr uint32_t kBufferSize = 2048;
constexpr uint32_t kEstablishedFlows = 1u << 20;
constexpr uint32_t kNatConnections = 1'000'000;  // a multiple of kBurst
constexpr uint32_t kLocalAddressesPerFamily = 16;
constexpr uint32_t kLargeTable = 1u << 22;  // 4x the flows, as flow_table.h advises
constexpr uint32_t kSmallTable = 1u << 16;
constexpr uint32_t kStartMs = 1'000;

const MacAddress kPortMac{{0x02, 0, 0, 0, 0, 0x10}};
const MacAddress kClientMac{{0x02, 0, 0, 0, 0, 0x01}};

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

IpAddress ip(const char* text) { return *IpAddress::parse(text); }
IpPrefix prefix(const char* text) { return *IpPrefix::parse(text); }

// --- the configuration and the snapshot -------------------------------------------------

config::Config make_config(ForwardingMode mode, uint32_t flow_table_size) {
  config::Config c;
  c.dataplane.flow_table_size = flow_table_size;
  config::Port port;
  port.name = "p0";
  port.device = "net_null0";
  port.addresses = {prefix("10.0.0.10/16"), prefix("fd00::10/64")};
  c.ports.push_back(port);

  config::Vip v4;
  v4.name = "www4";
  v4.address = ip("10.0.0.100");
  v4.port = 80;
  v4.mode = mode;
  v4.encap_source = prefix("172.16.0.0/16");
  config::Vip v6;
  v6.name = "www6";
  v6.address = ip("fd00::100");
  v6.port = 80;
  v6.mode = mode;
  v6.encap_source6 = prefix("2001:db8:ffff::/64");
  for (int i = 1; i <= 100; ++i) {
    const std::string n = std::to_string(i);
    config::Backend b4{ip(("10.0.1." + n).c_str()), 1, config::BackendState::kReady};
    config::Backend b6{ip(("fd00::1:" + n).c_str()), 1, config::BackendState::kReady};
    v4.backends.push_back(b4);
    v6.backends.push_back(b6);
    c.neighbors.push_back({b4.address, MacAddress{{0x02, 0, 0, 0, 0x04, uint8_t(i)}}});
    c.neighbors.push_back({b6.address, MacAddress{{0x02, 0, 0, 0, 0x06, uint8_t(i)}}});
  }
  c.vips = {v4, v6};
  for (uint32_t i = 0; i < kLocalAddressesPerFamily; ++i) {
    c.nat.local_addresses.push_back(IpAddress::v4(0x0a00ff00u + i));  // 10.0.255.x
    c.nat.local_addresses.push_back(ip(("fd00::ff:" + std::to_string(i + 1)).c_str()));
  }
  c.nat.port_min = 1;
  c.nat.table_size = kEstablishedFlows;
  return c;
}

std::unique_ptr<ForwardingState> make_state(const config::Config& c) {
  NeighborCache neighbors;
  neighbors.configure(StateBuilder::next_hops(c), StateBuilder::static_neighbors(c));
  StateBuilder builder(c.flow_timeouts.tcp_established_ms);
  std::vector<std::string> errors;
  auto state = builder.build(c, {kPortMac}, neighbors, 1, kStartMs, errors);
  if (!errors.empty()) return nullptr;
  for (const VipEntry& v : state->vips)
    for (const BackendEntry& b : v.backends)
      if (!state->next_hop(b).resolved) return nullptr;
  return state;
}

// --- frames -------------------------------------------------------------------------------

// A client's side of a flow: what changes from one packet to the next. For a backend's
// answer (Answers1M), its source and, in `to`, its destination.
struct Client {
  IpAddress address;
  uint16_t port = 0;
  IpAddress to;
  uint16_t to_port = 0;
};

// Offsets of the client fields in the template; answers stamp the destination too.
struct Template {
  std::vector<uint8_t> frame;
  bool v6 = false;
  bool answer = false;
  uint32_t src_offset = 0;
  uint32_t sport_offset = 0;
};

// The frame of every packet of a family, its client fields (address, port) zero.
Template make_template(bool v6, uint8_t tcp_flags) {
  Template t;
  t.v6 = v6;
  t.src_offset = wire::kEthHeaderLen + (v6 ? 8 : 12);
  t.sport_offset = wire::kEthHeaderLen + (v6 ? wire::kIpv6HeaderLen : wire::kIpv4HeaderLen);
  Packet p;
  p.eth(kPortMac.bytes, kClientMac.bytes);
  if (v6)
    p.ipv6("::", "fd00::100");
  else
    p.ipv4("0.0.0.0", "10.0.0.100").set16(wire::kEthHeaderLen + 10, 0);  // restore() sums it
  const uint32_t ack = tcp_flags & wire::kTcpAck ? 2000 : 0;
  p.tcp(0, 80, tcp_flags, {.seq = 1000, .ack = ack, .window = 65535})
      .set16(t.sport_offset + 16, 0)  // the TCP checksum: nothing on the path reads it
      .pad_to(60);                    // Ethernet minimum without FCS
  t.frame = p.bytes();
  return t;
}

// The frame of a backend's answer (backend:80 -> the client or a local address), its
// addresses and destination port zero.
Template make_answer_template(bool v6, uint8_t tcp_flags = wire::kTcpAck) {
  Template t = make_template(v6, tcp_flags);
  t.answer = true;
  Packet p;
  p.eth(kPortMac.bytes, kClientMac.bytes);
  if (v6)
    p.ipv6("::", "::");
  else
    p.ipv4("0.0.0.0", "0.0.0.0").set16(wire::kEthHeaderLen + 10, 0);
  p.tcp(80, 0, tcp_flags, {.seq = 1000, .ack = 2000, .window = 65535})
      .set16(t.sport_offset + 16, 0)
      .pad_to(60);
  t.frame = p.bytes();
  return t;
}

// Client n of a family: distinct for every n < 2^40.
Client client(bool v6, uint64_t n) {
  Client c;
  c.port = uint16_t(n);
  if (v6) {
    c.address.bytes = {0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00};  // 2001:db8:100::/48
    const uint64_t hi = n >> 16;
    for (int i = 0; i < 8; ++i) c.address.bytes[15 - i] = uint8_t(hi >> (8 * i));
  } else {
    c.address = IpAddress::v4(0x0b000000u + uint32_t(n >> 16));  // 11.0.0.0/8
  }
  return c;
}

// A bijection on [0, 2^39): spreads flow numbers over the client space without repeats.
uint64_t scatter(uint64_t n) { return (n * 0x9e3779b97f4a7c15ull) & ((uint64_t(1) << 39) - 1); }

// The 32 mbuf-like buffers of one burst.
struct Burst {
  struct alignas(64) Buffer {
    uint8_t bytes[kBufferSize];
  };
  std::unique_ptr<Buffer[]> buffers{new Buffer[kBurst]};
  PacketBuffer frames[kBurst];

  void restore(uint16_t i, const Template& t, const Client& c) {
    uint8_t* data = buffers[i].bytes + kHeadroom;
    const uint32_t length = uint32_t(t.frame.size());
    std::memcpy(data, t.frame.data(), length);
    if (t.v6) {
      std::memcpy(data + t.src_offset, c.address.v6_wire(), 16);
      if (t.answer) std::memcpy(data + t.src_offset + 16, c.to.v6_wire(), 16);
    } else {
      std::memcpy(data + t.src_offset, c.address.v4_wire(), 4);
      if (t.answer) std::memcpy(data + t.src_offset + 4, c.to.v4_wire(), 4);
      uint8_t* ip4 = data + wire::kEthHeaderLen;
      const uint16_t sum = checksum::finish(checksum::sum(ip4, 20));
      ip4[10] = uint8_t(sum >> 8);
      ip4[11] = uint8_t(sum);
    }
    if (t.answer) {
      data[t.sport_offset + 2] = uint8_t(c.to_port >> 8);
      data[t.sport_offset + 3] = uint8_t(c.to_port);
    } else {
      data[t.sport_offset] = uint8_t(c.port >> 8);
      data[t.sport_offset + 1] = uint8_t(c.port);
    }
    frames[i] = PacketBuffer{data, length, kHeadroom, kBufferSize - kHeadroom - length};
  }
};

// --- scenarios ----------------------------------------------------------------------------

enum class Kind { kEstablished, kNewFlows, kSynFlood, kHotFlow, kAnswers, kConnections };

// One packet of a connection (Connections): the client's, or the backend's answer.
struct Step {
  bool answer;
  uint8_t tcp_flags;
};
constexpr uint8_t kSyn = wire::kTcpSyn, kAck = wire::kTcpAck, kFin = wire::kTcpFin;
constexpr uint8_t kData = wire::kTcpPsh | wire::kTcpAck;
constexpr Step kDsrConnection[] = {
    {false, kSyn}, {false, kAck}, {false, kData}, {false, kFin | kAck}, {false, kAck}};
constexpr Step kNatConnection[] = {{false, kSyn},       {true, kSyn | kAck}, {false, kAck},
                                   {false, kData},      {true, kAck},        {false, kFin | kAck},
                                   {true, kFin | kAck}, {false, kAck}};

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::kEstablished:
      return "Established1M";
    case Kind::kNewFlows:
      return "NewFlows";
    case Kind::kSynFlood:
      return "SynFloodFullTable";
    case Kind::kHotFlow:
      return "HotFlow";
    case Kind::kAnswers:
      return "Answers1M";
    case Kind::kConnections:
      return "Connections";
  }
  return "?";
}

struct Scenario {
  Kind kind;
  ForwardingMode mode;
  bool v6;
  bool staged = false;
  bool sync = false;  // the same workload with the sync gate on
  std::string name() const {
    return std::string(kind_name(kind)) + "/" + config::to_string(mode) + (v6 ? "/ipv6" : "/ipv4") +
           (staged ? "/staged" : "") + (sync ? "/sync" : "");
  }
  std::string workload_name() const { return Scenario{kind, mode, v6}.name(); }
};

// One worker's pipeline with its traffic source, kept across repetitions of a scenario.
struct Workload {
  std::string name;
  Kind kind = Kind::kEstablished;
  bool v6 = false;
  std::unique_ptr<ForwardingState> state;
  std::unique_ptr<WorkerCounters> counters = std::make_unique<WorkerCounters>();
  std::unique_ptr<Pipeline> pipeline;
  std::unique_ptr<BurstResult> result = std::make_unique<BurstResult>();
  Template tmpl;
  Burst bursts[2];
  std::unique_ptr<StagedBurst> staged[2] = {std::make_unique<StagedBurst>(),
                                            std::make_unique<StagedBurst>()};
  int cur = 0;                // the burst restored next
  bool pending = false;       // bursts[cur ^ 1] begun, not finished
  std::vector<Client> cycle;  // kEstablished / kHotFlow: the clients to replay, in order
  size_t cursor = 0;
  uint64_t fresh = 0;  // kNewFlows / kSynFlood / kConnections: the next never-seen client
  uint32_t now_ms = kStartMs;
  std::string error;
  // kConnections: the packets of a connection, their templates, the step the next burst
  // is, its 32 clients and the backends' view of them (from the translated SYNs).
  std::vector<Step> steps;
  std::vector<Template> step_templates;
  size_t step = 0;
  Client group[kBurst];
  Client answers[kBurst];

  void start_group() {
    for (Client& c : group) c = client(v6, fresh++);
  }
  // What the backend answers to the frame the pipeline made: its source and destination
  // swapped (the template keeps the backend's port 80).
  static Client answer_to(const PacketBuffer& f, bool v6) {
    Client a;
    const uint8_t* ip = f.data + wire::kEthHeaderLen;
    const uint8_t* l4 = ip + (v6 ? wire::kIpv6HeaderLen : wire::kIpv4HeaderLen);
    a.address = v6 ? IpAddress::v6_from_wire(ip + 24) : IpAddress::v4_from_wire(ip + 16);
    a.to = v6 ? IpAddress::v6_from_wire(ip + 8) : IpAddress::v4_from_wire(ip + 12);
    a.to_port = uint16_t(l4[0] << 8 | l4[1]);
    return a;
  }

  void restore_burst() {
    Burst& burst = bursts[cur];
    if (kind == Kind::kConnections) {
      const bool answer = steps[step].answer;
      for (uint16_t i = 0; i < kBurst; ++i)
        burst.restore(i, step_templates[step], answer ? answers[i] : group[i]);
    } else if (cycle.empty()) {
      for (uint16_t i = 0; i < kBurst; ++i) burst.restore(i, tmpl, client(v6, fresh++));
    } else {
      for (uint16_t i = 0; i < kBurst; ++i) {
        burst.restore(i, tmpl, cycle[cursor]);
        if (++cursor == cycle.size()) cursor = 0;
      }
    }
  }
  void run_burst() {
    pipeline->process_burst(bursts[cur].frames, kBurst, 0, *state, now_ms, *result);
    if (kind == Kind::kNewFlows) ++now_ms;
    if (kind != Kind::kConnections) return;
    if (step == 0)
      for (uint16_t i = 0; i < kBurst; ++i) answers[i] = answer_to(bursts[cur].frames[i], v6);
    if (++step == steps.size()) {
      step = 0;
      start_group();
      ++now_ms;
    }
  }
  void run_burst_staged() {
    pipeline->begin_burst(*staged[cur], bursts[cur].frames, kBurst, 0);
    if (pending) pipeline->finish_burst(*staged[cur ^ 1], *state, now_ms, *result);
    pipeline->prefetch_flows(*staged[cur], *state, now_ms);
    pending = true;
    cur ^= 1;
    if (kind == Kind::kNewFlows) ++now_ms;
  }
  void finish_pending() {
    if (pending) pipeline->finish_burst(*staged[cur ^ 1], *state, now_ms, *result);
    pending = false;
  }
  // Sends `clients` through once as ACKs (established flows).
  void establish(const std::vector<Client>& clients) {
    const Template ack = make_template(v6, wire::kTcpAck);
    for (size_t base = 0; base + kBurst <= clients.size(); base += kBurst) {
      for (uint16_t i = 0; i < kBurst; ++i) bursts[0].restore(i, ack, clients[base + i]);
      pipeline->process_burst(bursts[0].frames, kBurst, 0, *state, now_ms, *result);
    }
  }
};

std::unique_ptr<Workload> make_workload(const Scenario& s) {
  auto w = std::make_unique<Workload>();
  w->name = s.workload_name();
  w->kind = s.kind;
  w->v6 = s.v6;
  const bool nat = config::is_nat(s.mode);
  const uint32_t table =
      (s.kind == Kind::kEstablished || s.kind == Kind::kNewFlows || s.kind == Kind::kConnections) &&
              !nat
          ? kLargeTable
          : kSmallTable;
  const config::Config c = make_config(s.mode, table);
  w->state = make_state(c);
  if (!w->state) {
    w->error = "snapshot build failed or a next hop is unresolved";
    return w;
  }
  w->pipeline = std::make_unique<Pipeline>(
      c.dataplane.flow_table_size, FlowTimeouts{}, *w->counters, FragmentSettings{}, 0,
      nat ? NatSetup{c.nat.table_size, c.nat.local_addresses, c.nat.port_min, c.nat.port_max}
          : NatSetup{});
  const bool syn = s.kind == Kind::kNewFlows || s.kind == Kind::kSynFlood;
  w->tmpl = make_template(s.v6, syn ? wire::kTcpSyn : wire::kTcpAck);

  switch (s.kind) {
    case Kind::kEstablished:
    case Kind::kAnswers: {
      const uint32_t flows = nat ? kNatConnections : kEstablishedFlows;
      std::vector<Client> clients;
      clients.reserve(flows);
      for (uint64_t n = 0; n < flows; ++n) clients.push_back(client(s.v6, scatter(n)));
      w->establish(clients);
      if (s.kind == Kind::kAnswers) {
        // Each connection's answer, as its backend sends it.
        clients.clear();
        w->pipeline->nat_connections().visit(
            0, w->pipeline->nat_connections().capacity(), w->now_ms,
            [&](const NatConnection& conn, uint32_t) {
              clients.push_back(
                  {conn.reply.src, conn.reply.src_port, conn.reply.dst, conn.reply.dst_port});
            });
        w->tmpl = make_answer_template(s.v6);
      }
      // Replay them in a random order (Fisher-Yates), every flow once per cycle.
      uint64_t r = 42;
      for (size_t i = clients.size() - 1; i > 0; --i) {
        r = splitmix64(r);
        std::swap(clients[i], clients[r % (i + 1)]);
      }
      w->cycle = std::move(clients);
      break;
    }
    case Kind::kSynFlood: {
      // Twice the capacity in established flows: every bucket ends up full of them.
      std::vector<Client> clients;
      for (uint64_t n = 0; n < 2 * uint64_t(w->pipeline->flows().capacity()); ++n)
        clients.push_back(client(s.v6, (uint64_t(1) << 39) + n));
      w->establish(clients);
      break;
    }
    case Kind::kHotFlow:
      w->cycle = {client(s.v6, 7)};
      w->establish(std::vector<Client>(kBurst, w->cycle[0]));
      break;
    case Kind::kNewFlows:
      break;
    case Kind::kConnections:
      if (nat)
        w->steps.assign(std::begin(kNatConnection), std::end(kNatConnection));
      else
        w->steps.assign(std::begin(kDsrConnection), std::end(kDsrConnection));
      for (const Step& step : w->steps)
        w->step_templates.push_back(step.answer ? make_answer_template(s.v6, step.tcp_flags)
                                                : make_template(s.v6, step.tcp_flags));
      w->start_group();
      break;
  }
  return w;
}

Workload& workload(const Scenario& s) {
  static std::unique_ptr<Workload> current;
  if (!current || current->name != s.workload_name()) {
    current.reset();  // free the old flow table before allocating the next
    current = make_workload(s);
  }
  return *current;
}

// This thread's CPU time: on a shared machine, time spent preempted is not the pipeline's.
uint64_t cpu_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return uint64_t(ts.tv_sec) * 1'000'000'000u + uint64_t(ts.tv_nsec);
}
double ns_since(uint64_t start) { return double(cpu_ns() - start); }

// CPU nanoseconds per packet of the restore alone, best of 5 runs of 2000 bursts.
double calibrate_restore(Workload& w) {
  double best = 1e9;
  for (int run = 0; run < 5; ++run) {
    const uint64_t start = cpu_ns();
    for (int i = 0; i < 2000; ++i) {
      w.restore_burst();
      benchmark::ClobberMemory();
    }
    best = std::min(best, ns_since(start) / (2000.0 * kBurst));
  }
  return best;
}

void run_pipeline(benchmark::State& bm, const Scenario& s) {
  Workload& w = workload(s);
  if (!w.error.empty()) {
    bm.SkipWithError(w.error.c_str());
    return;
  }
  const double restore_ns = calibrate_restore(w);
  // The events only: the whole struct (a counter per VIP and backend id) is megabytes.
  std::array<uint64_t, kWorkerCounterCount> before;
  std::copy(std::begin(w.counters->events), std::end(w.counters->events), before.begin());
  const FlowTableStats table_before = w.pipeline->flows().stats();
  w.pipeline->set_sync(s.sync ? SyncThreshold{true, 3, 1000, 15000} : SyncThreshold{});
  const uint64_t published_before = w.counters->sync[size_t(SyncCounter::published)];

  const uint64_t start = cpu_ns();
  if (s.staged) {
    for (auto _ : bm) {
      w.restore_burst();
      w.run_burst_staged();
      benchmark::DoNotOptimize(w.result->actions);
    }
    w.finish_pending();
  } else {
    for (auto _ : bm) {
      w.restore_burst();
      w.run_burst();
      benchmark::DoNotOptimize(w.result->actions);
    }
  }
  const double elapsed_ns = ns_since(start);

  const double packets = double(bm.iterations()) * kBurst;
  const WorkerCounters& after = *w.counters;
  auto delta = [&](WorkerCounter c) { return double(after[c] - before[size_t(c)]); };
  bm.SetItemsProcessed(int64_t(packets));
  bm.counters["ns_per_pkt"] = elapsed_ns / packets;
  bm.counters["restore_ns"] = restore_ns;
  bm.counters["pipeline_ns"] = elapsed_ns / packets - restore_ns;
  const double sent = delta(WorkerCounter::forwarded) + delta(WorkerCounter::nat_replies);
  bm.counters["forwarded"] = sent / packets;
  bm.counters["flow_hit"] = delta(WorkerCounter::flow_hits) / packets;
  bm.counters["flow_new"] = delta(WorkerCounter::flow_new) / packets;
  bm.counters["refused"] = delta(WorkerCounter::flow_insert_failures) / packets;
  bm.counters["evicted"] =
      double(w.pipeline->flows().stats().evictions - table_before.evictions) / packets;
  bm.counters["live_flows"] =
      double(w.pipeline->flows().size() + w.pipeline->nat_connections().size());
  bm.counters["published"] =
      double(w.counters->sync[size_t(SyncCounter::published)] - published_before) / packets;
  if (s.kind == Kind::kConnections)
    bm.counters["conns_per_s"] =
        1e9 / ((elapsed_ns / packets - restore_ns) * double(w.steps.size()));
  if (sent != packets) bm.SkipWithError("not every packet was forwarded: the workload is wrong");
}

// The restore alone, as the pipeline runs see it (template copy + client stamp).
void run_restore(benchmark::State& bm, bool v6, bool cycle_1m) {
  Workload w;
  w.v6 = v6;
  w.tmpl = make_template(v6, wire::kTcpAck);
  if (cycle_1m)
    for (uint64_t n = 0; n < kEstablishedFlows; ++n) w.cycle.push_back(client(v6, scatter(n)));
  const uint64_t start = cpu_ns();
  for (auto _ : bm) {
    w.restore_burst();
    benchmark::DoNotOptimize(w.bursts[0].frames);
    benchmark::ClobberMemory();
  }
  const double packets = double(bm.iterations()) * kBurst;
  bm.SetItemsProcessed(int64_t(packets));
  bm.counters["ns_per_pkt"] = ns_since(start) / packets;
}

void register_all() {
  const ForwardingMode modes[] = {ForwardingMode::kDsrL2, ForwardingMode::kIpip,
                                  ForwardingMode::kGue};
  std::vector<Scenario> scenarios;
  for (Kind k : {Kind::kEstablished, Kind::kNewFlows, Kind::kHotFlow})
    for (ForwardingMode m : modes)
      for (bool v6 : {false, true}) scenarios.push_back({k, m, v6});
  for (bool v6 : {false, true}) scenarios.push_back({Kind::kSynFlood, ForwardingMode::kDsrL2, v6});
  // NAT: the client direction and the answers, 1M connections.
  for (Kind k : {Kind::kEstablished, Kind::kAnswers})
    for (ForwardingMode m : {ForwardingMode::kNat, ForwardingMode::kFullNat})
      for (bool v6 : {false, true}) scenarios.push_back({k, m, v6});
  for (ForwardingMode m : {ForwardingMode::kDsrL2, ForwardingMode::kIpip, ForwardingMode::kGue,
                           ForwardingMode::kNat, ForwardingMode::kFullNat})
    for (bool v6 : {false, true}) scenarios.push_back({Kind::kConnections, m, v6});

  for (Scenario s : scenarios)
    for (bool staged : {false, true})
      for (bool sync : {false, true}) {
        s.staged = staged;
        s.sync = sync;
        if (sync && s.kind != Kind::kEstablished) continue;
        if (staged && s.kind == Kind::kConnections) continue;
        benchmark::RegisterBenchmark(s.name().c_str(), [s](benchmark::State& bm) {
          run_pipeline(bm, s);
        })->MinTime(1.0);
      }
  for (bool v6 : {false, true}) {
    const std::string family = v6 ? "ipv6" : "ipv4";
    benchmark::RegisterBenchmark(("Restore/fresh_clients/" + family).c_str(),
                                 [v6](benchmark::State& bm) { run_restore(bm, v6, false); });
    benchmark::RegisterBenchmark(("Restore/cycle_1M_clients/" + family).c_str(),
                                 [v6](benchmark::State& bm) { run_restore(bm, v6, true); });
  }
}

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  sluice::register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
