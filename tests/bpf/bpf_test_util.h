// SPDX-License-Identifier: BSD-3-Clause
// BPF_PROG_TEST_RUN of an XDP program: one packet in, verdict and packet out.
#pragma once

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "packet_builder.h"

namespace sluice::bpf::test {

using testing_support::Bytes;

struct RunResult {
  uint32_t verdict = 0;
  Bytes out;
};

// repeat = 1: with more, the kernel reruns the program on the already rewritten buffer.
inline RunResult run_xdp(int prog_fd, const Bytes& in) {
  Bytes out(in.size() + 512);
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in.data(), .data_out = out.data(),
              .data_size_in = uint32_t(in.size()), .data_size_out = uint32_t(out.size()),
              .repeat = 1);
  if (bpf_prog_test_run_opts(prog_fd, &opts) != 0)
    throw std::runtime_error(std::string("bpf_prog_test_run_opts: ") + std::strerror(errno));
  out.resize(opts.data_size_out);
  return {opts.retval, out};
}

inline const char* verdict_name(uint32_t v) {
  switch (v) {
    case XDP_ABORTED:
      return "XDP_ABORTED";
    case XDP_DROP:
      return "XDP_DROP";
    case XDP_PASS:
      return "XDP_PASS";
    case XDP_TX:
      return "XDP_TX";
    case XDP_REDIRECT:
      return "XDP_REDIRECT";
  }
  return "?";
}

}  // namespace sluice::bpf::test
