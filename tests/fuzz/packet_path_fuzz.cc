// SPDX-License-Identifier: BSD-3-Clause
// Fuzz target: any bytes as a received frame, through the whole packet path
// (Pipeline::process_burst) of a snapshot with a VIP in every forwarding mode and family,
// static neighbors and gateways, so that parsing, VIP match, the flow table, Maglev, the
// encapsulations, ARP/ND/echo answers and ICMP error routing all see it.
//
// Input: one control byte (the frame's headroom and tailroom, so the rewrites meet both
// enough and too little room), then the frame. The frame sits in a buffer of exactly
// headroom + length + tailroom bytes: a read or write outside it is a sanitizer error.
// The same bytes go through twice in one burst, and both copies must come out the same
// (same action, same output frame): the second copy is the first one's flow coming back.
// Buffers never change size, and each frame ends in exactly one outcome counter
// (pipeline/counters.h), a fragment held for its first one included once let go after
// the input. Any violation aborts.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "config/config_loader.h"
#include "pipeline/pipeline.h"
#include "state/state_builder.h"

namespace sluice {
namespace {

constexpr std::string_view kConfig = R"(
[[port]]
name = "lan0"
device = "net_null0"
addresses = ["10.0.0.10/24", "2001:db8::10/64"]
mac = "02:00:00:00:00:10"
gateway = "10.0.0.1"
gateway6 = "2001:db8::1"

[[neighbor]]
address = "10.0.0.1"
mac = "02:00:00:00:00:01"
[[neighbor]]
address = "2001:db8::1"
mac = "02:00:00:00:00:02"
[[neighbor]]
address = "10.0.0.21"
mac = "02:00:00:00:00:21"
[[neighbor]]
address = "2001:db8::21"
mac = "02:00:00:00:0a:21"

[[vip]]
name = "web4"
address = "10.0.0.100"
protocol = "tcp"
port = 80
mode = "dsr-l2"
  [[vip.backend]]
  address = "10.0.0.21"

[[vip]]
name = "udp4"
address = "10.0.0.100"
protocol = "udp"
port = 0
mode = "ipip"
encap_source = "172.16.0.0/16"
encap_source6 = "2001:db8:fffe::/64"
  [[vip.backend]]
  address = "10.0.0.21"
  [[vip.backend]]
  address = "2001:db8::21"

[[vip]]
name = "web6"
address = "2001:db8::100"
protocol = "tcp"
port = 0
mode = "gue"
encap_source6 = "2001:db8:ffff::/64"
  [[vip.backend]]
  address = "2001:db8::21"

[[vip]]
name = "udp6"
address = "2001:db8::100"
protocol = "udp"
port = 53
mode = "ipip"
encap_source6 = "2001:db8:ffff::/64"
  [[vip.backend]]
  address = "2001:db8::21"
)";

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "packet_path_fuzz: %s\n", what);
  std::abort();
}

struct PacketPath {
  std::unique_ptr<WorkerCounters> counters = std::make_unique<WorkerCounters>();
  Pipeline pipeline{1 << 12, FlowTimeouts{}, *counters};
  StateBuilder builder{900'000};
  NeighborCache neighbors;
  std::unique_ptr<ForwardingState> state;
  uint32_t now_ms = 1000;

  PacketPath() {
    config::LoadResult loaded = config::parse_config(kConfig, "packet_path_fuzz");
    if (!loaded.config) fail(loaded.errors.front().to_string().c_str());
    const config::Config& c = *loaded.config;
    neighbors.configure(StateBuilder::next_hops(c), StateBuilder::static_neighbors(c));
    std::vector<std::string> errors;
    state = builder.build(c, {MacAddress{{0x02, 0, 0, 0, 0, 0x10}}}, neighbors, 1, now_ms, errors);
    if (!errors.empty()) fail(errors.front().c_str());
  }
};

// A copy of `frame` in a buffer of exactly the room it is given.
struct ExactBuffer {
  std::unique_ptr<uint8_t[]> bytes;
  PacketBuffer buffer;
  ExactBuffer(const uint8_t* frame, uint32_t length, uint32_t headroom, uint32_t tailroom)
      : bytes(new uint8_t[headroom + length + tailroom]) {
    std::memcpy(bytes.get() + headroom, frame, length);
    buffer = PacketBuffer{bytes.get() + headroom, length, headroom, tailroom};
  }
  uint32_t size() const { return buffer.headroom + buffer.length + buffer.tailroom; }
};

}  // namespace
}  // namespace sluice

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  static PacketPath path;
  if (size < 1 || size > 9001) return 0;
  const uint32_t headroom = (data[0] & 0x3) * 32u;  // 0, 32 (an IPv6 outer header short), 64, 96
  const uint32_t tailroom = ((data[0] >> 2) & 0x3) * 40u;
  const uint32_t length = uint32_t(size - 1);
  ExactBuffer first(data + 1, length, headroom, tailroom);
  ExactBuffer second(data + 1, length, headroom, tailroom);
  PacketBuffer frames[2] = {first.buffer, second.buffer};

  static BurstResult result;
  const uint64_t received = path.counters->events[size_t(WorkerCounter::rx_packets)];
  const uint64_t outcomes = outcome_total(*path.counters);
  path.now_ms += 7;
  path.pipeline.process_burst(frames, 2, 0, *path.state, path.now_ms, result);

  if (path.counters->events[size_t(WorkerCounter::rx_packets)] != received + 2)
    fail("rx_packets did not count both frames");
  // A held fragment points into this input's buffers: it ends now, its time up.
  const uint16_t held =
      uint16_t((result.actions[0] == Action::kHold) + (result.actions[1] == Action::kHold));
  if (held) {
    path.now_ms += FragmentSettings{}.hold_ms + 1;
    path.pipeline.expire_fragments(path.now_ms, result);
    if (result.to_free_count != held) fail("a held fragment did not time out");
  }
  if (outcome_total(*path.counters) != outcomes + 2)
    fail("the two frames did not end in exactly two outcome counters");
  const ExactBuffer* buffers[2] = {&first, &second};
  for (int i = 0; i < 2; ++i) {
    const PacketBuffer& f = frames[i];
    if (f.data != buffers[i]->bytes.get() + f.headroom ||
        f.headroom + f.length + f.tailroom != buffers[i]->size())
      fail("a frame left its buffer");
  }
  if (result.actions[0] != result.actions[1]) fail("the two copies got different actions");
  if (result.actions[0] == Action::kTransmit &&
      (frames[0].length != frames[1].length ||
       std::memcmp(frames[0].data, frames[1].data, frames[0].length) != 0))
    fail("the two copies were sent differently");
  return 0;
}
