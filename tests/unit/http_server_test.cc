// SPDX-License-Identifier: BSD-3-Clause
// The metrics listener's HTTP server (http_server.h) over real TCP sockets on loopback:
// exact answers, keep-alive and close, pipelining, refusals, and every limit a client can
// run into (slow request, idle, too many connections, answers not taken, output budget).
#include "metrics/http_server.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>

namespace sluice::metrics {
namespace {

using Clock = std::chrono::steady_clock;

HttpServerOptions options() {
  HttpServerOptions o;
  o.listen = {*IpAddress::parse("127.0.0.1"), 0};
  o.limits = {.max_header_bytes = 512, .max_fields = 8, .max_body_bytes = 64};
  return o;
}

class Harness {
 public:
  explicit Harness(HttpServerOptions o = options())
      : server(o, [this](const HttpRequest& r, const IpAddress& peer) {
          ++calls;
          last_peer = peer;
          last_body = r.body;
          if (r.path == "/big") {
            HttpResponse big;
            big.body.assign(big_bytes, 'x');
            return big;
          }
          HttpResponse resp = text_response(200, r.method + " " + r.target);
          resp.fields.emplace_back("X-Seen", "yes");
          return resp;
        }) {
    auto error = server.listen();
    EXPECT_FALSE(error) << *error;
  }

  int connect_client(int rcvbuf = 0) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (rcvbuf > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(server.port());
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    return fd;
  }

  // Serves for up to wait_ms, collecting what `fd` receives, until `want` bytes came or
  // the server closed the connection (eof).
  std::string serve(int fd, size_t want, int wait_ms = 2000) {
    std::string got;
    eof = false;
    const auto deadline = Clock::now() + std::chrono::milliseconds(wait_ms);
    while (Clock::now() < deadline && got.size() < want) {
      pollfd p[2] = {{server.fd(), POLLIN, 0}, {fd, POLLIN, 0}};
      ::poll(p, 2, 10);
      if (p[0].revents & POLLIN) server.on_readable();
      if (fd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
        char buf[65536];
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
          eof = true;
          break;
        }
        got.append(buf, size_t(n));
      }
    }
    return got;
  }
  // Serves for `ms` without a client to read.
  void serve_for(int ms) { serve(-1, SIZE_MAX, ms); }

