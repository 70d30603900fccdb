// SPDX-License-Identifier: BSD-3-Clause
// The answer of a command that comes later: sluiced asks the dataplane (trace, show
// conns) and answers when the dataplane does. The command's handler returns it unfinished
// (Reply::later) and the Model completes it; the server holds that connection's next
// commands until then, and the dispatcher of a Model that answers at once goes straight
// on. Shared by the handler, the Model's pending request and the server; loop thread only.
#pragma once

#include <functional>
#include <string>
#include <utility>

namespace sluice::api {

class LaterReply {
 public:
  // The answer's lines, each ending in '\n', as a Reply's. Only the first call counts.
  void complete(std::string lines) {
    if (done_) return;
    lines_ = std::move(lines);
    done_ = true;
    if (wake_) wake_();
  }
  bool done() const { return done_; }
  const std::string& lines() const { return lines_; }
  // What complete() calls: the server's, while a connection waits for this answer.
  void set_wake(std::function<void()> wake) { wake_ = std::move(wake); }

 private:
  std::string lines_;
  bool done_ = false;
  std::function<void()> wake_;
};

}  // namespace sluice::api
