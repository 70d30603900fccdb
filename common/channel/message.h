// SPDX-License-Identifier: BSD-3-Clause
// The versioned framing between sluiced and sluice-dataplane over a Unix stream socket.
// Each message is a 12-byte header (magic "SLC1", version, type, payload length; network
// order) and a payload. Desired state travels as a TOML document of [[vip]] tables (the
// config syntax, validated by the same loader); the counters in the binary encoding of
// channel/stats.h; other answers are lines of text. Whole snapshots, never deltas: either
// side can restart and resync by sending the next one. Pure; any thread.
//
// Versions: 1 had kStats as text lines; 2 has channel/stats.h; 3 adds each VIP's
// syns_not_admitted to it; 4 each worker's load and flow table. A message of another version is
// refused at its header: the receiver logs both versions and disconnects. kTrace and kConns came
// within version 2: a dataplane without them answers kStateRejected "unknown message type", which
// sluiced passes on as the answer.
//
// Each message sluiced sends is answered by exactly one message, in the order sent; an
// answer may wait for the workers (kTrace, kConns) and the answers after it wait too.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::channel {

inline constexpr uint32_t kMagic = 0x534c4331;  // "SLC1"
inline constexpr uint16_t kVersion = 4;
inline constexpr uint32_t kHeaderSize = 12;
inline constexpr uint32_t kMaxPayload = 64u << 20;  // config/node_limits.h kMaxConfigBytes

enum class MessageType : uint16_t {
  kDesiredState = 1,   // sluiced -> dataplane: TOML [[vip]] tables, the complete set
  kStateApplied = 2,   // dataplane -> sluiced: "generation N"
  kStateRejected = 3,  // dataplane -> sluiced: the validation errors, one per line
  kGetStats = 4,       // sluiced -> dataplane: empty
  kStats = 5,          // dataplane -> sluiced: the counters, channel/stats.h
  kAnnounce = 6,       // sluiced -> dataplane: VIP names, one per line (none = every
                       // active VIP): send one gratuitous ARP / unsolicited NA round now;
                       // answered with kStateApplied "announced N"
  kTrace = 7,          // sluiced -> dataplane: a packet to explain, channel/trace.h
  kTraceResult = 8,    // dataplane -> sluiced: what the packet path would do with it
  kConns = 9,          // sluiced -> dataplane: a VIP whose flows to sample, channel/conns.h
  kConnsResult = 10,   // dataplane -> sluiced: the sample
};

struct Message {
  MessageType type = MessageType::kGetStats;
  std::string payload;
};

std::string encode(MessageType type, std::string_view payload);

// Reassembles messages from a byte stream.
class Decoder {
 public:
  enum class Status { kNeedMore, kMessage, kError };
  void feed(const char* data, size_t length) { buffer_.append(data, length); }
  // kMessage fills `out`; kError (bad magic, version or length) fills `error` and the
  // connection should be closed.
  Status next(Message& out, std::string& error);

 private:
  std::string buffer_;
};

}  // namespace sluice::channel
