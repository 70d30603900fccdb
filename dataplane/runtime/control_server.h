// SPDX-License-Identifier: BSD-3-Clause
// The dataplane end of the sluiced channel: a non-blocking Unix stream socket polled by
// the main lcore between its other chores. Every decoded message goes to `handler`, whose
// answer is sent back. Main lcore only.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "channel/message.h"

namespace sluice {

class ControlServer {
 public:
  using Handler = std::function<channel::Message(const channel::Message&)>;

  ControlServer(std::string path, Handler handler);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Creates the socket (and its directory); false with `error` set when it cannot.
  bool listen(std::string& error);
  // Accepts, reads and answers whatever is ready; never blocks.
  void poll();
  size_t clients() const { return clients_.size(); }

 private:
  struct Client {
    int fd;
    channel::Decoder decoder;
  };
  bool serve(Client& client);  // false: close it

  std::string path_;
  Handler handler_;
  int listen_fd_ = -1;
  std::vector<Client> clients_;
};

}  // namespace sluice
