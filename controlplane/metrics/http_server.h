// SPDX-License-Identifier: BSD-3-Clause
// A minimal HTTP/1.1 server for sluiced's metrics listener: GET/HEAD pages and one small
// POST, answered at once from the daemon's thread. Single-threaded and non-blocking, like
// api::Server: it owns an internal epoll set (the listening socket, every connection, a
// timer) and exposes it as ONE pollable fd, so the daemon adds fd() to its loop for
// EPOLLIN and calls on_readable() whenever it fires. Every method runs on that thread, and
// the handler is called there, once per request, never re-entered.
//
// What it guarantees whatever a client does:
//  * requests are parsed strictly (http_request.h); a refused one is answered with its
//    status (400, 408, 413, 414, 431, 501, 505) and a one-line reason, then closed;
//  * one request at a time per connection: the next is read only once the previous answer
//    is out (pipelined requests wait in order, keep-alive as HTTP/1.1 says);
//  * at most max_clients connections: one more is answered 503 and closed;
//  * a request must arrive whole within request_timeout_ms of its first byte (else 408),
//    an answer must be taken within write_timeout_ms of the last progress, a connection
//    idle between requests is closed after idle_timeout_ms;
//  * queued answers over every connection stay under max_output_bytes: above it a request
//    is answered 503 without calling the handler.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "metrics/http_request.h"
#include "net/ip_address.h"
#include "net/socket_address.h"

namespace sluice::metrics {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> fields;  // more header fields (Allow, ...)
};

// "OK", "Not Found", ...; "Unknown" for a status not used here.
std::string_view reason_phrase(int status);
// A text/plain answer with one line: `text` and '\n'.
HttpResponse text_response(int status, std::string_view text);

struct HttpServerOptions {
  SocketAddress listen;  // port 0: any free port (tests), see port()
  HttpLimits limits;
  size_t max_clients = 64;
  uint32_t request_timeout_ms = 10'000;
  uint32_t write_timeout_ms = 30'000;
  uint32_t idle_timeout_ms = 60'000;
  size_t max_output_bytes = 256u << 20;
};

class HttpServer {
 public:
  // Called with a parsed request and the client's address; HEAD is passed as it came, the
  // server leaves the body out of the answer.
  using Handler = std::function<HttpResponse(const HttpRequest&, const IpAddress& peer)>;

  HttpServer(HttpServerOptions options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens (SO_REUSEADDR; an IPv6 address listens on IPv6 only). nullopt on
  // success, else an error for the operator.
  std::optional<std::string> listen();
  int fd() const { return epoll_fd_; }
  uint16_t port() const { return port_; }  // the bound port, once listening

  // Accepts, reads, answers and writes whatever is ready, closes what timed out; never
  // blocks.
  void on_readable();

  size_t connection_count() const { return connections_.size(); }
  size_t queued_bytes() const { return queued_; }

 private:
  struct Connection;

  void accept_all();
  void on_event(Connection& c, uint32_t events);
  void read_input(Connection& c);
  void answer_requests(Connection& c);
  void queue(Connection& c, const HttpResponse& response, bool head, bool keep_alive);
  void flush(Connection& c);
  void finish(Connection& c);
  void check_deadlines();
  void close_connection(int fd);

  HttpServerOptions options_;
  Handler handler_;
  int epoll_fd_ = -1;
  int listen_fd_ = -1;
  int timer_fd_ = -1;
  int spare_fd_ = -1;
  uint16_t port_ = 0;
  size_t queued_ = 0;
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
};

}  // namespace sluice::metrics
