// SPDX-License-Identifier: BSD-3-Clause
// [bgp] bird_policy (docs/bgp.md): the file of each VIP's local_pref and communities that
// bird's export filter applies. Written from the config alone (health and announcements
// never touch it), replaced only when its text changes, and then bird is asked to
// `configure` on its control socket; its answer goes to the log and `show bgp`.
#include <algorithm>
#include <cstdio>

#include "bird/policy.h"
#include "sluiced/daemon.h"
#include "sluiced/file_update.h"

namespace sluice::sluiced {

void Daemon::write_bird_policy() {
  const std::string& path = config_.bgp.bird_policy;
  if (!bgp_enabled() || path.empty()) return;
  bird_policy_.vips = size_t(std::count_if(config_.vips.begin(), config_.vips.end(), [](auto& v) {
    return v.bgp.local_pref || !v.bgp.communities.empty();
  }));
  FileUpdate update = update_file(path, bird::policy_text(config_.vips));
  if (update.error) {
    if (*update.error != bird_policy_.error)
      std::fprintf(stderr, "sluiced: bgp: bird's policy not written: %s\n", update.error->c_str());
    bird_policy_.error = *update.error;
    return;
  }
  bird_policy_.error.clear();
  if (!update.changed) return;
  if (!bird_) {
    std::fprintf(stderr,
                 "sluiced: bgp: wrote bird's policy %s (%zu VIPs with local_pref or communities); "
                 "no [bgp] bird_socket: reconfigure bird yourself (birdc configure)\n",
                 path.c_str(), bird_policy_.vips);
    return;
  }
  std::fprintf(stderr,
               "sluiced: bgp: wrote bird's policy %s (%zu VIPs with local_pref or communities); "
               "asking bird to reconfigure\n",
               path.c_str(), bird_policy_.vips);
  bird_policy_.asked = true;
  bird_->request_configure(now_ms());
}

void Daemon::log_bird_policy_answer() {
  if (!bird_ || !bird_->configure_answer()) return;
  const bird::Poller::ConfigureAnswer& a = *bird_->configure_answer();
  if (a.number == bird_policy_.answer_logged) return;
  bird_policy_.answer_logged = a.number;
  if (a.accepted)
    std::fprintf(stderr, "sluiced: bgp: bird reconfigured: %s\n", a.line.c_str());
  else
    std::fprintf(stderr,
                 "sluiced: bgp: bird refused its configuration and keeps the previous one: %s\n",
                 a.line.c_str());
}

api::BirdPolicyView Daemon::bird_policy_view() const {
  api::BirdPolicyView view;
  if (config_.bgp.bird_policy.empty()) return view;
  view.path = config_.bgp.bird_policy;
  view.vips = bird_policy_.vips;
  view.error = bird_policy_.error;
  if (bird_ && bird_policy_.asked) {
    if (bird_->configure_pending() || !bird_->configure_answer()) {
      view.bird = "pending";
    } else {
      view.bird = bird_->configure_answer()->accepted ? "accepted" : "refused";
      view.bird_answer = bird_->configure_answer()->line;
    }
  }
  return view;
}

}  // namespace sluice::sluiced
