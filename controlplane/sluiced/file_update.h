// SPDX-License-Identifier: BSD-3-Clause
// A generated file kept for another program (bird's policy file, [bgp] bird_policy):
// replaced atomically (a temporary file in the same directory, then rename), and only
// when its content changes, so that its reader is told to read it again only then.
// Main loop only.
#pragma once

#include <optional>
#include <string>

namespace sluice::sluiced {

struct FileUpdate {
  bool changed = false;              // the file now holds the text and did not before
  std::optional<std::string> error;  // "PATH: cannot create PATH.tmp: Permission denied", ...
};

// The file at `path` made to hold exactly `text`; its directory is created if missing.
FileUpdate update_file(const std::string& path, const std::string& text);

}  // namespace sluice::sluiced
