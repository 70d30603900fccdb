// SPDX-License-Identifier: BSD-3-Clause
#include "api/server.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

#include "api/dispatcher.h"

namespace sluice::api {
namespace {

constexpr size_t kReadChunk = 16384;
constexpr int kEventBatch = 64;

std::string errno_text(int err) { return std::strerror(err); }

uint64_t monotonic_ms() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000 + uint64_t(ts.tv_nsec) / 1'000'000;
}

std::string duration_text(uint32_t ms) {
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

// Best effort: the connection is about to be closed anyway.
void send_last_words(int fd, const std::string& text) {
  [[maybe_unused]] ssize_t n = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

}  // namespace

struct Server::Connection {
  int fd = -1;
  Privilege level = Privilege::kRead;
  std::string in;
  std::string out;
  bool discarding = false;  // inside a line that was too long, until its '\n'
  bool eof = false;         // the client sent EOF: run what is left, answer, close
  bool quit = false;        // `quit` ran: send what is queued, close
  bool dead = false;        // I/O error: close now
  // A command's answer comes later: the commands after it (`rest`, then `in`) wait.
  std::shared_ptr<LaterReply> later;
  std::vector<Command> rest;
  uint32_t interest = 0;
  uint64_t active_ms = 0;  // when bytes last went either way
};

Server::Server(Model& model, ServerOptions options)
    : model_(model), options_(std::move(options)), own_uid_(::geteuid()) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ >= 0 && epoll_fd_ >= 0) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = wake_fd_;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
      ::close(wake_fd_);
      wake_fd_ = -1;
    }
  }
  if (options_.idle_timeout_ms > 0 && epoll_fd_ >= 0) {
    timer_fd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    const uint32_t tick_ms = std::clamp(options_.idle_timeout_ms / 4, 10u, 1000u);
    itimerspec period{};
    period.it_interval = {time_t(tick_ms / 1000), long(tick_ms % 1000) * 1'000'000};
    period.it_value = period.it_interval;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = timer_fd_;
    if (timer_fd_ >= 0 && (::timerfd_settime(timer_fd_, 0, &period, nullptr) != 0 ||
                           ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, timer_fd_, &ev) != 0)) {
      ::close(timer_fd_);
      timer_fd_ = -1;
    }
  }
}

Server::~Server() {
  while (!connections_.empty()) close_connection(connections_.begin()->first);
  listener_.close();
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (spare_fd_ >= 0) ::close(spare_fd_);
  if (timer_fd_ >= 0) ::close(timer_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

std::optional<std::string> Server::listen() {
  if (epoll_fd_ < 0) return "cannot create an epoll instance: " + errno_text(errno);
  UnixListenOptions listen_options;
  listen_options.mode = options_.mode;
  listen_options.group = options_.group;
  listen_options.program = "sluiced";
  if (auto error = listener_.listen(options_.path, listen_options)) return error;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listener_.fd();
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listener_.fd(), &ev) != 0) {
    int err = errno;
    listener_.close();
    return "cannot watch " + options_.path + ": " + errno_text(err);
  }
  return std::nullopt;
}

bool Server::add_connection(int fd, Privilege level) {
  int flags = ::fcntl(fd, F_GETFL);
  if (epoll_fd_ < 0 || flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
    ::close(fd);
    return false;
  }
  auto c = std::make_unique<Connection>();
  c->fd = fd;
  c->level = level;
  c->interest = EPOLLIN;
  c->active_ms = monotonic_ms();
  epoll_event ev{};
  ev.events = c->interest;
  ev.data.fd = fd;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    ::close(fd);
    return false;
  }
  connections_[fd] = std::move(c);
  return true;
}

void Server::on_readable() {
  epoll_event events[kEventBatch];
  int n = ::epoll_wait(epoll_fd_, events, kEventBatch, 0);
  for (int i = 0; i < n; ++i) {
    int fd = events[i].data.fd;
    if (fd == listener_.fd()) {
      accept_all();
      continue;
    }
    if (fd == timer_fd_) {
      uint64_t ticks;
      [[maybe_unused]] ssize_t r = ::read(timer_fd_, &ticks, sizeof ticks);
      close_idle_connections();
      continue;
    }
    if (fd == wake_fd_) {
      uint64_t count;
      [[maybe_unused]] ssize_t r = ::read(wake_fd_, &count, sizeof count);
      std::vector<int> ready;
      for (const auto& [cfd, c] : connections_)
        if (c->later && c->later->done()) ready.push_back(cfd);
      for (int cfd : ready)
        if (auto it = connections_.find(cfd); it != connections_.end()) progress(*it->second);
      continue;
    }
    auto it = connections_.find(fd);
    if (it != connections_.end()) on_event(*it->second, events[i].events);
  }
}

void Server::accept_all() {
  while (true) {
    int fd = ::accept4(listener_.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if ((errno == EMFILE || errno == ENFILE) && spare_fd_ >= 0) {
        // Out of fds: the pending connection would keep the (level-triggered) listening
        // socket readable and the daemon's loop spinning. Free the spare fd, accept and
        // close that connection, take the spare back.
        ::close(spare_fd_);
        int victim = ::accept4(listener_.fd(), nullptr, nullptr, SOCK_CLOEXEC);
        if (victim >= 0) ::close(victim);
        spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (victim >= 0) continue;
      }
      return;  // EAGAIN: nothing more to accept
    }
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
      ::close(fd);
      continue;
    }
    const Privilege level = privilege_for_peer(cred.uid, own_uid_);
    if (connections_.size() >= options_.max_clients &&
        (level != Privilege::kAdmin || !make_room_for_admin())) {
      send_last_words(fd, "Error: too many connections (at most " +
                              std::to_string(options_.max_clients) + "); try again later\n\n");
      ::close(fd);
      continue;
    }
    add_connection(fd, level);
  }
}

