// SPDX-License-Identifier: BSD-3-Clause
// The replies of a real bird 2.0.12, captured from its control socket
// (tests/unit/data/bird/README.md), for the tests of controlplane/bird/.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bird/protocols.h"
#include "bird/reply.h"

namespace sluice::bird {

// For gtest's messages: {name proto state since session last_error}.
inline void PrintTo(const ProtocolStatus& p, std::ostream* os) {
  *os << "{" << p.name << " " << p.proto << " " << p.state << " '" << p.since << "' '" << p.session
      << "' '" << p.last_error << "'}";
}

namespace testing {

// The bytes of tests/unit/data/bird/<name>; "" (and a failure) when the file is missing.
inline std::string capture(const std::string& name) {
  const char* root = std::getenv("MESON_SOURCE_ROOT");
  std::filesystem::path path =
      std::filesystem::path(root ? root : ".") / "tests/unit/data/bird" / name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path << " not found (meson test sets MESON_SOURCE_ROOT)";
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every reply in `bytes`, which must be BIRD's protocol.
inline std::vector<Reply> replies_of(const std::string& bytes) {
  ReplyReader reader;
  EXPECT_TRUE(reader.feed(bytes)) << reader.error();
  std::vector<Reply> out;
  Reply r;
  while (reader.next(r)) out.push_back(r);
  return out;
}

}  // namespace testing
}  // namespace sluice::bird
