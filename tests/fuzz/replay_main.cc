// SPDX-License-Identifier: BSD-3-Clause
// Runs a libFuzzer target without libFuzzer, so that any compiler (and CI) can exercise
// it under the sanitizers: every file in the given directories as an input, then
// MUTATIONS deterministic mutations of each (bytes replaced, inserted, erased, runs
// duplicated, the end cut off; a fixed seed, so a failure repeats).
//
//   <target>_replay [--mutations N] DIR...
//
// A target reports a failure by aborting; this prints the input first, as hex.
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

using Bytes = std::vector<uint8_t>;

const Bytes* current = nullptr;

void print_current(int) {
  if (current) {
    std::fprintf(stderr, "input (%zu bytes):", current->size());
    for (uint8_t b : *current) std::fprintf(stderr, " %02x", b);
    std::fprintf(stderr, "\n");
  }
  std::_Exit(1);
}

void run(const Bytes& input) {
  current = &input;
  LLVMFuzzerTestOneInput(input.data(), input.size());
  current = nullptr;
}

Bytes mutate(const Bytes& seed, std::mt19937& rng) {
  Bytes b = seed;
  auto below = [&rng](size_t n) { return n ? size_t(rng() % n) : 0; };
  const int edits = 1 + int(rng() % 4);
  for (int e = 0; e < edits; ++e) {
    const size_t at = below(b.size() + 1);
    switch (rng() % 5) {
      case 0:
        if (!b.empty()) b[below(b.size())] = uint8_t(rng());
        break;
      case 1:
        b.insert(b.begin() + long(at), uint8_t(rng()));
        break;
      case 2:
        b.erase(b.begin() + long(at), b.begin() + long(std::min(b.size(), at + 1 + below(8))));
        break;
      case 3: {
        if (b.empty()) break;
        const size_t from = below(b.size());
        const Bytes copied(b.begin() + long(from),
                           b.begin() + long(std::min(b.size(), from + 1 + below(64))));
        b.insert(b.begin() + long(at), copied.begin(), copied.end());
        break;
      }
      case 4:
        b.resize(below(b.size() + 1));
        break;
    }
  }
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  long mutations = 0;
  std::vector<std::filesystem::path> dirs;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--mutations") == 0 && i + 1 < argc)
      mutations = std::strtol(argv[++i], nullptr, 10);
    else
      dirs.emplace_back(argv[i]);
  }
  if (dirs.empty()) {
    std::fprintf(stderr, "usage: %s [--mutations N] DIR...\n", argv[0]);
    return 2;
  }
  std::signal(SIGABRT, print_current);

  std::vector<std::filesystem::path> files;
  for (const auto& dir : dirs)
    for (const auto& entry : std::filesystem::directory_iterator(dir))
      if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "%s: no inputs in the given directories\n", argv[0]);
    return 2;
  }

  std::mt19937 rng(1);
  long runs = 0;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    const Bytes seed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    run(seed);
    ++runs;
    for (long m = 0; m < mutations; ++m, ++runs) run(mutate(seed, rng));
  }
  std::printf("%ld inputs from %zu files, no failure\n", runs, files.size());
  return 0;
}
