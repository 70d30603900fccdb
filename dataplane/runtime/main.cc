// SPDX-License-Identifier: BSD-3-Clause
// sluice-dataplane --config FILE [--check] | --help
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_pdump.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "config/config_loader.h"
#include "runtime/dataplane.h"
#include "runtime/eal_args.h"
#include "runtime/eal_leftovers.h"
#include "runtime/port.h"
#include "runtime/telemetry.h"

namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};

void on_signal(int signal) {
  if (signal == SIGHUP)
    g_reload = true;
  else
    g_stop = true;
}

int usage(FILE* out, int status) {
  std::fputs(
      "usage: sluice-dataplane --config FILE [--check]\n"
      "  --config FILE  TOML configuration (see configs/)\n"
      "  --check        validate FILE, print OK or its errors, and exit\n"
      "  --help         print this and exit\n"
      "Signals: SIGHUP reloads FILE; SIGINT/SIGTERM stop and print counters.\n",
      out);
  return status;
}

// After rte_eal_cleanup(): the hugepage files and the runtime directory of our file prefix,
// which EAL keeps for secondary processes (the pages stay taken while the files exist).
void remove_eal_leftovers(const std::vector<std::string>& eal_argv, const std::string& prefix,
                          const std::string& runtime_dir) {
  std::ifstream mounts("/proc/mounts");
  std::stringstream text;
  text << mounts.rdbuf();
  const sluice::LeftoversRemoved removed = sluice::remove_eal_leftovers(
      sluice::hugepage_dirs(text.str(), eal_argv), prefix, runtime_dir);
  for (const std::string& e : removed.errors)
    std::fprintf(stderr, "sluice-dataplane: cannot remove what EAL left: %s\n", e.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path;
  bool check_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if ((arg == "--config" || arg == "-c") && i + 1 < argc)
      config_path = argv[++i];
    else if (arg == "--check")
      check_only = true;
    else if (arg == "--help" || arg == "-h")
      return usage(stdout, 0);
    else
      return usage(stderr, 2);
  }
  if (config_path.empty()) return usage(stderr, 2);

  sluice::config::LoadResult loaded = sluice::config::load_config_file(config_path);
  if (!loaded.config) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return 1;
  }
  if (check_only) {
    std::printf("OK\n");
    return 0;
  }
  const sluice::config::Config& config = *loaded.config;

  // exception_path = "xdp": DPDK's af_xdp PMD loads the steering program from a file.
  std::string steering_object, error;
  if (!sluice::prepare_xdp_steering(config, steering_object, error)) {
    std::fprintf(stderr, "sluice-dataplane: %s\n", error.c_str());
    return 1;
  }

  std::vector<std::string> eal = sluice::eal_arguments(config);
  std::vector<char*> eal_argv;
  for (std::string& a : eal) eal_argv.push_back(a.data());
  if (rte_eal_init(int(eal_argv.size()), eal_argv.data()) < 0) {
    std::fprintf(stderr, "sluice-dataplane: EAL init failed: %s\n", rte_strerror(rte_errno));
    return 1;
  }
  const std::string runtime_dir = rte_eal_get_runtime_dir();
  if (rte_pdump_init() != 0)
    std::fprintf(stderr, "sluice-dataplane: dpdk-dumpcap capture unavailable: %s\n",
                 rte_strerror(rte_errno));

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);

  int status = 0;
  {
    sluice::Dataplane dataplane(config_path, config);
    const bool started = dataplane.start();
    if (!steering_object.empty()) std::filesystem::remove(steering_object);  // loaded by now
    if (started) {
      sluice::register_telemetry(dataplane);
      std::printf("sluice-dataplane running; SIGHUP reloads %s\n", config_path.c_str());
      std::fflush(stdout);
      dataplane.run(g_stop, g_reload);
      sluice::unregister_telemetry();
      std::printf("final counters:\n%s", dataplane.summary().c_str());
      std::fflush(stdout);
    } else {
      status = 1;
    }
    rte_pdump_uninit();
  }
  rte_eal_cleanup();
  remove_eal_leftovers(eal, config.dataplane.file_prefix, runtime_dir);
  return status;
}
