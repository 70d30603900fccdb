// SPDX-License-Identifier: BSD-3-Clause
// HTTP check: connect, send one HTTP/1.0 GET, read up to the end of the status line and
// judge the status code; the body is never read, the connection is reset once the
// status is known.
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "health/http_message.h"
#include "health/probe.h"
#include "health/socket_util.h"

namespace sluice::health {

namespace {

class HttpProbe final : public Probe {
 public:
  explicit HttpProbe(const CheckSpec& spec)
      : to_(socket_address(spec.address, spec.port)),
        request_(http_request(spec)),
        status_min_(spec.http_status_min),
        status_max_(spec.http_status_max) {
    stream_ = true;
  }

  ProbeStep start() override {
    sent_ = 0;
    received_ = 0;
    phase_ = Phase::kConnecting;
    ConnectStart c = start_connect(to_, SOCK_STREAM);
    if (c.fd < 0) return ProbeStep::finish(c.failure);
    fd_ = c.fd;
    if (c.connected) return send_request();
    return ProbeStep::wait(EPOLLOUT);
  }

  ProbeStep on_ready(uint32_t) override {
    switch (phase_) {
      case Phase::kConnecting: {
        int err = pending_error(fd_);
        if (err != 0) return done(connect_failure(err));
        return send_request();
      }
      case Phase::kSending:
        return send_request();
      case Phase::kReceiving:
        return receive();
    }
    return done({Reason::kLocalError});
  }

  CheckResult on_timeout() override {
    close_socket();
    return {phase_ == Phase::kConnecting ? Reason::kL4Timeout : Reason::kL7Timeout};
  }

 private:
  enum class Phase : uint8_t { kConnecting, kSending, kReceiving };

  ProbeStep send_request() {
    phase_ = Phase::kSending;
    while (sent_ < request_.size()) {
      ssize_t n = send(fd_, request_.data() + sent_, request_.size() - sent_, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) return ProbeStep::wait(EPOLLOUT);
        return done({Reason::kL7Error, 0, errno});
      }
      sent_ += size_t(n);
    }
    phase_ = Phase::kReceiving;
    return ProbeStep::wait(EPOLLIN);
  }

  ProbeStep receive() {
    for (;;) {
      ssize_t n = recv(fd_, buffer_ + received_, sizeof(buffer_) - received_, 0);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) return ProbeStep::wait(EPOLLIN);
        return done({Reason::kL7Error, 0, errno});
      }
      received_ += size_t(n);
      std::string_view got(buffer_, received_);
      size_t eol = got.find('\n');
      if (eol == std::string_view::npos && n > 0 && received_ < sizeof(buffer_)) continue;
      return judge(got.substr(0, eol));
    }
  }

  ProbeStep judge(std::string_view status_line) {
    auto status = parse_status_line(status_line);
    if (!status) return done({Reason::kL7BadResponse});
    bool in_range = *status >= status_min_ && *status <= status_max_;
    return done({in_range ? Reason::kL7Ok : Reason::kL7Status, *status});
  }

  SocketAddress to_;
  std::string request_;
  uint16_t status_min_, status_max_;
  Phase phase_ = Phase::kConnecting;
  size_t sent_ = 0;
  size_t received_ = 0;
  char buffer_[256];
};

}  // namespace

std::unique_ptr<Probe> make_http_probe(const CheckSpec& spec) {
  return std::make_unique<HttpProbe>(spec);
}

}  // namespace sluice::health
