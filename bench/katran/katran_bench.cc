// SPDX-License-Identifier: BSD-3-Clause
// Katran's XDP balancer per packet, for the side-by-side of bench/RESULTS.md: the
// balancer_ingress program of a balancer.bpf.o built from a Katran checkout
// (bench/katran_compare.sh builds it; nothing of Katran is in this tree) run by the kernel
// under BPF_PROG_TEST_RUN, on the workload pipeline_bench gives sluice: one VIP
// 10.0.0.100:80/tcp with 100 backends, TCP/IPv4 frames of 60 bytes.
//
//   HotFlow        one flow, 1M times
//   Established1M  1M flows already in the LRU (a first pass put them there), each packet
//                  once in a random order
//   NewFlows       SYNs of 1M tuples never seen
// One call a packet: with `repeat` the kernel runs the program again on the frame it has
// just encapsulated (which Katran then passes to the stack as not a VIP's). A call is timed
// by the kernel around the program alone (the duration it reports); the same calls of an
// empty XDP program are measured the same way and subtracted.
// Katran takes a new flow above MAX_CONN_RATE a second per CPU as a flood and stops
// remembering flows: NewFlows reports how many of its packets were under it.
//
//   katran_bench BALANCER_BPF_O [CPU]      (as root; run it pinned to CPU)
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

// Katran's map layouts (katran/lib/bpf/balancer_structs.h), declared here to fill them.
struct VipDefinition {
  uint32_t address[4];  // network order; IPv4 in [0]
  uint16_t port;        // network order
  uint8_t protocol;
  uint8_t pad = 0;
};
static_assert(sizeof(VipDefinition) == 20);
struct VipMeta {
  uint32_t flags;
  uint32_t vip_num;
};
struct RealDefinition {
  uint32_t address[4];
  uint8_t flags;
  uint8_t pad[3] = {};
};
static_assert(sizeof(RealDefinition) == 20);
constexpr uint32_t kRingSize = 65537;  // Katran's RING_SIZE
constexpr uint32_t kBackends = 100;
constexpr uint32_t kFlows = 1u << 20;
constexpr uint32_t kLruEntries = 4u << 20;
constexpr uint32_t kFlowKeySize = 40, kLruValueSize = 16;

uint32_t be32(uint32_t v) { return __builtin_bswap32(v); }
uint16_t be16(uint16_t v) { return __builtin_bswap16(v); }

