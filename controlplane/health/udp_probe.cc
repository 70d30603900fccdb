// SPDX-License-Identifier: BSD-3-Clause
// UDP check: send the payload on a connected UDP socket and wait for one datagram. The
// socket being connected is what turns an ICMP port unreachable into ECONNREFUSED.
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <string_view>

#include "health/probe.h"
#include "health/socket_util.h"

namespace sluice::health {

namespace {

class UdpProbe final : public Probe {
 public:
  explicit UdpProbe(const CheckSpec& spec)
      : to_(socket_address(spec.address, spec.port)),
        payload_(spec.udp_payload),
        expect_(spec.udp_expect) {}

  ProbeStep start() override {
    ConnectStart c = start_connect(to_, SOCK_DGRAM);
    if (c.fd < 0) return ProbeStep::finish(c.failure);
    fd_ = c.fd;
    if (send(fd_, payload_.data(), payload_.size(), MSG_NOSIGNAL) < 0) return failed(errno);
    return ProbeStep::wait(EPOLLIN);
  }

  ProbeStep on_ready(uint32_t) override {
    // Probes run on the monitor's one thread; a datagram can be up to 64 KiB.
    static thread_local char buffer[65536];
    ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return ProbeStep::wait(EPOLLIN);
      return failed(errno);
    }
    std::string_view reply(buffer, size_t(n));
    if (!expect_.empty() && reply.find(expect_) == std::string_view::npos)
      return done({Reason::kUdpUnexpected});
    return done({Reason::kUdpOk});
  }

  CheckResult on_timeout() override {
    close_socket();
    return {Reason::kUdpNoReply};
  }

 private:
  ProbeStep failed(int err) {
    if (err == ECONNREFUSED) return done({Reason::kUdpRefused});
    return done(connect_failure(err));
  }

  SocketAddress to_;
  std::string payload_;
  std::string expect_;
};

}  // namespace

std::unique_ptr<Probe> make_udp_probe(const CheckSpec& spec) {
  return std::make_unique<UdpProbe>(spec);
}

}  // namespace sluice::health