bool Server::make_room_for_admin() {
  Connection* victim = nullptr;
  for (const auto& [fd, c] : connections_) {
    const bool read_level = c->level != Privilege::kAdmin;
    const bool victim_read_level = victim && victim->level != Privilege::kAdmin;
    if (!victim || (read_level && !victim_read_level) ||
        (read_level == victim_read_level && c->active_ms < victim->active_ms))
      victim = c.get();
  }
  if (!victim) return false;
  send_last_words(victim->fd, "Error: closed to make room for an admin connection\n\n");
  close_connection(victim->fd);
  return true;
}

void Server::close_idle_connections() {
  const uint64_t now = monotonic_ms();
  std::vector<int> idle;
  for (const auto& [fd, c] : connections_)
    if (now - c->active_ms >= options_.idle_timeout_ms) idle.push_back(fd);
  for (int fd : idle) {
    send_last_words(fd, "Error: idle for " + duration_text(options_.idle_timeout_ms) +
                            "; connection closed\n\n");
    close_connection(fd);
  }
}

void Server::on_event(Connection& c, uint32_t events) {
  if (events & EPOLLERR) {
    c.dead = true;
  } else if ((events & EPOLLHUP) && c.later) {
    c.dead = true;  // gone for good while its answer was awaited
  } else if ((events & (EPOLLIN | EPOLLHUP)) && !c.eof && !c.quit) {
    read_input(c);
  }
  progress(c);
}

void Server::progress(Connection& c) {
  while (!c.dead) {
    resume(c);
    run_lines(c);
    flush(c);
    // Answers held back by max_output are run once the earlier ones are out.
    bool more =
        !c.quit && !c.later && (c.in.find('\n') != std::string::npos || (c.eof && !c.in.empty()));
    if (!c.out.empty() || !more) break;
  }
  finish(c);
}

void Server::take(Connection& c, Answer a) {
  c.out += a.text;
  if (a.quit) c.quit = true;
  if (!a.later) return;
  c.later = std::move(a.later);
  c.rest = std::move(a.rest);
  c.later->set_wake([this] { wake(); });
}

void Server::resume(Connection& c) {
  while (c.later && c.later->done()) {
    c.out += c.later->lines() + "\n";
    c.later->set_wake(nullptr);
    c.later.reset();
    std::vector<Command> rest = std::move(c.rest);
    c.rest.clear();
    take(c, execute_commands(model_, rest, c.level));
  }
}

void Server::wake() {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t w = ::write(wake_fd_, &one, sizeof one);
}

void Server::read_input(Connection& c) {
  char buf[kReadChunk];
  ssize_t n = ::read(c.fd, buf, sizeof buf);
  if (n > 0) {
    c.in.append(buf, static_cast<size_t>(n));
    c.active_ms = monotonic_ms();
  } else if (n == 0) {
    c.eof = true;
  } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    c.dead = true;
  }
}

void Server::run_lines(Connection& c) {
  const std::string too_long =
      "Error: line too long (more than " + std::to_string(options_.max_line) + " bytes)\n\n";
  size_t pos = 0;
  while (!c.quit && !c.later && c.out.size() < options_.max_output) {
    size_t nl = c.in.find('\n', pos);
    std::string_view line;
    if (nl == std::string::npos) {
      std::string_view rest = std::string_view(c.in).substr(pos);
      if (c.eof && !rest.empty() && !c.discarding) {
        line = rest;  // the last line, unterminated
        pos = c.in.size();
      } else {
        if (rest.size() > options_.max_line) {
          if (!c.discarding) c.out += too_long;
          c.discarding = true;
          pos = c.in.size();
        }
        if (c.eof) pos = c.in.size();
        break;
      }
    } else {
      line = std::string_view(c.in).substr(pos, nl - pos);
      pos = nl + 1;
      if (c.discarding) {
        c.discarding = false;
        continue;
      }
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > options_.max_line) {
      c.out += too_long;
      continue;
    }
    take(c, execute_line(model_, line, c.level));
  }
  c.in.erase(0, c.quit ? c.in.size() : pos);
}

void Server::flush(Connection& c) {
  size_t sent = 0;
  while (sent < c.out.size()) {
    ssize_t n = ::send(c.fd, c.out.data() + sent, c.out.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    c.dead = true;  // EPIPE, ECONNRESET: the client is gone
    break;
  }
  c.out.erase(0, sent);
  if (sent > 0) c.active_ms = monotonic_ms();
}

void Server::finish(Connection& c) {
  bool done = (c.quit || (c.eof && c.in.empty())) && c.out.empty() && !c.later;
  if (c.dead || done) {
    close_connection(c.fd);
    return;
  }
  uint32_t interest = 0;
  if (!c.eof && !c.quit && !c.later && c.out.size() < options_.max_output) interest |= EPOLLIN;
  if (!c.out.empty()) interest |= EPOLLOUT;
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

void Server::close_connection(int fd) {
  if (auto it = connections_.find(fd); it != connections_.end() && it->second->later)
    it->second->later->set_wake(nullptr);
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  ::close(fd);
  connections_.erase(fd);
}

}  // namespace sluice::api
