// SPDX-License-Identifier: BSD-3-Clause
// The MAC addresses of the next hops the dataplane needs (on-link backends, gateways),
// learnt from ARP / neighbor discovery and kept fresh by re-soliciting. Static entries from
// the config always win. Main lcore only; workers see the result through the snapshot.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "net/ip_address.h"
#include "net/mac_address.h"

namespace sluice {

// An unanswered solicitation doubles the wait before the next one, up to max_retry_ms
// (as the kernel's neighbour code backs off), so dead next hops cost little; a reply
// resets it. All solicitations together are capped at solicit_rate per second.
struct NeighborTimers {
  uint32_t retry_ms = 200;           // unresolved: the first retry (a TCP SYN retries in 1 s)
  uint32_t refresh_ms = 30'000;      // resolved: re-solicit when the binding is this old,
  uint32_t refresh_retry_ms = 1000;  // then retry from this interval until it is confirmed
  uint32_t expiry_ms = 120'000;      // resolved but unconfirmed this long: forget the MAC
  uint32_t max_retry_ms = 30'000;    // the backoff's ceiling
  uint32_t solicit_rate = 1000;      // solicitations per second at most (and per burst)
};

struct NeighborStats {
  uint64_t solicited = 0;
  uint64_t rate_limited = 0;  // due solicitations put off by solicit_rate
};

class NeighborCache {
 public:
  explicit NeighborCache(NeighborTimers timers = {}) : timers_(timers) {}

  // Replaces the set of addresses to resolve and the static bindings. Learnt MACs of
  // addresses still wanted are kept. Returns true if a lookup result changed.
  bool configure(const std::vector<IpAddress>& wanted,
                 const std::map<IpAddress, MacAddress>& statics);

  // A binding seen on the wire. Ignored unless the address is wanted and not static.
  // Returns true if a lookup result changed.
  bool learn(const IpAddress& ip, const MacAddress& mac, uint32_t now_ms);

  std::optional<MacAddress> lookup(const IpAddress& ip) const;

  // Addresses to solicit now, the longest overdue first, at most what solicit_rate
  // allows (the rest stay due). Each is then not due again until its backoff interval has
  // passed. Also forgets bindings past expiry; `changed` is set when that altered a lookup.
  std::vector<IpAddress> due(uint32_t now_ms, bool& changed);
  const NeighborStats& stats() const { return stats_; }

  struct View {
    IpAddress ip;
    std::optional<MacAddress> mac;
    bool is_static;
    uint32_t age_ms;
  };
  std::vector<View> entries(uint32_t now_ms) const;

  // Every change of a lookup result is numbered and the addresses of the latest ones are
  // kept, so that a reader that remembers the number it last saw (the state builder)
  // re-reads only what changed.
  uint64_t change_count() const { return changes_; }
  // The addresses whose lookup changed after change number `seen`; nullopt when they are
  // no longer all known (configure() changed the set, or too many changes since).
  std::optional<std::vector<IpAddress>> changed_since(uint64_t seen) const;

 private:
  static constexpr size_t kJournal = 4096;
  void record_change(const IpAddress& ip);
  struct Entry {
    std::optional<MacAddress> mac;
    bool is_static = false;
    uint32_t confirmed_ms = 0;
    uint32_t next_solicit_ms = 0;
    uint32_t retry_interval_ms = 0;  // the wait after the next solicitation
    bool solicit_scheduled = false;
  };
  bool take_token(uint32_t now_ms);

  NeighborTimers timers_;
  std::map<IpAddress, Entry> entries_;
  NeighborStats stats_;
  uint64_t tokens_milli_ = uint64_t(timers_.solicit_rate) * 1000;  // 1000 per solicitation
  std::optional<uint32_t> refilled_ms_;
  uint64_t changes_ = 0;
  uint64_t journal_first_ = 1;     // the change number of journal_.front()
  std::deque<IpAddress> journal_;  // changes journal_first_ .. changes_
};

}  // namespace sluice