// Ethernet / IPv4 / TCP, 60 bytes, client 11.x.y.z:port -> 10.0.0.100:80.
std::vector<uint8_t> frame(uint32_t client, uint16_t port, uint8_t tcp_flags) {
  std::vector<uint8_t> f(60, 0);
  const uint8_t dst_mac[6] = {2, 0, 0, 0, 0, 0x10}, src_mac[6] = {2, 0, 0, 0, 0, 1};
  std::memcpy(f.data(), dst_mac, 6);
  std::memcpy(f.data() + 6, src_mac, 6);
  f[12] = 0x08;
  uint8_t* ip = f.data() + 14;
  ip[0] = 0x45;
  ip[3] = 40;  // total length
  ip[8] = 64;
  ip[9] = 6;
  const uint32_t src = be32(0x0b000000u | client), dst = be32(0x0a000064u);
  std::memcpy(ip + 12, &src, 4);
  std::memcpy(ip + 16, &dst, 4);
  uint32_t sum = 0;
  for (int i = 0; i < 20; i += 2) sum += uint32_t(ip[i] << 8 | ip[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  ip[10] = uint8_t(~sum >> 8);
  ip[11] = uint8_t(~sum);
  uint8_t* tcp = ip + 20;
  tcp[0] = uint8_t(port >> 8);
  tcp[1] = uint8_t(port);
  tcp[3] = 80;
  tcp[12] = 0x50;
  tcp[13] = tcp_flags;
  return f;
}

struct Run {
  int prog = -1;
  std::vector<uint8_t> out = std::vector<uint8_t>(256);
  // The kernel's duration of one call (ns per repetition) and its XDP action.
  bool call(std::vector<uint8_t>& in, uint32_t repeat, uint32_t& duration, uint32_t& action) {
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in.data(), .data_out = out.data(),
                .data_size_in = uint32_t(in.size()), .data_size_out = uint32_t(out.size()),
                .repeat = int(repeat));
    if (bpf_prog_test_run_opts(prog, &opts) != 0) return false;
    duration = opts.duration;
    action = opts.retval;
    return true;
  }
};

int empty_program() {
  bpf_insn insns[2] = {};
  insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
  insns[0].dst_reg = BPF_REG_0;
  insns[0].imm = XDP_PASS;
  insns[1].code = BPF_JMP | BPF_EXIT;
  return bpf_prog_load(BPF_PROG_TYPE_XDP, "empty", "GPL", insns, 2, nullptr);
}

int map_fd(bpf_object* obj, const char* name) {
  bpf_map* m = bpf_object__find_map_by_name(obj, name);
  return m ? bpf_map__fd(m) : -1;
}

bool fill_maps(bpf_object* obj, uint32_t cpu) {
  const int vips = map_fd(obj, "vip_map"), reals = map_fd(obj, "reals"),
            rings = map_fd(obj, "ch_rings"), ctl = map_fd(obj, "ctl_array"),
            lru_mapping = map_fd(obj, "lru_mapping");
  if (vips < 0 || reals < 0 || rings < 0 || ctl < 0 || lru_mapping < 0) return false;
  VipDefinition vip{{be32(0x0a000064u), 0, 0, 0}, be16(80), 6};
  VipMeta meta{0, 0};
  if (bpf_map_update_elem(vips, &vip, &meta, BPF_ANY)) return false;
  for (uint32_t i = 1; i <= kBackends; ++i) {
    RealDefinition real{{be32(0x0a000100u + i), 0, 0, 0}, 0};
    if (bpf_map_update_elem(reals, &i, &real, BPF_ANY)) return false;
  }
  for (uint32_t slot = 0; slot < kRingSize; ++slot) {
    const uint32_t real = 1 + slot % kBackends;
    if (bpf_map_update_elem(rings, &slot, &real, BPF_ANY)) return false;
  }
  const uint32_t mac_position = 0;
  uint64_t router_mac = 0;
  const uint8_t mac[6] = {2, 0, 0, 0, 0, 0xfe};
  std::memcpy(&router_mac, mac, 6);
  if (bpf_map_update_elem(ctl, &mac_position, &router_mac, BPF_ANY)) return false;
  // This CPU's flow table, as Katran's user space makes one per CPU.
  const int lru = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "bench_lru", kFlowKeySize, kLruValueSize,
                                 kLruEntries, nullptr);
  return lru >= 0 && bpf_map_update_elem(lru_mapping, &cpu, &lru, BPF_ANY) == 0;
}

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Mean kernel duration of one call per packet of `flows` (client numbers), and how many of
// the calls gave `expected`.
double per_call(Run& run, const std::vector<uint32_t>& flows, uint8_t tcp_flags, uint32_t expected,
                uint64_t& as_expected) {
  uint64_t total = 0;
  as_expected = 0;
  std::vector<uint8_t> f;
  for (uint32_t n : flows) {
    f = frame(n >> 16, uint16_t(n), tcp_flags);
    uint32_t duration = 0, action = 0;
    if (!run.call(f, 1, duration, action)) return -1;
    total += duration;
    as_expected += action == expected;
  }
  return double(total) / double(flows.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: katran_bench BALANCER_BPF_O [CPU]\n");
    return 2;
  }
  const uint32_t cpu = argc > 2 ? uint32_t(std::stoul(argv[2])) : 0;
  libbpf_set_print(nullptr);
  bpf_object* obj = bpf_object__open_file(argv[1], nullptr);
  if (!obj || bpf_object__load(obj)) {
    std::fprintf(stderr, "katran_bench: cannot load %s\n", argv[1]);
    return 1;
  }
  bpf_program* prog = bpf_object__find_program_by_name(obj, "balancer_ingress");
  if (!prog || !fill_maps(obj, cpu)) {
    std::fprintf(stderr, "katran_bench: %s is not Katran's balancer as expected\n", argv[1]);
    return 1;
  }
  Run katran{bpf_program__fd(prog)}, empty{empty_program()};
  if (empty.prog < 0) {
    std::fprintf(stderr, "katran_bench: cannot load an empty XDP program\n");
    return 1;
  }

  // HotFlow: one flow over and over.
  const std::vector<uint32_t> hot(kFlows, 7);
  uint64_t hot_sent = 0, hot_passed = 0;
  const double hot_ns = per_call(katran, hot, 0x10, XDP_TX, hot_sent);
  const double empty_hot_ns = per_call(empty, hot, 0x10, XDP_PASS, hot_passed);

  // Established1M: every flow in the LRU, then each once in a random order.
  std::vector<uint32_t> flows(kFlows);
  for (uint32_t n = 0; n < kFlows; ++n) flows[n] = n;
  uint64_t sent = 0;
  if (per_call(katran, flows, 0x10, XDP_TX, sent) < 0) return 1;
  uint64_t r = 42;
  for (size_t i = flows.size() - 1; i > 0; --i) {
    r = splitmix64(r);
    std::swap(flows[i], flows[r % (i + 1)]);
  }
  const double established = per_call(katran, flows, 0x10, XDP_TX, sent);
  uint64_t passed = 0;
  const double empty_call = per_call(empty, flows, 0x10, XDP_PASS, passed);

  // NewFlows: SYNs from clients not seen yet.
  std::vector<uint32_t> fresh(kFlows);
  for (uint32_t n = 0; n < kFlows; ++n) fresh[n] = kFlows * 4 + n;
  uint64_t syn_sent = 0;
  const double new_flows = per_call(katran, fresh, 0x02, XDP_TX, syn_sent);

  std::printf("katran balancer_ingress under BPF_PROG_TEST_RUN, cpu %u, ns per packet\n", cpu);
  std::printf("HotFlow        %7.1f  (call %.1f - empty call %.1f; %llu of %u sent)\n",
              hot_ns - empty_hot_ns, hot_ns, empty_hot_ns, (unsigned long long)hot_sent, kFlows);
  std::printf("Established1M  %7.1f  (call %.1f - empty call %.1f; %llu of %u sent)\n",
              established - empty_call, established, empty_call, (unsigned long long)sent, kFlows);
  std::printf("NewFlows       %7.1f  (call %.1f - empty call %.1f; %llu of %u sent)\n",
              new_flows - empty_call, new_flows, empty_call, (unsigned long long)syn_sent, kFlows);
  bpf_object__close(obj);
  return 0;
}
