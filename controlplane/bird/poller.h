// SPDX-License-Identifier: BSD-3-Clause
// sluiced's reader of bird's state ([bgp] bird_socket, docs/bgp.md): one connection to
// bird's control socket, on which it asks `show protocols` every second and keeps the
// BGP and BFD protocols of the last answer, and says `configure` when asked to (bird
// reads its config again: the policy file sluiced wrote). Nothing blocks: the socket is
// non-blocking, the caller's epoll loop registers fd() for input and calls on_readable(), and calls
// tick() at least every few hundred ms to connect, ask, and give up on a bird that does
// not answer. A failure (no socket, refused, closed, no answer in time, not bird's
// protocol, an error answer) closes the connection; the next try waits 1 s, doubling up
// to 10 s, and a good answer starts the wait again at 1 s. Main loop only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bird/protocols.h"
#include "bird/reply.h"

namespace sluice::bird {

struct PollerOptions {
  uint64_t interval_ms = 1000;        // from one `show protocols` to the next
  uint64_t answer_timeout_ms = 5000;  // for the greeting and for each answer
  uint64_t retry_min_ms = 1000;
  uint64_t retry_max_ms = 10'000;
};

class Poller {
 public:
  explicit Poller(std::string socket_path, PollerOptions options = {});
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  // -1 while disconnected. A new connection may reuse the old fd number (which left the
  // caller's epoll set when it was closed): register fd() again whenever fd_changed().
  int fd() const { return fd_; }
  bool fd_changed() {
    bool changed = connection_ != registered_connection_;
    registered_connection_ = connection_;
    return changed;
  }
  void on_readable(uint64_t now_ms);
  void tick(uint64_t now_ms);

  const std::string& path() const { return path_; }
  // Connected, and the last answer was understood.
  bool reachable() const { return reachable_; }
  // Why not reachable: "connect: Connection refused", "no answer within 5 s", ...
  const std::string& error() const { return error_; }
  const std::string& version() const { return version_; }  // from bird's greeting
  std::optional<uint64_t> last_answer_ms() const { return last_answer_ms_; }
  // The last answer's protocols. While bird is not reachable: the same names, each with
  // state "unknown" and nothing else.
  const std::vector<ProtocolStatus>& protocols() const { return protocols_; }

  // `configure` is sent as soon as the connection is idle (after reconnecting, when bird
  // is not reachable now); requests made before it is sent are one `configure`.
  void request_configure(uint64_t now_ms);
  bool configure_pending() const { return configure_answered_ < configure_requested_; }
  struct ConfigureAnswer {
    uint64_t number = 0;  // 1 for the first answer, +1 per answer
    bool accepted = false;
    // bird's last line: "0003 Reconfigured", "8002 /run/sluice/bird-vips.conf:3:20 syntax
    // error, unexpected ';'", ...
    std::string line;
    uint64_t at_ms = 0;
  };
  // The answer to the last `configure` sent (nullopt before the first).
  const std::optional<ConfigureAnswer>& configure_answer() const { return configure_answer_; }

 private:
  enum class Phase : uint8_t { kDisconnected, kGreeting, kIdle, kAsked, kConfiguring };

  void connect(uint64_t now_ms);
  void ask(uint64_t now_ms);
  void send_configure(uint64_t now_ms);
  bool send_command(std::string_view command, Phase waiting, uint64_t now_ms);
  void take(const Reply& reply, uint64_t now_ms);
  void fail(std::string why, uint64_t now_ms);

  std::string path_;
  PollerOptions options_;
  int fd_ = -1;
  uint64_t connection_ = 0;  // +1 per successful connect
  uint64_t registered_connection_ = 0;
  Phase phase_ = Phase::kDisconnected;
  ReplyReader reader_;
  uint64_t next_connect_ms_ = 0;
  uint64_t retry_ms_;
  uint64_t next_ask_ms_ = 0;
  uint64_t deadline_ms_ = 0;  // for the greeting or the answer

  bool reachable_ = false;
  std::string error_ = "not asked yet";
  std::string version_;
  std::optional<uint64_t> last_answer_ms_;
  std::vector<ProtocolStatus> protocols_;

  uint64_t configure_requested_ = 0;  // +1 per request_configure()
  uint64_t configure_sent_ = 0;       // the request the `configure` in flight answers
  uint64_t configure_answered_ = 0;
  std::optional<ConfigureAnswer> configure_answer_;
};

}  // namespace sluice::bird
