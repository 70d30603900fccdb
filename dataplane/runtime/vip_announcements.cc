// SPDX-License-Identifier: BSD-3-Clause
// Announcing the VIPs: gratuitous ARP / unsolicited NA bursts, garp_count rounds every
// garp_interval_ms, for each VIP that became active or that sluiced asked to re-announce.
#include <algorithm>
#include <set>

#include "packet/neighbor_packets.h"
#include "runtime/dataplane.h"

namespace sluice {

void Dataplane::schedule_new_vips(uint32_t now) {
  std::set<IpAddress> active;
  for (const config::Vip& v : config_.vips)
    if (v.active) active.insert(v.address);
  for (const IpAddress& a : active)
    if (!announced_.count(a)) schedule_announcement(a, config_.dataplane.garp_count, now);
  // A VIP withdrawn in the middle of its burst must not be announced any further.
  std::erase_if(announcements_, [&](const Announcement& a) { return !active.count(a.address); });
  announced_ = std::move(active);
}

void Dataplane::schedule_announcement(const IpAddress& address, uint32_t rounds, uint32_t now) {
  if (rounds == 0) return;
  for (Announcement& a : announcements_)
    if (a.address == address) {
      a.remaining = std::max(a.remaining, rounds);
      return;
    }
  announcements_.push_back({address, rounds, now});
}

void Dataplane::announce(uint32_t now) {
  for (size_t i = 0; i < announcements_.size();) {
    Announcement& a = announcements_[i];
    if (int32_t(now - a.next_ms) >= 0) {
      for (uint16_t p = 0; p < ports_.size(); ++p) {
        uint8_t frame[128];
        uint32_t length = a.address.is_v4()
                              ? build_gratuitous_arp(frame, sizeof frame, ports_[p].mac, a.address)
                              : build_unsolicited_na(frame, sizeof frame, ports_[p].mac, a.address);
        if (length) ports_[p].send_control_frame(frame, length);
      }
      a.next_ms = now + config_.dataplane.garp_interval_ms;
      --a.remaining;
    }
    if (a.remaining == 0)
      announcements_.erase(announcements_.begin() + long(i));
    else
      ++i;
  }
}

}  // namespace sluice
