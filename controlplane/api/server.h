// SPDX-License-Identifier: BSD-3-Clause
// The runtime API's Unix stream socket server. Single-threaded and non-blocking: it owns
// an internal epoll set (the listening socket and every connection) and exposes that set
// as ONE pollable fd, so the daemon adds fd() to its own epoll loop for EPOLLIN and calls
// on_readable() whenever it fires. Every method must be called from that loop's thread;
// the Model is called from there too.
//
// Protocol: a client sends lines ('\n'-terminated; a trailing '\r' is ignored). Each line
// holds one or more ';'-separated commands; each command's answer ends with a blank line;
// an empty line answers nothing. `quit` closes the connection once its earlier answers
// are sent. A line longer than max_line bytes answers one error and is discarded. On EOF
// from the client a last unterminated line is still run and answered (socat, nc -N).
//
// A command answered later (trace, show conns: Reply::later) holds its connection's next
// commands, and its input, until the Model completes it; completion wakes the server
// through an eventfd in its epoll set, so the daemon's loop calls on_readable() again.
//
// Privilege: decided once per connection with SO_PEERCRED (privilege_for_peer): uid 0 or
// the daemon's own effective uid is admin, anyone else read. The socket file is created
// with `mode` (0660: owner and group may connect) and, when set, owned by `group`.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/command.h"
#include "api/dispatcher.h"
#include "api/model.h"
#include "api/privilege.h"
#include "net/unix_listener.h"

namespace sluice::api {

inline constexpr std::string_view kDefaultSocketPath = "/run/sluice/sluiced.sock";

struct ServerOptions {
  std::string path = std::string(kDefaultSocketPath);
  mode_t mode = 0660;
  std::optional<gid_t> group;       // chown the socket file to this group
  size_t max_line = kMaxLineBytes;  // bytes per line, without the '\n'
  // At max_clients a new read-level connection gets an error and is closed; a new admin
  // connection takes the place of the longest idle read-level one (or, when every one is
  // admin, of the longest idle), which is told why before it is closed.
  size_t max_clients = 32;
  size_t max_output = 4u << 20;  // queued answer bytes per client before its input waits
  // A connection that neither sent nor took any bytes for this long is closed (0: never).
  uint32_t idle_timeout_ms = 60'000;
};

class Server {
 public:
  Server(Model& model, ServerOptions options);
  ~Server();  // closes every connection; removes the socket file if it is still ours
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens on options.path (creating its directory if missing, replacing a
  // stale socket file, refusing if another process answers on it). The file appears
  // with its final mode and group. nullopt on success, else an error for the operator.
  std::optional<std::string> listen();

  // The fd to watch for EPOLLIN; valid from construction (-1 if epoll could not be
  // created, which listen() then reports).
  int fd() const { return epoll_fd_; }

  // Accepts, reads, runs and writes whatever is ready; never blocks.
  void on_readable();

  // Serves an already connected stream socket (e.g. one end of a socketpair) at `level`.
  // Takes ownership of `fd`; false (and `fd` closed) when it cannot be added.
  bool add_connection(int fd, Privilege level);

  size_t connection_count() const { return connections_.size(); }
  const ServerOptions& options() const { return options_; }

 private:
  struct Connection;

  void accept_all();
  // At max_clients: closes a connection to make room for an admin; false if none could go.
  bool make_room_for_admin();
  void close_idle_connections();
  void on_event(Connection& c, uint32_t events);
  void read_input(Connection& c);
  void run_lines(Connection& c);
  // Takes an Answer into the connection: its text, quit, or the reply it waits for.
  void take(Connection& c, Answer a);
  // Sends the answers that came later and runs the commands that waited for them.
  void resume(Connection& c);
  void progress(Connection& c);  // run, answer, send what it can, then finish()
  void wake();                   // a later reply came: on_readable() will resume it
  void flush(Connection& c);
  void finish(Connection& c);  // update interest or close after an event
  void close_connection(int fd);

  Model& model_;
  ServerOptions options_;
  int epoll_fd_ = -1;
  UnixListener listener_;
  int spare_fd_ = -1;  // kept open to shed a connection when the process is out of fds
  int timer_fd_ = -1;  // ticks in epoll_fd_ to close idle connections
  int wake_fd_ = -1;   // an eventfd in epoll_fd_: a later reply came
  uid_t own_uid_ = 0;
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
};

}  // namespace sluice::api