  HttpServer server;
  int calls = 0;
  IpAddress last_peer;
  std::string last_body;
  size_t big_bytes = 0;
  bool eof = false;
};

void send_text(int fd, std::string_view text) {
  ASSERT_EQ(::send(fd, text.data(), text.size(), MSG_NOSIGNAL), ssize_t(text.size()));
}

std::string answer(int status, std::string_view body, bool keep_alive,
                   std::string_view extra = "X-Seen: yes\r\n") {
  return "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason_phrase(status)) +
         "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
         std::to_string(body.size()) +
         "\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n" + std::string(extra) +
         (keep_alive ? "Connection: keep-alive" : "Connection: close") + "\r\n\r\n" +
         std::string(body);
}

TEST(HttpServer, KeepAliveThenClose) {
  Harness h;
  int fd = h.connect_client();
  send_text(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string first = answer(200, "GET /metrics\n", true);
  EXPECT_EQ(h.serve(fd, first.size()), first);
  EXPECT_EQ(h.last_peer, *IpAddress::parse("127.0.0.1"));
  send_text(fd, "GET /a?b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string second = answer(200, "GET /a?b\n", false);
  EXPECT_EQ(h.serve(fd, SIZE_MAX), second);
  EXPECT_TRUE(h.eof) << "closed after the answer to Connection: close";
  EXPECT_EQ(h.calls, 2);
  EXPECT_EQ(h.server.connection_count(), 0u);
  ::close(fd);
}

TEST(HttpServer, Http10ClosesAndHeadHasNoBody) {
  Harness h;
  int fd = h.connect_client();
  send_text(fd, "HEAD /x HTTP/1.0\r\n\r\n");
  std::string want = answer(200, "HEAD /x\n", false);
  want.resize(want.size() - 8);  // the body's length, without the body
  EXPECT_EQ(h.serve(fd, SIZE_MAX), want);
  EXPECT_TRUE(h.eof);
  ::close(fd);
}

TEST(HttpServer, PipelinedRequestsAnsweredInOrder) {
  Harness h;
  int fd = h.connect_client();
  send_text(fd,
            "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: "
            "3\r\n\r\nabcGET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string want = answer(200, "GET /1\n", true) + answer(200, "POST /2\n", true) +
                           answer(200, "GET /3\n", false);
  EXPECT_EQ(h.serve(fd, SIZE_MAX), want);
  EXPECT_TRUE(h.eof);
  EXPECT_EQ(h.calls, 3);
  EXPECT_EQ(h.last_body, "");
  ::close(fd);
}

TEST(HttpServer, ARequestSplitAcrossWrites) {
  Harness h;
  int fd = h.connect_client();
  send_text(fd, "POST /s HTTP/1.1\r\nHo");
  h.serve_for(30);
  send_text(fd, "st: x\r\nContent-Length: 5\r\n\r\nab");
  h.serve_for(30);
  EXPECT_EQ(h.calls, 0);
  send_text(fd, "cde");
  const std::string want = answer(200, "POST /s\n", true);
  EXPECT_EQ(h.serve(fd, want.size()), want);
  EXPECT_EQ(h.last_body, "abcde");
  ::close(fd);
}

TEST(HttpServer, RefusalsAreAnsweredThenClosed) {
  struct Row {
    std::string request;
    int status;
    std::string reason;
  };
  const Row rows[] = {
      {"BREW /pot HTCPCP/1.0\r\n\r\n", 400, "malformed HTTP version in the request line"},
      {"GET / HTTP/1.1\r\n\r\n", 400, "HTTP/1.1 request without a Host field"},
      {"GET / HTTP/2.0\r\n\r\n", 505, "only HTTP/1.1 and HTTP/1.0 are served"},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 65\r\n\r\n", 413,
       "request body larger than 64 bytes"},
      {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 501,
       "Transfer-Encoding is not supported; send a Content-Length"},
      {"GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(500, 'y') + "\r\n", 431,
       "request header section longer than 512 bytes"},
  };
  for (const Row& row : rows) {
    Harness h;
    int fd = h.connect_client();
    send_text(fd, row.request);
    EXPECT_EQ(h.serve(fd, SIZE_MAX), answer(row.status, row.reason + "\n", false, ""))
        << row.request;
    EXPECT_TRUE(h.eof) << row.request;
    EXPECT_EQ(h.calls, 0);
    ::close(fd);
  }
}

TEST(HttpServer, ASlowRequestTimesOut) {
  HttpServerOptions o = options();
  o.request_timeout_ms = 200;
  Harness h(o);
  int fd = h.connect_client();
  const auto start = Clock::now();
  send_text(fd, "GET / HTTP/1.1\r\nHost: x\r\n");  // the blank line never comes
  h.serve_for(100);
  send_text(fd, "X-Trickle: 1\r\n");  // bytes keep coming, the deadline stays
  const std::string got = h.serve(fd, SIZE_MAX, 3000);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  EXPECT_EQ(got, answer(408, "the request did not arrive whole within 200 ms\n", false, ""));
  EXPECT_TRUE(h.eof);
  EXPECT_GE(ms.count(), 200);
  EXPECT_LT(ms.count(), 2000);
  ::close(fd);
}

TEST(HttpServer, AnIdleConnectionIsClosed) {
  HttpServerOptions o = options();
  o.idle_timeout_ms = 150;
  Harness h(o);
  int fd = h.connect_client();
  send_text(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string first = answer(200, "GET /\n", true);
  EXPECT_EQ(h.serve(fd, first.size()), first);
  EXPECT_EQ(h.serve(fd, SIZE_MAX, 3000), "");
  EXPECT_TRUE(h.eof) << "closed without a word after 150 ms of silence";
  ::close(fd);
}

TEST(HttpServer, TooManyConnections) {
  HttpServerOptions o = options();
  o.max_clients = 2;
  Harness h(o);
  int a = h.connect_client();
  int b = h.connect_client();
  h.serve_for(30);
  int c = h.connect_client();
  EXPECT_EQ(h.serve(c, SIZE_MAX),
            answer(503, "too many connections (at most 2); try again later\n", false, ""));
  EXPECT_TRUE(h.eof);
  EXPECT_EQ(h.server.connection_count(), 2u);
  ::close(a);
  h.serve_for(30);
  int d = h.connect_client();
  send_text(d, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string ok = answer(200, "GET /\n", true);
  EXPECT_EQ(h.serve(d, ok.size()), ok) << "a place freed is taken again";
  for (int fd : {b, c, d}) ::close(fd);
}

// A client that asks for a big answer and never reads it: it holds the output budget until
// the write timeout closes it; meanwhile others are told to come back.
TEST(HttpServer, AnswersNotTakenAreBoundedInSizeAndTime) {
  HttpServerOptions o = options();
  o.write_timeout_ms = 300;
  o.max_output_bytes = 1u << 20;
  Harness h(o);
  h.big_bytes = 32u << 20;  // more than any socket buffers hold
  int stuck = h.connect_client(4096);
  send_text(stuck, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
  h.serve_for(50);
  EXPECT_GT(h.server.queued_bytes(), o.max_output_bytes);
  int other = h.connect_client();
  send_text(other, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string busy =
      answer(503, "busy sending other answers; try again in a second\n", true, "");
  EXPECT_EQ(h.serve(other, busy.size()), busy);
  EXPECT_EQ(h.calls, 1) << "the handler is not called while the budget is spent";
  h.serve_for(600);
  EXPECT_EQ(h.server.connection_count(), 1u) << "the stuck client was closed";
  EXPECT_EQ(h.server.queued_bytes(), 0u);
  send_text(other, "GET /again HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string ok = answer(200, "GET /again\n", true);
  EXPECT_EQ(h.serve(other, ok.size()), ok);
  ::close(stuck);
  ::close(other);
}

TEST(HttpServer, ListensOnIpv6Loopback) {
  HttpServerOptions o = options();
  o.listen = {*IpAddress::parse("::1"), 0};
  HttpServer server(o, [](const HttpRequest&, const IpAddress&) { return HttpResponse{}; });
  if (auto error = server.listen()) GTEST_SKIP() << "no IPv6 loopback here: " << *error;
  EXPECT_GT(server.port(), 0);
}

TEST(HttpServer, AnAddressInUseIsAnError) {
  Harness h;
  HttpServerOptions o = options();
  o.listen.port = h.server.port();
  HttpServer second(o, [](const HttpRequest&, const IpAddress&) { return HttpResponse{}; });
  auto error = second.listen();
  ASSERT_TRUE(error);
  EXPECT_EQ(*error, "cannot listen on 127.0.0.1:" + std::to_string(h.server.port()) +
                        ": Address already in use");
}

}  // namespace
}  // namespace sluice::metrics
