// SPDX-License-Identifier: BSD-3-Clause
// HealthMonitor runs every configured check on non-blocking sockets, all multiplexed on
// one epoll instance it owns, and reports UP/DOWN transitions as events.
//
// Ownership and threads: the monitor owns its epoll fd, every probe socket and every
// check's state; the Clock is borrowed and must outlive it. It is not thread-safe: build
// it, call every method and read its events on one thread (sluiced's main loop).
//
// Driving it from an event loop: fd() is an epoll fd, itself pollable, so add it to the
// loop's own epoll (level-triggered EPOLLIN) and
//
//   for (;;) {
//     int wait = earliest(other_timers_ms, monitor.next_timeout_ms());  // -1 = none
//     int n = epoll_wait(loop_fd, events, max, wait);
//     ...                             // the loop's other fds
//     monitor.poll();                 // cheap when nothing is ready or due
//     for (Event& e : monitor.take_events()) apply(e);
//   }
//
// poll() handles the probe sockets that are ready, the deadlines that passed and the
// checks that are due; it never blocks. A loop without its own epoll can call
// run_once(max_wait_ms) instead, which waits on fd() itself.
//
// Scheduling: one min-heap of next start times and deadlines (a check has exactly one
// pending timer), so the cost per check run is O(log n) plus its socket calls. Checks
// added by one set_checks() are spread evenly over their first interval, and every
// interval is jittered by +-jitter_percent/2, so 1,000 checks never fire together.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "health/check_result.h"
#include "health/check_spec.h"
#include "health/clock.h"
#include "health/duration_histogram.h"
#include "health/health_state.h"

namespace sluice::health {

class Probe;
struct ProbeStep;

// A check changed state. Several backends (of several VIPs) may share one check: the
// caller maps `key` back to them.
struct Event {
  CheckKey key;
  CheckSpec::Kind kind;
  IpAddress address;
  uint16_t port;
  bool up;             // the new state
  CheckResult result;  // the result that completed rise or fall
  uint64_t at_us;      // Clock time
  uint32_t latency_us;
  // "http 10.0.0.1:80 is DOWN: L7 HTTP 503"
  std::string text() const;
};

struct CheckStatus {
  CheckKey key;
  CheckSpec spec;
  HealthState health;      // up/down, checked yet, last result, counters, times
  bool in_progress;        // a run is in flight
  uint64_t next_check_us;  // start of the next run, or the deadline of the one in flight
};

struct MonitorOptions {
  uint32_t jitter_percent = 5;  // each interval varies within +-jitter_percent/2 %; max 100
  uint64_t seed = 0x5eed;       // of the jitter's pseudo-random sequence
};

class HealthMonitor {
 public:
  explicit HealthMonitor(Clock& clock, MonitorOptions options = {});
  ~HealthMonitor();
  HealthMonitor(const HealthMonitor&) = delete;
  HealthMonitor& operator=(const HealthMonitor&) = delete;

  // False when the epoll instance could not be created (error() has the errno); the
  // monitor then keeps its checks but never runs them.
  bool ok() const { return epoll_fd_ >= 0; }
  int error() const { return error_; }
  int fd() const { return epoll_fd_; }

  // Replaces the whole set of checks; duplicates (same key()) become one check.
  // Checks whose key is unchanged keep their state, schedule and run in flight. A new
  // check with the same probe_key() as a dropped one (only timing, rise, fall or initial
  // changed) takes over its state. Other checks start "not checked yet", spread over
  // their first interval. Specs are expected to pass CheckSpec::validate().
  void set_checks(std::vector<CheckSpec> specs);

  // Handles ready sockets, passed deadlines and due checks; never blocks.
  void poll() { run_once(0); }
  // Waits up to max_wait_ms (-1: no limit) for I/O or the next timer, then polls.
  void run_once(int max_wait_ms);
  // Milliseconds until the next start or deadline, rounded up; 0 when one is due, -1
  // when there are no checks (or !ok()). Waking up early is harmless.
  int next_timeout_ms() const;

  // Transitions since the last call, in the order they happened.
  std::vector<Event> take_events();

  // How long the finished checks of one kind took, successes and failures apart, since the
  // monitor was built (a reload keeps them).
  const DurationHistogram& durations(CheckSpec::Kind kind, bool success) const {
    return durations_[size_t(kind)][success ? 1 : 0];
  }

  std::optional<CheckStatus> status(const CheckKey& key) const;
  std::vector<CheckStatus> statuses() const;  // in no particular order
  size_t size() const { return index_.size(); }

 private:
  struct Slot;
  struct Timer {
    uint64_t due_us;
    uint64_t seq;
    uint32_t slot;
  };
  struct TimerLater {
    bool operator()(const Timer& a, const Timer& b) const { return a.due_us > b.due_us; }
  };

  uint32_t new_slot(CheckKey key, CheckSpec spec, uint64_t now);
  void free_slot(uint32_t index);
  void schedule(Slot& s, uint64_t due_us);
  void start(Slot& s, uint64_t now);
  void advance(Slot& s, const ProbeStep& step, uint64_t now);
  void finish(Slot& s, const CheckResult& r, uint64_t now);
  uint64_t next_start(const Slot& s, uint64_t now);
  void handle_io(int wait_ms);
  void run_timers();
  void compact_timers();
  CheckStatus status_of(const Slot& s) const;

  Clock& clock_;
  MonitorOptions options_;
  int epoll_fd_ = -1;
  int error_ = 0;
  uint64_t rng_;
  uint64_t next_seq_ = 1;
  std::vector<std::unique_ptr<Slot>> slots_;  // nullptr: free
  std::vector<uint32_t> free_slots_;
  std::unordered_map<CheckKey, uint32_t> index_;
  std::vector<Timer> timers_;  // min-heap on due_us; stale entries skipped by seq
  std::vector<Event> events_;
  std::array<std::array<DurationHistogram, 2>, CheckSpec::kKinds> durations_;  // [kind][success]
};

}  // namespace sluice::health
