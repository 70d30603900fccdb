// SPDX-License-Identifier: BSD-3-Clause
#include "health/probe.h"

#include <sys/socket.h>
#include <unistd.h>

namespace sluice::health {

Probe::~Probe() { close_socket(); }

void Probe::close_socket() {
  if (fd_ < 0) return;
  if (stream_) {
    linger l{1, 0};
    setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  }
  close(fd_);
  fd_ = -1;
}

std::unique_ptr<Probe> make_probe(const CheckSpec& spec) {
  switch (spec.kind) {
    case CheckSpec::Kind::kTcp:
      return make_tcp_probe(spec);
    case CheckSpec::Kind::kHttp:
      return make_http_probe(spec);
    case CheckSpec::Kind::kUdp:
      return make_udp_probe(spec);
  }
  return make_tcp_probe(spec);
}

}  // namespace sluice::health
