// SPDX-License-Identifier: BSD-3-Clause
// One kind of check carried out over one non-blocking socket. A Probe is made once per
// check and reused for every run; it owns the socket of the run in flight and closes it
// as soon as the run has a result. Probes never wait: HealthMonitor (its thread only)
// registers fd() for the events a step asks for and calls on_ready when they arrive, or
// on_timeout at the check's deadline. Internal to controlplane/health.
#pragma once

#include <cstdint>
#include <memory>

#include "health/check_result.h"
#include "health/check_spec.h"

namespace sluice::health {

struct ProbeStep {
  bool done = false;
  uint32_t events = 0;  // EPOLLIN / EPOLLOUT to wait for while !done
  CheckResult result;   // when done

  static ProbeStep wait(uint32_t events) { return {false, events, {}}; }
  static ProbeStep finish(CheckResult r) { return {true, 0, r}; }
};

class Probe {
 public:
  Probe() = default;
  Probe(const Probe&) = delete;
  Probe& operator=(const Probe&) = delete;
  virtual ~Probe();

  // Opens a socket and starts a run. May finish at once (refused, unreachable, no fds).
  virtual ProbeStep start() = 0;
  // `events` as epoll reported them for fd().
  virtual ProbeStep on_ready(uint32_t events) = 0;
  // The run's deadline passed: closes the socket; the reason depends on the phase.
  virtual CheckResult on_timeout() = 0;
  // Abandons the run in flight, if any (the check was removed).
  void cancel() { close_socket(); }

  int fd() const { return fd_; }

 protected:
  ProbeStep done(CheckResult r) {
    close_socket();
    return ProbeStep::finish(r);
  }
  // TCP sockets are closed with an RST (SO_LINGER 0) so checks leave no TIME_WAIT
  // behind: 1,000 checks a second would otherwise hold ~60,000 ports.
  void close_socket();

  int fd_ = -1;
  bool stream_ = false;
};

std::unique_ptr<Probe> make_tcp_probe(const CheckSpec& spec);
std::unique_ptr<Probe> make_http_probe(const CheckSpec& spec);
std::unique_ptr<Probe> make_udp_probe(const CheckSpec& spec);
std::unique_ptr<Probe> make_probe(const CheckSpec& spec);

}  // namespace sluice::health
