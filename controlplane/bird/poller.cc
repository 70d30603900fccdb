// SPDX-License-Identifier: BSD-3-Clause
#include "bird/poller.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

namespace sluice::bird {
namespace {

constexpr std::string_view kShowProtocols = "show protocols\n";
constexpr std::string_view kConfigure = "configure\n";

std::string duration_text(uint64_t ms) {
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

// bird's line whole for the log and `show bgp` (a parse error names its file, line and
// column), control bytes as '?', at most 300 bytes.
std::string printable(std::string line) {
  if (line.size() > 300) line.resize(300);
  for (char& c : line)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return line;
}

}  // namespace

Poller::Poller(std::string socket_path, PollerOptions options)
    : path_(std::move(socket_path)), options_(options), retry_ms_(options.retry_min_ms) {}

Poller::~Poller() {
  if (fd_ >= 0) ::close(fd_);
}

void Poller::connect(uint64_t now_ms) {
  sockaddr_un addr{};
  if (path_.size() >= sizeof addr.sun_path) return fail("the socket path is too long", now_ms);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(std::string("socket: ") + std::strerror(errno), now_ms);
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path_.data(), path_.size());
  // A Unix socket connects at once or fails (EAGAIN: bird's backlog is full).
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int error = errno;
    ::close(fd);
    return fail(std::string("connect: ") + std::strerror(error), now_ms);
  }
  fd_ = fd;
  ++connection_;
  reader_ = {};
  phase_ = Phase::kGreeting;
  deadline_ms_ = now_ms + options_.answer_timeout_ms;
}

void Poller::fail(std::string why, uint64_t now_ms) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  phase_ = Phase::kDisconnected;
  reachable_ = false;
  error_ = std::move(why);
  for (ProtocolStatus& p : protocols_) p = {.name = p.name, .proto = p.proto, .state = "unknown"};
  next_connect_ms_ = now_ms + retry_ms_;
  retry_ms_ = std::min(retry_ms_ * 2, options_.retry_max_ms);
}

bool Poller::send_command(std::string_view command, Phase waiting, uint64_t now_ms) {
  ssize_t n = ::send(fd_, command.data(), command.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  // A few bytes into an idle connection's empty buffer: all of them go, or it is broken.
  if (n != ssize_t(command.size())) {
    fail(std::string("send: ") + (n < 0 ? std::strerror(errno) : "short write"), now_ms);
    return false;
  }
  phase_ = waiting;
  deadline_ms_ = now_ms + options_.answer_timeout_ms;
  return true;
}

void Poller::ask(uint64_t now_ms) {
  if (send_command(kShowProtocols, Phase::kAsked, now_ms))
    next_ask_ms_ = now_ms + options_.interval_ms;
}

void Poller::send_configure(uint64_t now_ms) {
  if (send_command(kConfigure, Phase::kConfiguring, now_ms)) configure_sent_ = configure_requested_;
}

void Poller::request_configure(uint64_t now_ms) {
  ++configure_requested_;
  if (phase_ == Phase::kIdle) send_configure(now_ms);
}

void Poller::take(const Reply& reply, uint64_t now_ms) {
  switch (phase_) {
    case Phase::kGreeting:
      if (auto version = parse_greeting(reply)) {
        version_ = *version;
        phase_ = Phase::kIdle;
        return ask(now_ms);
      }
      return fail("not bird's greeting: " + quoted_text(reply.end_line()), now_ms);
    case Phase::kAsked: {
      ProtocolsParse parsed = parse_protocols(reply);
      if (!parsed.error.empty()) return fail("show protocols: " + parsed.error, now_ms);
      protocols_ = std::move(parsed.protocols);
      reachable_ = true;
      error_.clear();
      last_answer_ms_ = now_ms;
      retry_ms_ = options_.retry_min_ms;
      phase_ = Phase::kIdle;
      if (configure_pending()) send_configure(now_ms);
      return;
    }
    case Phase::kConfiguring:
      // "0002-Reading configuration from FILE" and the result: 0003 Reconfigured, 0004 in
      // progress, 0005 queued, ...; 8002 the file's error with its line and column.
      configure_answered_ = configure_sent_;
      configure_answer_ =
          ConfigureAnswer{.number = configure_answer_ ? configure_answer_->number + 1 : 1,
                          .accepted = !reply.failed(),
                          .line = printable(reply.end_line()),
                          .at_ms = now_ms};
      phase_ = Phase::kIdle;
      if (configure_pending()) send_configure(now_ms);
      return;
    case Phase::kIdle:
    case Phase::kDisconnected:
      break;
  }
  fail("an answer to no question: " + quoted_text(reply.end_line()), now_ms);
}

void Poller::on_readable(uint64_t now_ms) {
  if (fd_ < 0) return;
  // At most 1 MiB per call: the loop comes back while more is waiting.
  constexpr int kReads = 64;
  char buf[16384];
  Reply reply;
  for (int i = 0; i < kReads && phase_ != Phase::kDisconnected; ++i) {
    ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0) return fail("bird closed the connection", now_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        fail(std::string("recv: ") + std::strerror(errno), now_ms);
      return;
    }
    if (!reader_.feed(std::string_view(buf, size_t(n)))) return fail(reader_.error(), now_ms);
    while (phase_ != Phase::kDisconnected && reader_.next(reply)) take(reply, now_ms);
  }
}

void Poller::tick(uint64_t now_ms) {
  switch (phase_) {
    case Phase::kDisconnected:
      if (now_ms >= next_connect_ms_) connect(now_ms);
      break;
    case Phase::kGreeting:
    case Phase::kAsked:
    case Phase::kConfiguring:
      if (now_ms >= deadline_ms_)
        fail("no answer within " + duration_text(options_.answer_timeout_ms), now_ms);
      break;
    case Phase::kIdle:
      if (configure_pending())
        send_configure(now_ms);
      else if (now_ms >= next_ask_ms_)
        ask(now_ms);
      break;
  }
}

}  // namespace sluice::bird
