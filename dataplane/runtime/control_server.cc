// SPDX-License-Identifier: BSD-3-Clause
#include "runtime/control_server.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace sluice {

namespace {

uint64_t monotonic_ms() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000 + uint64_t(ts.tv_nsec) / 1'000'000;
}

bool send_all(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += size_t(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, 1000) <= 0) return false;  // a peer that stops reading is dropped
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return false;
    }
  }
  return true;
}
}  // namespace

ControlServer::ControlServer(std::string path, Handler handler)
    : path_(std::move(path)), handler_(std::move(handler)) {}

ControlServer::~ControlServer() {
  for (Client& c : clients_) ::close(c.fd);
}

bool ControlServer::listen(std::string& error) {
  UnixListenOptions options;
  options.backlog = 16;
  options.program = "another sluice-dataplane";
  if (auto refused = listener_.listen(path_, options)) {
    error = *refused;
    return false;
  }
  return true;
}

void ControlServer::poll() {
  if (listener_.fd() < 0) return;
  const uint64_t now = monotonic_ms();
  for (;;) {
    int fd = ::accept4(listener_.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) break;
    if (clients_.size() >= kMaxClients) {
      auto longest_silent = std::min_element(
          clients_.begin(), clients_.end(),
          [](const Client& a, const Client& b) { return a.active_ms < b.active_ms; });
      std::fprintf(stderr,
                   "sluice-dataplane: control channel: %zu clients; closing the one silent "
                   "for %lu ms for a new one\n",
                   clients_.size(), (unsigned long)(now - longest_silent->active_ms));
      ::close(longest_silent->fd);
      clients_.erase(longest_silent);
    }
    clients_.push_back(Client{fd, {}, now});
  }
  for (size_t i = 0; i < clients_.size();) {
    // serve() may take long (a big desired state) and stamps active_ms after `now`.
    if (serve(clients_[i]) && monotonic_ms() - clients_[i].active_ms < kIdleTimeoutMs) {
      ++i;
    } else {
      ::close(clients_[i].fd);
      clients_.erase(clients_.begin() + long(i));
    }
  }
}

bool ControlServer::serve(Client& client) {
  char buf[65536];
  bool peer_closed = false;
  for (;;) {
    ssize_t n = ::recv(client.fd, buf, sizeof buf, 0);
    if (n > 0) {
      client.decoder.feed(buf, size_t(n));
      client.active_ms = monotonic_ms();
      continue;
    }
    if (n == 0) {
      // A peer may send its last message and close at once (sluiced stopping as VRRP
      // master withdraws its VIPs that way): handle what arrived before closing.
      peer_closed = true;
      break;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    if (errno == EINTR) continue;
    return false;
  }
  channel::Message message;
  std::string error;
  for (;;) {
    switch (client.decoder.next(message, error)) {
      case channel::Decoder::Status::kNeedMore:
        return !peer_closed;
      case channel::Decoder::Status::kError:
        std::fprintf(stderr, "sluice-dataplane: control channel: %s; closing it\n", error.c_str());
        return false;
      case channel::Decoder::Status::kMessage: {
        channel::Message answer = handler_(message);
        if (!send_all(client.fd, channel::encode(answer.type, answer.payload)) && !peer_closed)
          return false;
        break;
      }
    }
  }
}

}  // namespace sluice
