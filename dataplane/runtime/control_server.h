// SPDX-License-Identifier: BSD-3-Clause
// The dataplane end of the sluiced channel: a non-blocking Unix stream socket polled by
// the main lcore between its other chores. Every decoded message goes to `handler`, whose
// answer is sent back. The socket file is never taken from a live dataplane nor made over
// a file that is not a socket (net/unix_listener.h). A client silent for kIdleTimeoutMs is
// closed, and when every slot is taken a new client replaces the longest silent one, so a
// restarted sluiced always gets in. Main lcore only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "channel/message.h"
#include "net/unix_listener.h"

namespace sluice {

class ControlServer {
 public:
  using Handler = std::function<channel::Message(const channel::Message&)>;

  ControlServer(std::string path, Handler handler);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  static constexpr size_t kMaxClients = 8;
  static constexpr uint64_t kIdleTimeoutMs = 30'000;  // sluiced asks for stats every second

  // Creates the socket (and its directory); false with `error` set when it cannot.
  bool listen(std::string& error);
  // Accepts, reads and answers whatever is ready; never blocks.
  void poll();
  size_t clients() const { return clients_.size(); }

 private:
  struct Client {
    int fd;
    channel::Decoder decoder;
    uint64_t active_ms;  // when it last sent bytes
  };
  bool serve(Client& client);  // false: close it

  std::string path_;
  Handler handler_;
  UnixListener listener_;
  std::vector<Client> clients_;
};

}  // namespace sluice
