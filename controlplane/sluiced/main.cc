// SPDX-License-Identifier: BSD-3-Clause
// sluiced --config FILE [--check | --withdraw | --bird-policy] | --help
#include <cstdio>
#include <string>

#include "bird/policy.h"
#include "config/config_loader.h"
#include "sluiced/daemon.h"
#include "sluiced/file_update.h"
#include "sluiced/route_table.h"

namespace {

constexpr const char* kUsage =
    "usage: sluiced --config FILE [--check | --withdraw | --bird-policy]\n"
    "       sluiced --help\n"
    "  --check     validate FILE: print OK, or every error as file:line:column\n"
    "  --withdraw  remove every route sluiced announced ([bgp] table and protocol of FILE)\n"
    "              and exit: for systemd's ExecStopPost, after a crash too\n"
    "  --bird-policy  write bird's policy file ([bgp] bird_policy of FILE) and exit: for\n"
    "              bird.service's ExecStartPre, so bird finds the file it includes at boot\n"
    "Signals: SIGHUP reloads FILE (a bad file is refused, the running one stays);\n"
    "SIGINT/SIGTERM stop sluiced (the dataplane keeps forwarding).\n";

// The usage on stderr after what was wrong; exit status 2.
int usage_error(const std::string& what) {
  if (!what.empty()) std::fprintf(stderr, "sluiced: %s\n", what.c_str());
  std::fputs(kUsage, stderr);
  return 2;
}

// --withdraw: the routes of sluiced's protocol in its table, removed.
int withdraw_routes(const sluice::config::BgpSettings& bgp) {
  if (!bgp.enable) {
    std::printf("bgp not enabled: nothing to withdraw\n");
    return 0;
  }
  sluice::sluiced::RouteTable routes(bgp.table, bgp.protocol);
  size_t removed = 0;
  if (auto error = routes.flush(&removed)) {
    std::fprintf(stderr, "sluiced: --withdraw: table %u: %s\n", bgp.table, error->c_str());
    return 1;
  }
  std::printf("withdrew %zu route(s) of protocol %u from table %u\n", removed, bgp.protocol,
              bgp.table);
  return 0;
}

// --bird-policy: the file bird's config includes, written from FILE's VIPs.
int write_bird_policy(const sluice::config::Config& config) {
  const std::string& path = config.bgp.bird_policy;
  if (!config.bgp.enable || path.empty()) {
    std::printf("bgp not enabled or [bgp] bird_policy = \"\": no policy file\n");
    return 0;
  }
  sluice::sluiced::FileUpdate update =
      sluice::sluiced::update_file(path, sluice::bird::policy_text(config.vips));
  if (update.error) {
    std::fprintf(stderr, "sluiced: --bird-policy: %s\n", update.error->c_str());
    return 1;
  }
  std::printf("%s %s\n", update.changed ? "wrote" : "unchanged:", path.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  bool check_only = false;
  bool withdraw = false;
  bool bird_policy = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg == "--config" || arg == "-c") {
      if (i + 1 == argc) return usage_error(arg + " needs a FILE");
      path = argv[++i];
    } else if (arg == "--check") {
      check_only = true;
    } else if (arg == "--withdraw") {
      withdraw = true;
    } else if (arg == "--bird-policy") {
      bird_policy = true;
    } else {
      return usage_error("unknown option '" + arg + "'");
    }
  }
  if (path.empty()) return usage_error("");
  sluice::config::LoadResult loaded = sluice::config::load_config_file(path);
  if (!loaded.config) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return 1;
  }
  if (check_only) {
    std::printf("OK\n");
    return 0;
  }
  if (withdraw) return withdraw_routes(loaded.config->bgp);
  if (bird_policy) return write_bird_policy(*loaded.config);
  setvbuf(stderr, nullptr, _IOLBF, 0);
  sluice::sluiced::Daemon daemon(path, std::move(*loaded.config));
  return daemon.run();
}
