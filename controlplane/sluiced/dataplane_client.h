// SPDX-License-Identifier: BSD-3-Clause
// sluiced's end of the dataplane channel: keeps a connection to the dataplane's control
// socket (reconnecting every second while it is away), sends the whole desired state on
// every (re)connection and whenever it changes, and polls the dataplane's counters. Driven
// by the daemon's epoll loop: fd() is registered for input, on_readable() and tick() are
// called from the loop. Main loop only.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "channel/message.h"
#include "channel/stats.h"
#include "sluiced/flood_watch.h"

namespace sluice::sluiced {

class DataplaneClient {
 public:
  explicit DataplaneClient(std::string socket_path) : path_(std::move(socket_path)) {}
  ~DataplaneClient();
  DataplaneClient(const DataplaneClient&) = delete;
  DataplaneClient& operator=(const DataplaneClient&) = delete;

  // -1 while disconnected. Each reconnection is a new socket, often with the same fd
  // number as the closed one (which left the caller's epoll set when it was closed):
  // register fd() again whenever fd_changed() says so.
  int fd() const { return fd_; }
  bool fd_changed() {
    bool changed = connection_ != registered_connection_;
    registered_connection_ = connection_;
    return changed;
  }
  bool connected() const { return fd_ >= 0; }
  // +1 per successful connect (0 before the first); with stats_connection(), whether the
  // counters in last_stats() came from the dataplane connected now.
  uint64_t connection() const { return connection_; }
  uint64_t stats_connection() const { return stats_connection_; }

  // The state to keep in the dataplane (TOML [[vip]] tables). Sent now if connected and
  // different from what the dataplane last acknowledged.
  void set_desired_state(std::string toml);
  void on_readable(uint64_t now_ms);
  // Asks the dataplane for a gratuitous ARP / unsolicited NA burst for these VIPs.
  void announce(const std::vector<std::string>& vip_names);
  // Asks the dataplane a question (kTrace, kConns). `done` is called once, from
  // on_readable() or tick() or at once: with the dataplane's answer, or with none and why
  // (not connected, the channel closed, no answer within kAskTimeoutMs).
  static constexpr uint64_t kAskTimeoutMs = 15'000;
  using Answer = std::function<void(const channel::Message* answer, const std::string& why)>;
  void ask(channel::MessageType type, const std::string& payload, uint64_t now_ms, Answer done);
  // Reconnects, resends, asks for stats; call at least every few hundred ms.
  void tick(uint64_t now_ms);

  std::optional<uint64_t> last_ack_ms() const { return last_ack_ms_; }
  // The dataplane's counters as it last answered them; nullopt before the first answer
  // and after one that did not decode (logged).
  const std::optional<channel::Stats>& last_stats() const { return stats_; }
  // Each VIP's new-flow rates and SYN floods, from the counters as they came.
  const FloodWatch& floods() const { return floods_; }
  const std::string& last_error() const { return last_error_; }
  uint64_t applied_generation() const { return applied_generation_; }

  // Whether the dataplane runs the desired state. A refused state stays refused (the
  // dataplane keeps its previous one) until the dataplane takes it, on a retry every 10 s
  // or as part of a newer desired state.
  enum class Sync { kDisconnected, kPending, kInSync, kRefused };
  Sync sync() const;
  // The dataplane's reason for the last refusal, while kRefused; its lines as sent.
  const std::string& refusal() const { return refusal_; }

 private:
  void connect(uint64_t now_ms);
  void disconnect(const std::string& why);
  // Every message sent is answered once, in order: `done` (a question's) gets its answer.
  void send(channel::MessageType type, const std::string& payload, Answer done = nullptr,
            uint64_t deadline_ms = 0);
  bool should_send(uint64_t now_ms) const;
  void send_desired();

  std::string path_;
  int fd_ = -1;
  uint64_t connection_ = 0;  // +1 per successful connect
  uint64_t registered_connection_ = 0;
  channel::Decoder decoder_;
  std::string desired_;
  std::string acknowledged_;  // the desired state the dataplane last applied
  std::string in_flight_;     // sent, not answered yet
  std::string refused_;       // the desired state the dataplane last refused
  std::string refusal_;       // and why
  uint64_t retry_refused_ms_ = 0;
  uint64_t next_connect_ms_ = 0;
  uint64_t next_stats_ms_ = 0;
  std::optional<uint64_t> last_ack_ms_;
  uint64_t applied_generation_ = 0;
  std::optional<channel::Stats> stats_;
  uint64_t stats_connection_ = 0;
  FloodWatch floods_;
  std::string stats_error_;  // the last decoding error, logged once
  std::string last_error_;
  // What was sent and not answered yet, oldest first: each answer is the oldest's.
  struct Outstanding {
    bool question = false;
    Answer done;  // a question's; emptied once called (then its answer is dropped)
    uint64_t deadline_ms = 0;
  };
  std::deque<Outstanding> outstanding_;
};

}  // namespace sluice::sluiced
