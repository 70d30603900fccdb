// SPDX-License-Identifier: BSD-3-Clause
// sluice-decap: attach the IPIP/GUE decapsulation XDP program on a backend's interface,
// print its counters, detach it. See bpf/README.md.
#include <bpf/libbpf.h>
#include <unistd.h>

#include <charconv>
#include <cstdarg>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "decap_loader.h"

namespace {

using namespace sluice::bpf;

constexpr const char* kUsage =
    "usage: sluice-decap attach IFACE [--gue-port N] [--local ADDR]... [--mode "
    "auto|native|generic]\n"
    "       sluice-decap stats IFACE\n"
    "       sluice-decap detach IFACE\n"
    "\n"
    "Decapsulates IPIP (4in4, 6in4, 4in6, 6in6) and GUE (IP in UDP, default port 6080)\n"
    "packets addressed to this host on IFACE and hands the inner packet to the local\n"
    "stack. --local (repeatable) lists the outer destination addresses to accept; the\n"
    "default is IFACE's own addresses. attach on an interface already running\n"
    "sluice-decap replaces it with the new settings. Run as root.\n";

int usage_error(const char* fmt, ...) {
  std::fputs("sluice-decap: ", stderr);
  va_list ap;
  va_start(ap, fmt);
  std::vfprintf(stderr, fmt, ap);
  va_end(ap);
  std::fputs("\n", stderr);
  std::fputs(kUsage, stderr);
  return 2;
}

// libbpf's own messages: warnings and errors only (the verifier log on a failed load).
int libbpf_print(enum libbpf_print_level level, const char* fmt, va_list ap) {
  if (level == LIBBPF_DEBUG) return 0;
  return std::vfprintf(stderr, fmt, ap);
}

void print_status(const std::string& iface, const DecapStatus& st) {
  std::printf("%s on %s (ifindex %d): %s mode, program id %u\n", DECAP_PROG_NAME, iface.c_str(),
              st.ifindex, to_string(st.attached.mode), st.attached.prog_id);
  std::printf("gue port: %u\n", unsigned(st.gue_port));
  std::printf("local addresses:");
  for (const AddrBytes& a : st.locals) std::printf(" %s", format_address(a).c_str());
  std::printf("\n");
}

void print_counters(const DecapStatus& st) {
  std::printf("%-20s %14s %16s\n", "counter", "packets", "bytes");
  for (int i = 0; i < DECAP_NR_COUNTERS; ++i) {
    std::printf("%-20s %14llu %16llu\n", decap_counter_info[i].name,
                static_cast<unsigned long long>(st.counters[i].packets),
                static_cast<unsigned long long>(st.counters[i].bytes));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::string& cmd = args[0];
  if (cmd != "attach" && cmd != "stats" && cmd != "detach")
    return usage_error("unknown command '%s'", cmd.c_str());
  if (args.size() < 2) return usage_error("%s needs an interface name", cmd.c_str());
  const std::string& iface = args[1];

  DecapAttachOptions opts;
  for (size_t i = 2; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (cmd != "attach") return usage_error("%s takes no option '%s'", cmd.c_str(), a.c_str());
    if (i + 1 >= args.size()) return usage_error("%s needs a value", a.c_str());
    const std::string& v = args[++i];
    if (a == "--gue-port") {
      unsigned port = 0;
      const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), port);
      if (ec != std::errc() || end != v.data() + v.size() || port == 0 || port > 65535)
        return usage_error("--gue-port '%s': want a port 1-65535", v.c_str());
      opts.gue_port = uint16_t(port);
    } else if (a == "--local") {
      const auto addr = parse_address(v);
      if (!addr) return usage_error("--local '%s': not an IPv4 or IPv6 address", v.c_str());
      opts.locals.push_back(*addr);
    } else if (a == "--mode") {
      const auto mode = parse_xdp_mode(v);
      if (!mode) return usage_error("--mode '%s': want auto, native or generic", v.c_str());
      opts.mode = *mode;
    } else {
      return usage_error("unknown option '%s'", a.c_str());
    }
  }

  if (geteuid() != 0) {
    std::fprintf(stderr,
                 "sluice-decap: must run as root (loading BPF and attaching XDP need "
                 "CAP_BPF and CAP_NET_ADMIN)\n");
    return 1;
  }
  libbpf_set_print(libbpf_print);
  try {
    if (cmd == "attach") {
      const DecapStatus st = decap_attach(iface, opts);
      std::printf("%s ", st.replaced ? "replaced" : "attached");
      print_status(iface, st);
    } else if (cmd == "stats") {
      const DecapStatus st = decap_status(iface);
      print_status(iface, st);
      print_counters(st);
    } else {
      decap_detach(iface);
      std::printf("detached %s from %s\n", DECAP_PROG_NAME, iface.c_str());
    }
  } catch (const BpfError& e) {
    std::fprintf(stderr, "sluice-decap: %s\n", e.what());
    return 1;
  }
  return 0;
}
