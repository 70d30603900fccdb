// SPDX-License-Identifier: BSD-3-Clause
// main() of the BPF program tests: exits 77 (meson's "skipped") when the tests cannot
// run here (not root, or the kernel refuses XDP programs), otherwise runs GoogleTest.
#include <bpf/libbpf.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>

namespace {
int quiet_libbpf(enum libbpf_print_level level, const char* fmt, va_list ap) {
  if (level == LIBBPF_DEBUG) return 0;
  return std::vfprintf(stderr, fmt, ap);
}
}  // namespace

int main(int argc, char** argv) {
  constexpr int kSkip = 77;
  if (geteuid() != 0) {
    std::printf("SKIP: BPF_PROG_TEST_RUN tests need root (CAP_BPF, CAP_NET_ADMIN)\n");
    return kSkip;
  }
  if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, nullptr) != 1) {
    std::printf("SKIP: this kernel does not load XDP programs (BPF unavailable)\n");
    return kSkip;
  }
  libbpf_set_print(quiet_libbpf);
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
