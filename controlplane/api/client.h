// SPDX-License-Identifier: BSD-3-Clause
// The client side of the runtime socket, used by sluicectl: connect, send one command
// line followed by `quit`, read every answer until the server closes. Blocking; any
// thread (no shared state).
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::api {

inline constexpr int kExitOk = 0;
inline constexpr int kExitErrorAnswer = 1;  // some answer is an error line
inline constexpr int kExitUsage = 2;        // bad arguments, cannot connect, timeout

struct QueryResult {
  bool ok = false;      // connected and read until the server closed
  std::string answers;  // raw text: each answer ends with a blank line
  std::string error;    // when !ok: what went wrong, for the operator
};

QueryResult query(const std::string& socket_path, std::string_view line, int timeout_ms);

// Splits raw answer text into answers (each without its ending blank line).
std::vector<std::string> split_answers(std::string_view text);

// `sluicectl [-s SOCKET] [-t SECONDS] [--json] COMMAND...`; args exclude argv[0]. Answers
// go to `out`, error answers and diagnostics to `err`. Returns the process exit code.
// `-h`/`--help` prints the usage, with every command of the command table, to `out`.
int run_sluicectl(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace sluice::api
