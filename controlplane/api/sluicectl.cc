// SPDX-License-Identifier: BSD-3-Clause
// sluicectl: thin client of sluiced's runtime socket (see client.h for the behaviour).
#include <iostream>
#include <string>
#include <vector>

#include "api/client.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return sluice::api::run_sluicectl(args, std::cout, std::cerr);
}
