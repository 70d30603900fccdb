// SPDX-License-Identifier: BSD-3-Clause
#include "runtime/control_server.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace sluice {

namespace {
constexpr size_t kMaxClients = 8;

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
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    ::unlink(path_.c_str());
  }
}

bool ControlServer::listen(std::string& error) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path_.size() >= sizeof addr.sun_path) {
    error = "control socket path too long: " + path_;
    return false;
  }
  std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  ::unlink(path_.c_str());  // a socket left by a dataplane that died
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 4) != 0) {
    error = "cannot listen on " + path_ + ": " + std::strerror(errno);
    ::close(listen_fd_);
    listen_fd_ = -1;
    return false;
  }
  ::chmod(path_.c_str(), 0660);
  return true;
}

void ControlServer::poll() {
  if (listen_fd_ < 0) return;
  for (;;) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) break;
    if (clients_.size() >= kMaxClients) {
      ::close(fd);
      continue;
    }
    clients_.push_back(Client{fd, {}});
  }
  for (size_t i = 0; i < clients_.size();) {
    if (serve(clients_[i])) {
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
