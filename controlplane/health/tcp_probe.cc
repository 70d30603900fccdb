// SPDX-License-Identifier: BSD-3-Clause
// TCP check: the run succeeds when a non-blocking connect completes (writable, SO_ERROR
// 0); the connection is then reset at once.
#include <sys/epoll.h>

#include "health/probe.h"
#include "health/socket_util.h"

namespace sluice::health {

namespace {

class TcpProbe final : public Probe {
 public:
  explicit TcpProbe(const CheckSpec& spec) : to_(socket_address(spec.address, spec.port)) {
    stream_ = true;
  }

  ProbeStep start() override {
    ConnectStart c = start_connect(to_, SOCK_STREAM);
    if (c.fd < 0) return ProbeStep::finish(c.failure);
    fd_ = c.fd;
    if (c.connected) return done({Reason::kL4Ok});
    return ProbeStep::wait(EPOLLOUT);
  }

  ProbeStep on_ready(uint32_t) override {
    int err = pending_error(fd_);
    if (err != 0) return done(connect_failure(err));
    return done({Reason::kL4Ok});
  }

  CheckResult on_timeout() override {
    close_socket();
    return {Reason::kL4Timeout};
  }

 private:
  SocketAddress to_;
};

}  // namespace

std::unique_ptr<Probe> make_tcp_probe(const CheckSpec& spec) {
  return std::make_unique<TcpProbe>(spec);
}

}  // namespace sluice::health
