// SPDX-License-Identifier: BSD-3-Clause
#include "metrics/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

namespace sluice::metrics {
namespace {

constexpr size_t kReadChunk = 16384;
constexpr int kEventBatch = 64;
constexpr int kBacklog = 64;

uint64_t monotonic_ms() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000 + uint64_t(ts.tv_nsec) / 1'000'000;
}

std::string errno_text(int err) { return std::strerror(err); }

std::string serialize(const HttpResponse& r, bool head, bool keep_alive) {
  std::string out;
  out.reserve(256 + (head ? 0 : r.body.size()));
  out += "HTTP/1.1 " + std::to_string(r.status) + " " + std::string(reason_phrase(r.status));
  out += "\r\nContent-Type: " + r.content_type;
  out += "\r\nContent-Length: " + std::to_string(r.body.size());
  out += "\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n";
  for (const auto& [name, value] : r.fields) out += name + ": " + value + "\r\n";
  out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  if (!head) out += r.body;
  return out;
}

// Best effort: the connection is closed right after.
void send_last_words(int fd, const std::string& text) {
  [[maybe_unused]] ssize_t n = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

IpAddress peer_address(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    return IpAddress::v4_from_wire(reinterpret_cast<const uint8_t*>(&a->sin_addr));
  }
  const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
  return IpAddress::v6_from_wire(a->sin6_addr.s6_addr);
}

}  // namespace

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

HttpResponse text_response(int status, std::string_view text) {
  HttpResponse r;
  r.status = status;
  r.body = std::string(text) + "\n";
  return r;
}

struct HttpServer::Connection {
  int fd = -1;
  IpAddress peer;
  std::string in;
  std::string out;
  size_t out_sent = 0;            // bytes of `out` already written
  bool close_after = false;       // close once `out` is written
  bool eof = false;               // the client sent EOF
  bool dead = false;              // I/O error: close now
  uint64_t request_start_ms = 0;  // the first byte of a request not yet whole; 0 = none
  uint64_t active_ms = 0;         // when bytes last went either way
  uint32_t interest = 0;

  bool writing() const { return out_sent < out.size(); }
};

HttpServer::HttpServer(HttpServerOptions options, Handler handler)
    : options_(std::move(options)), handler_(std::move(handler)) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  timer_fd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  const uint32_t shortest =
      std::min({options_.request_timeout_ms, options_.write_timeout_ms, options_.idle_timeout_ms});
  const uint32_t tick_ms = std::clamp(shortest / 4, 10u, 1000u);
  itimerspec period{};
  period.it_interval = {time_t(tick_ms / 1000), long(tick_ms % 1000) * 1'000'000};
  period.it_value = period.it_interval;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = timer_fd_;
  if (epoll_fd_ >= 0 && timer_fd_ >= 0 &&
      (::timerfd_settime(timer_fd_, 0, &period, nullptr) != 0 ||
       ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, timer_fd_, &ev) != 0)) {
    ::close(timer_fd_);
    timer_fd_ = -1;
  }
}

HttpServer::~HttpServer() {
  while (!connections_.empty()) close_connection(connections_.begin()->first);
  for (int fd : {listen_fd_, epoll_fd_, timer_fd_, spare_fd_})
    if (fd >= 0) ::close(fd);
}

std::optional<std::string> HttpServer::listen() {
  const std::string where = options_.listen.to_string();
  if (epoll_fd_ < 0 || timer_fd_ < 0)
    return "cannot create an epoll instance or a timer: " + errno_text(errno);
  const bool v4 = options_.listen.address.is_v4();
  int fd = ::socket(v4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return "cannot create a socket for " + where + ": " + errno_text(errno);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage ss{};
  socklen_t len;
  if (v4) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(options_.listen.port);
    std::memcpy(&a->sin_addr, options_.listen.address.v4_wire(), 4);
    len = sizeof *a;
  } else {
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(options_.listen.port);
    std::memcpy(&a->sin6_addr, options_.listen.address.v6_wire(), 16);
    len = sizeof *a;
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, kBacklog) != 0) {
    int err = errno;
    ::close(fd);
    return "cannot listen on " + where + ": " + errno_text(err);
  }
  sockaddr_storage bound{};
  socklen_t bound_len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_len);
  port_ = ntohs(v4 ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                   : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    int err = errno;
    ::close(fd);
    return "cannot watch " + where + ": " + errno_text(err);
  }
  listen_fd_ = fd;
  return std::nullopt;
}

void HttpServer::on_readable() {
  epoll_event events[kEventBatch];
  int n = ::epoll_wait(epoll_fd_, events, kEventBatch, 0);
  for (int i = 0; i < n; ++i) {
    int fd = events[i].data.fd;
    if (fd == listen_fd_) {
      accept_all();
    } else if (fd == timer_fd_) {
      uint64_t ticks;
      [[maybe_unused]] ssize_t r = ::read(timer_fd_, &ticks, sizeof ticks);
      check_deadlines();
    } else if (auto it = connections_.find(fd); it != connections_.end()) {
      on_event(*it->second, events[i].events);
    }
  }
}

