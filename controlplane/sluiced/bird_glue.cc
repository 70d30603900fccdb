// SPDX-License-Identifier: BSD-3-Clause
// bird's sessions as sluiced shows them ([bgp] bird_socket, docs/bgp.md): the poller in
// the loop, its news in the log, its last answer in `show bgp` and /metrics.
#include <cstdio>
#include <set>

#include "api/format.h"
#include "sluiced/daemon.h"

namespace sluice::sluiced {

namespace {

api::BgpSessionView view_of(const bird::ProtocolStatus& p) {
  return {.name = p.name,
          .proto = p.proto,
          .state = p.state,
          .since = p.since,
          .session = p.session,
          .last_error = p.last_error};
}

}  // namespace

void Daemon::start_bird() {
  const std::string& path = config_.bgp.bird_socket;
  if (path.empty()) return;
  bird_ = std::make_unique<bird::Poller>(path);
  std::fprintf(stderr, "sluiced: bgp: reading bird's sessions at %s every second\n", path.c_str());
}

void Daemon::tick_bird(const std::function<void(int)>& watch) {
  if (!bird_) return;
  bird_->tick(now_ms());
  if (bird_->fd_changed() && bird_->fd() >= 0) watch(bird_->fd());
}

void Daemon::log_bird_changes() {
  if (!bird_) return;
  const char* path = bird_->path().c_str();
  if (bird_->reachable() != bird_logged_.reachable ||
      (!bird_->reachable() && bird_->error() != bird_logged_.error)) {
    if (bird_->reachable())
      std::fprintf(stderr, "sluiced: bgp: reading bird %s at %s\n", bird_->version().c_str(), path);
    else
      std::fprintf(stderr, "sluiced: bgp: bird not reachable at %s (%s); retrying\n", path,
                   bird_->error().c_str());
    bird_logged_.reachable = bird_->reachable();
    bird_logged_.error = bird_->error();
  }
  if (!bird_->reachable()) return;
  std::set<std::string> seen;
  for (const bird::ProtocolStatus& p : bird_->protocols()) {
    seen.insert(p.name);
    auto [last, added] = bird_logged_.sessions.try_emplace(p.name);
    // A session that does not come up says why once, not at each of bird's retries.
    bool news =
        added || last->second.state != p.state ||
        (p.state != "up" && !p.last_error.empty() && last->second.last_error != p.last_error);
    if (!news) continue;
    std::string info = api::session_info(view_of(p));
    std::fprintf(stderr, "sluiced: bgp: session %s (%s) %s since %s%s%s\n", p.name.c_str(),
                 p.proto.c_str(), p.state.c_str(), p.since.c_str(), info.empty() ? "" : ": ",
                 info.c_str());
    last->second = p;
  }
  std::erase_if(bird_logged_.sessions, [&](const auto& kv) { return !seen.count(kv.first); });
}

api::BirdView Daemon::bird_view() const {
  api::BirdView view;
  if (!bird_) return view;
  view.socket = bird_->path();
  view.reachable = bird_->reachable();
  view.error = bird_->error();
  view.version = bird_->version();
  if (auto at = bird_->last_answer_ms()) view.answer_age_s = (now_ms() - *at) / 1000;
  for (const bird::ProtocolStatus& p : bird_->protocols()) view.sessions.push_back(view_of(p));
  return view;
}

}  // namespace sluice::sluiced
