// SPDX-License-Identifier: BSD-3-Clause
// sluiced --config FILE [--check]
#include <cstdio>
#include <string>

#include "config/config_loader.h"
#include "sluiced/daemon.h"

int main(int argc, char** argv) {
  std::string path;
  bool check_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if ((arg == "--config" || arg == "-c") && i + 1 < argc) {
      path = argv[++i];
    } else if (arg == "--check") {
      check_only = true;
    } else {
      path.clear();
      break;
    }
  }
  if (path.empty()) {
    std::fprintf(stderr,
                 "usage: sluiced --config FILE [--check]\n"
                 "  --check  validate FILE: print OK, or every error as file:line:column\n"
                 "Signals: SIGHUP reloads FILE (a bad file is refused, the running one stays);\n"
                 "SIGINT/SIGTERM stop sluiced (the dataplane keeps forwarding).\n");
    return 2;
  }
  sluice::config::LoadResult loaded = sluice::config::load_config_file(path);
  if (!loaded.config) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return 1;
  }
  if (check_only) {
    std::printf("OK\n");
    return 0;
  }
  setvbuf(stderr, nullptr, _IOLBF, 0);
  sluice::sluiced::Daemon daemon(path, std::move(*loaded.config));
  return daemon.run();
}
