// SPDX-License-Identifier: BSD-3-Clause
#include "trace/flow_question.h"

namespace sluice {

FlowQuestion::FlowQuestion(FlowMailboxes& boxes, std::vector<uint32_t> workers, Fill fill)
    : boxes_(boxes), workers_(std::move(workers)), fill_(std::move(fill)) {}

FlowQuestion::~FlowQuestion() {
  // A mailbox still busy with this question stays so until its worker answers; the next
  // question waits for that (poll() checks idle()).
  if (posted_)
    for (uint32_t w : workers_) boxes_.held_[w] = false;
}

bool FlowQuestion::poll() {
  if (!posted_) {
    for (uint32_t w : workers_)
      if (boxes_.held_[w] || !boxes_.boxes_[w]->idle()) return false;
    for (uint32_t w : workers_) {
      boxes_.held_[w] = true;
      FlowMailbox& box = *boxes_.boxes_[w];
      fill_(box.request());
      box.post();
    }
    posted_ = true;
    return false;
  }
  for (uint32_t w : workers_)
    if (!boxes_.boxes_[w]->idle()) return false;
  return true;
}

}  // namespace sluice
