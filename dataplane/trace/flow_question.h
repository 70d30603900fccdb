// SPDX-License-Identifier: BSD-3-Clause
// One question to some workers' flow tables, for the main lcore: posted to each of their
// mailboxes (trace/flow_mailbox.h) at once, and answered when each has answered. Several
// questions may wait at the same time (the control channel has several clients): a
// question takes all of its mailboxes in one go, only when none is held by another
// question nor still busy with a question given up, so no two wait on each other. The
// answers stay in the mailboxes, untouched, until the question is destroyed.
// Main lcore only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "trace/flow_mailbox.h"

namespace sluice {

// Every worker's mailbox, by worker index, and which of them a question holds.
class FlowMailboxes {
 public:
  explicit FlowMailboxes(std::vector<FlowMailbox*> boxes)
      : boxes_(std::move(boxes)), held_(boxes_.size(), false) {}
  size_t size() const { return boxes_.size(); }

 private:
  friend class FlowQuestion;
  std::vector<FlowMailbox*> boxes_;
  std::vector<bool> held_;
};

class FlowQuestion {
 public:
  using Fill = std::function<void(FlowRequest&)>;

  // Asks `workers` (indexes into `boxes`, each once) what `fill` writes in a request.
  FlowQuestion(FlowMailboxes& boxes, std::vector<uint32_t> workers, Fill fill);
  ~FlowQuestion();
  FlowQuestion(const FlowQuestion&) = delete;
  FlowQuestion& operator=(const FlowQuestion&) = delete;

  // Posts the question once its mailboxes are free; true once every worker answered.
  bool poll();
  bool posted() const { return posted_; }
  const std::vector<uint32_t>& workers() const { return workers_; }
  // The answer of workers()[i], once poll() said true.
  const FlowAnswer& answer(size_t i) const { return boxes_.boxes_[workers_[i]]->answer(); }

 private:
  FlowMailboxes& boxes_;
  std::vector<uint32_t> workers_;
  Fill fill_;
  bool posted_ = false;
};

}  // namespace sluice