void HttpServer::accept_all() {
  while (true) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    int fd =
        ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if ((errno == EMFILE || errno == ENFILE) && spare_fd_ >= 0) {
        // Out of fds: shed the pending connection, or the level-triggered listening
        // socket would keep the daemon's loop spinning.
        ::close(spare_fd_);
        int victim = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (victim >= 0) ::close(victim);
        spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (victim >= 0) continue;
      }
      return;  // EAGAIN: nothing more to accept
    }
    if (connections_.size() >= options_.max_clients) {
      send_last_words(fd, serialize(text_response(503, "too many connections (at most " +
                                                           std::to_string(options_.max_clients) +
                                                           "); try again later"),
                                    false, false));
      ::close(fd);
      continue;
    }
    auto c = std::make_unique<Connection>();
    c->fd = fd;
    c->peer = peer_address(ss);
    c->active_ms = monotonic_ms();
    c->interest = EPOLLIN;
    epoll_event ev{};
    ev.events = c->interest;
    ev.data.fd = fd;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      ::close(fd);
      continue;
    }
    connections_[fd] = std::move(c);
  }
}

void HttpServer::on_event(Connection& c, uint32_t events) {
  if (events & EPOLLERR) {
    c.dead = true;
  } else if ((events & (EPOLLIN | EPOLLHUP)) && !c.writing() && !c.close_after && !c.eof) {
    read_input(c);
  }
  // Answers every whole request the buffer holds, one at a time, while answers go out at
  // once; a partial request (answer_requests() dates it) waits for more bytes.
  while (!c.dead) {
    answer_requests(c);
    flush(c);
    if (c.writing() || c.close_after || c.in.empty() || c.request_start_ms != 0) break;
  }
  finish(c);
}

void HttpServer::read_input(Connection& c) {
  // A whole request is never more than this; the parser refuses longer ones.
  const size_t cap = options_.limits.max_header_bytes + options_.limits.max_body_bytes + 8;
  if (c.in.size() >= cap) return;
  char buf[kReadChunk];
  ssize_t n = ::read(c.fd, buf, std::min(sizeof buf, cap - c.in.size()));
  if (n > 0) {
    c.in.append(buf, size_t(n));
    c.active_ms = monotonic_ms();
  } else if (n == 0) {
    c.eof = true;
  } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    c.dead = true;
  }
}

void HttpServer::answer_requests(Connection& c) {
  if (c.writing() || c.close_after) return;
  if (c.in.empty()) {
    c.request_start_ms = 0;
    if (c.eof) c.close_after = true;
    return;
  }
  HttpParse p = parse_http_request(c.in, options_.limits);
  switch (p.state) {
    case HttpParse::State::kIncomplete:
      if (c.request_start_ms == 0) c.request_start_ms = monotonic_ms();
      if (c.eof) c.close_after = true;  // the rest will never come
      return;
    case HttpParse::State::kRefused:
      queue(c, text_response(p.status, p.reason), false, false);
      return;
    case HttpParse::State::kComplete:
      break;
  }
  c.in.erase(0, p.consumed);
  c.request_start_ms = 0;
  const HttpRequest& r = p.request;
  const bool head = r.method == "HEAD";
  if (queued_ >= options_.max_output_bytes) {
    queue(c, text_response(503, "busy sending other answers; try again in a second"), head,
          r.keep_alive);
    return;
  }
  queue(c, handler_(r, c.peer), head, r.keep_alive && !c.eof);
}

void HttpServer::queue(Connection& c, const HttpResponse& response, bool head, bool keep_alive) {
  c.out = serialize(response, head, keep_alive);
  c.out_sent = 0;
  queued_ += c.out.size();
  if (!keep_alive) c.close_after = true;
}

void HttpServer::flush(Connection& c) {
  const size_t before = c.out_sent;
  while (c.writing()) {
    ssize_t n = ::send(c.fd, c.out.data() + c.out_sent, c.out.size() - c.out_sent, MSG_NOSIGNAL);
    if (n > 0) {
      c.out_sent += size_t(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    c.dead = true;  // EPIPE, ECONNRESET: the client is gone
    break;
  }
  queued_ -= c.out_sent - before;
  if (c.out_sent > before) c.active_ms = monotonic_ms();
  if (!c.writing()) {
    c.out.clear();
    c.out.shrink_to_fit();  // a scrape's answer can be megabytes
    c.out_sent = 0;
  }
}

void HttpServer::finish(Connection& c) {
  if (c.dead || (c.close_after && !c.writing()) || (c.eof && c.in.empty() && !c.writing())) {
    close_connection(c.fd);
    return;
  }
  uint32_t interest =
      c.writing() ? uint32_t{EPOLLOUT} : (c.close_after || c.eof ? 0u : uint32_t{EPOLLIN});
  if (interest == c.interest) return;
  epoll_event ev{};
  ev.events = interest;
  ev.data.fd = c.fd;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev) != 0) {
    close_connection(c.fd);
    return;
  }
  c.interest = interest;
}

void HttpServer::check_deadlines() {
  const uint64_t now = monotonic_ms();
  std::vector<int> expired;
  std::vector<int> too_slow;
  for (const auto& [fd, c] : connections_) {
    if (c->writing()) {
      if (now - c->active_ms >= options_.write_timeout_ms) expired.push_back(fd);
    } else if (c->request_start_ms != 0) {
      if (now - c->request_start_ms >= options_.request_timeout_ms) too_slow.push_back(fd);
    } else if (now - c->active_ms >= options_.idle_timeout_ms) {
      expired.push_back(fd);
    }
  }
  for (int fd : expired) close_connection(fd);
  for (int fd : too_slow) {
    Connection& c = *connections_.at(fd);
    c.in.clear();
    c.request_start_ms = 0;
    queue(c,
          text_response(408, "the request did not arrive whole within " +
                                 std::to_string(options_.request_timeout_ms) + " ms"),
          false, false);
    flush(c);
    finish(c);
  }
}

void HttpServer::close_connection(int fd) {
  auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  queued_ -= it->second->out.size() - it->second->out_sent;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  ::close(fd);
  connections_.erase(it);
}

}  // namespace sluice::metrics
