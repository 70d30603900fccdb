// SPDX-License-Identifier: BSD-3-Clause
// Fuzz target: the bytes the control plane takes from outside, each through its decoder.
// The first input byte picks the decoder and its context, the rest is the input:
//   0  a VRRP message (vrrp::decode) as received over IPv4 or IPv6, TTL 255 or not
//   1  a health check's HTTP status line (health::parse_status_line)
//   2  a byte stream on the dataplane's control channel (channel::Decoder), fed in two
//      pieces split where the selector says; the payload of every kStats message in it
//      through channel::decode_stats, which must take exactly what encode_stats gives back,
//      and of every kTrace, kTraceResult, kConns and kConnsResult through its decoder,
//      whose result must encode to text that decodes to it again
//   3  a desired-state update from sluiced (config::parse_vip_update) against a base
//      config with a port, neighbors and a VIP
// Nothing is checked beyond memory safety and the decoders' own contracts: every error
// has a text, and the channel decoder never returns a message longer than its input.
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "channel/conns.h"
#include "channel/message.h"
#include "channel/stats.h"
#include "channel/trace.h"
#include "config/config_loader.h"
#include "health/http_message.h"
#include "vrrp/packet.h"

namespace sluice {
namespace {

constexpr std::string_view kBaseConfig = R"(
[[port]]
name = "lan0"
device = "net_null0"
addresses = ["10.0.0.10/24", "2001:db8::10/64"]
[[neighbor]]
address = "10.0.0.21"
mac = "02:00:00:00:00:21"
[[vip]]
name = "www"
address = "10.0.0.100"
protocol = "tcp"
port = 80
mode = "dsr-l2"
  [[vip.backend]]
  address = "10.0.0.21"
)";

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "control_inputs_fuzz: %s\n", what);
  std::abort();
}

void vrrp_message(uint8_t selector, std::span<const uint8_t> bytes) {
  vrrp::ReceivedIp ip;
  const bool v6 = selector & 0x4;
  ip.source = *IpAddress::parse(v6 ? "fe80::1" : "10.0.0.2");
  ip.destination = *IpAddress::parse(v6 ? "ff02::12" : "224.0.0.18");
  if (selector & 0x8) ip.ttl = 64;
  const vrrp::DecodeResult r = vrrp::decode(bytes, ip);
  if (r.text().empty()) fail("a VRRP decode result without text");
}

void stats_payload(std::string_view payload) {
  std::string error;
  const std::optional<channel::Stats> stats = channel::decode_stats(payload, error);
  if (!stats) {
    if (error.empty()) fail("a stats decode error without text");
    return;
  }
  if (channel::encode_stats(*stats) != payload) fail("decoded stats do not encode back the same");
}

// A question's or answer's payload (channel/trace.h, channel/conns.h): decoded, encoded,
// decoded again to the same.
template <typename Decoded>
void text_payload(std::string_view payload,
                  std::optional<Decoded> (*decode)(std::string_view, std::string&),
                  std::string (*encode)(const Decoded&)) {
  std::string error;
  const std::optional<Decoded> decoded = decode(payload, error);
  if (!decoded) {
    if (error.empty()) fail("a trace or conns decode error without text");
    return;
  }
  if (decode(encode(*decoded), error) != decoded) fail("a trace or conns payload's round trip");
}

void channel_stream(uint8_t selector, std::string_view bytes) {
  channel::Decoder decoder;
  const size_t split = (selector >> 2) % (bytes.size() + 1);
  channel::Message message;
  std::string error;
  size_t payload_bytes = 0;
  for (std::string_view piece : {bytes.substr(0, split), bytes.substr(split)}) {
    decoder.feed(piece.data(), piece.size());
    channel::Decoder::Status status;
    while ((status = decoder.next(message, error)) == channel::Decoder::Status::kMessage) {
      payload_bytes += message.payload.size();
      switch (message.type) {
        case channel::MessageType::kStats:
          stats_payload(message.payload);
          break;
        case channel::MessageType::kTrace:
          text_payload(message.payload, channel::decode_trace_request,
                       channel::encode_trace_request);
          break;
        case channel::MessageType::kTraceResult:
          text_payload(message.payload, channel::decode_trace_result, channel::encode_trace_result);
          break;
        case channel::MessageType::kConns:
          text_payload(message.payload, channel::decode_conns_request,
                       channel::encode_conns_request);
          break;
        case channel::MessageType::kConnsResult:
          text_payload(message.payload, channel::decode_conns_result, channel::encode_conns_result);
          break;
        default:
          break;
      }
    }
    if (status == channel::Decoder::Status::kError) {
      if (error.empty()) fail("a channel error without text");
      break;
    }
  }
  if (payload_bytes > bytes.size()) fail("channel payloads longer than the stream");
}

void vip_update(std::string_view text) {
  static const config::Config base = [] {
    config::LoadResult r = config::parse_config(kBaseConfig, "base");
    if (!r.config) fail("the base config does not load");
    return *r.config;
  }();
  const config::LoadResult r = config::parse_vip_update(text, "update", base);
  if (r.config.has_value() == !r.errors.empty()) fail("an update both loaded and failed");
  for (const config::ConfigError& e : r.errors)
    if (e.message.empty()) fail("a config error without text");
}

}  // namespace
}  // namespace sluice

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  if (size < 1) return 0;
  const uint8_t selector = data[0];
  const std::span<const uint8_t> bytes(data + 1, size - 1);
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  switch (selector & 0x3) {
    case 0:
      vrrp_message(selector, bytes);
      break;
    case 1:
      (void)health::parse_status_line(text);
      break;
    case 2:
      channel_stream(selector, text);
      break;
    case 3:
      vip_update(text);
      break;
  }
  return 0;
}
