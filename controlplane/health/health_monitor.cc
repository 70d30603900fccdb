// SPDX-License-Identifier: BSD-3-Clause
#include "health/health_monitor.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <unordered_set>

#include "health/probe.h"

namespace sluice::health {

struct HealthMonitor::Slot {
  Slot(uint32_t i, CheckKey k, CheckSpec sp, uint64_t now)
      : index(i),
        key(std::move(k)),
        spec(std::move(sp)),
        health(spec, now),
        probe(make_probe(spec)) {}

  uint32_t index;
  CheckKey key;
  CheckSpec spec;
  HealthState health;
  std::unique_ptr<Probe> probe;
  bool running = false;
  uint32_t registered = 0;  // epoll events the probe's socket is registered for
  uint32_t run = 0;         // tags the run's epoll events, so stale ones are ignored
  uint64_t started_us = 0;
  uint64_t due_us = 0;
  uint64_t timer_seq = 0;  // only the heap entry with this seq is live
};

namespace {

uint64_t tag(uint32_t slot, uint32_t run) { return uint64_t(run) << 32 | slot; }

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

std::string Event::text() const {
  std::string s = kind_name(kind);
  s += ' ';
  s += target_text(address, port);
  s += up ? " is UP: " : " is DOWN: ";
  s += result.text();
  return s;
}

HealthMonitor::HealthMonitor(Clock& clock, MonitorOptions options)
    : clock_(clock), options_(options), rng_(options.seed) {
  options_.jitter_percent = std::min<uint32_t>(options_.jitter_percent, 100);
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) error_ = errno;
}

HealthMonitor::~HealthMonitor() {
  slots_.clear();  // closes the probes' sockets
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

void HealthMonitor::set_checks(std::vector<CheckSpec> specs) {
  uint64_t now = clock_.now_us();

  std::unordered_set<CheckKey> wanted;
  std::vector<std::pair<CheckKey, CheckSpec>> unique;
  for (CheckSpec& spec : specs) {
    CheckKey key = spec.key();
    if (wanted.insert(key).second) unique.emplace_back(std::move(key), std::move(spec));
  }

  // Dropped checks, by what they probe, in case a new check only retunes one of them.
  std::unordered_map<std::string, std::vector<uint32_t>> dropped;
  for (auto& slot : slots_) {
    if (!slot || wanted.contains(slot->key)) continue;
    index_.erase(slot->key);
    dropped[slot->spec.probe_key()].push_back(slot->index);
  }

  std::vector<uint32_t> fresh;
  for (auto& [key, spec] : unique) {
    if (index_.contains(key)) continue;
    auto it = dropped.find(spec.probe_key());
    if (it != dropped.end() && !it->second.empty()) {
      Slot& s = *slots_[it->second.back()];
      it->second.pop_back();
      s.key = key;
      s.spec = std::move(spec);
      s.health.retune(s.spec);
      index_.emplace(s.key, s.index);
      if (!s.running) {
        uint64_t base = s.health.checked() ? s.started_us : now;
        uint64_t sooner = std::max(now, base + uint64_t(s.health.interval_ms()) * 1000);
        if (sooner < s.due_us) schedule(s, sooner);
      }
      continue;
    }
    fresh.push_back(new_slot(key, std::move(spec), now));
  }
  for (auto& [probe_key, indexes] : dropped)
    for (uint32_t i : indexes) free_slot(i);

  for (size_t k = 0; k < fresh.size(); ++k) {
    Slot& s = *slots_[fresh[k]];
    uint64_t interval_us = uint64_t(s.health.interval_ms()) * 1000;
    schedule(s, now + interval_us * k / fresh.size());
  }
  compact_timers();
}

uint32_t HealthMonitor::new_slot(CheckKey key, CheckSpec spec, uint64_t now) {
  uint32_t i;
  if (!free_slots_.empty()) {
    i = free_slots_.back();
    free_slots_.pop_back();
  } else {
    i = uint32_t(slots_.size());
    slots_.emplace_back();
  }
  slots_[i] = std::make_unique<Slot>(i, key, std::move(spec), now);
  index_.emplace(std::move(key), i);
  return i;
}

void HealthMonitor::free_slot(uint32_t index) {
  slots_[index].reset();  // the probe closes its socket, which leaves the epoll set
  free_slots_.push_back(index);
}

void HealthMonitor::schedule(Slot& s, uint64_t due_us) {
  s.due_us = due_us;
  s.timer_seq = next_seq_++;
  timers_.push_back(Timer{due_us, s.timer_seq, s.index});
  std::push_heap(timers_.begin(), timers_.end(), TimerLater{});
}

void HealthMonitor::start(Slot& s, uint64_t now) {
  s.running = true;
  s.registered = 0;
  s.run = uint32_t(next_seq_++);
  s.started_us = now;
  schedule(s, now + uint64_t(std::max<uint32_t>(s.spec.timeout_ms, 1)) * 1000);
  advance(s, s.probe->start(), now);
}

void HealthMonitor::advance(Slot& s, const ProbeStep& step, uint64_t now) {
  if (step.done) {
    finish(s, step.result, now);
    return;
  }
  if (step.events == s.registered) return;
  epoll_event ev{};
  ev.events = step.events;
  ev.data.u64 = tag(s.index, s.run);
  int op = s.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (epoll_ctl(epoll_fd_, op, s.probe->fd(), &ev) != 0) {
    int err = errno;
    s.probe->cancel();
    finish(s, CheckResult{Reason::kLocalError, 0, err}, now);
    return;
  }
  s.registered = step.events;
}

uint64_t HealthMonitor::next_start(const Slot& s, uint64_t now) {
  uint64_t interval_us = uint64_t(s.health.interval_ms()) * 1000;
  uint64_t spread = interval_us * options_.jitter_percent / 100;
  uint64_t next = s.started_us + interval_us;
  if (spread > 0) next = next + splitmix64(rng_) % (spread + 1) - spread / 2;
  return std::max(next, now);
}

void HealthMonitor::finish(Slot& s, const CheckResult& r, uint64_t now) {
  s.running = false;
  s.registered = 0;
  uint64_t elapsed = now - std::min(now, s.started_us);
  uint32_t latency = uint32_t(std::min<uint64_t>(elapsed, UINT32_MAX));
  durations_[size_t(s.spec.kind)][r.ok() ? 1 : 0].observe(latency);
  if (auto t = s.health.record(r, now, latency))
    events_.push_back(Event{s.key, s.spec.kind, s.spec.address, s.spec.port, t->up, t->result,
                            t->at_us, latency});
  schedule(s, next_start(s, now));
}

void HealthMonitor::run_once(int max_wait_ms) {
  if (epoll_fd_ < 0) return;
  int wait = next_timeout_ms();
  if (wait < 0 || (max_wait_ms >= 0 && max_wait_ms < wait)) wait = max_wait_ms;
  handle_io(wait);
  run_timers();
  compact_timers();
}

void HealthMonitor::handle_io(int wait_ms) {
  constexpr int kBatch = 64;
  epoll_event ready[kBatch];
  for (int round = 0; round < 16; ++round) {
    int n = epoll_wait(epoll_fd_, ready, kBatch, round == 0 ? wait_ms : 0);
    if (n <= 0) return;
    uint64_t now = clock_.now_us();
    for (int i = 0; i < n; ++i) {
      uint32_t index = uint32_t(ready[i].data.u64);
      uint32_t run = uint32_t(ready[i].data.u64 >> 32);
      Slot* s = index < slots_.size() ? slots_[index].get() : nullptr;
      if (!s || !s->running || s->run != run) continue;
      advance(*s, s->probe->on_ready(ready[i].events), now);
    }
    if (n < kBatch) return;
  }
}

void HealthMonitor::run_timers() {
  uint64_t now = clock_.now_us();
  while (!timers_.empty() && timers_.front().due_us <= now) {
    Timer t = timers_.front();
    std::pop_heap(timers_.begin(), timers_.end(), TimerLater{});
    timers_.pop_back();
    Slot* s = slots_[t.slot].get();
    if (!s || s->timer_seq != t.seq) continue;
    if (s->running)
      finish(*s, s->probe->on_timeout(), now);
    else
      start(*s, now);
  }
}

// Superseded heap entries are dropped lazily; rebuild when they outnumber live ones.
void HealthMonitor::compact_timers() {
  if (timers_.size() <= 2 * index_.size() + 64) return;
  timers_.clear();
  for (auto& s : slots_)
    if (s) timers_.push_back(Timer{s->due_us, s->timer_seq, s->index});
  std::make_heap(timers_.begin(), timers_.end(), TimerLater{});
}

int HealthMonitor::next_timeout_ms() const {
  if (timers_.empty() || epoll_fd_ < 0) return -1;
  uint64_t now = clock_.now_us();
  uint64_t due = timers_.front().due_us;
  if (due <= now) return 0;
  uint64_t ms = (due - now + 999) / 1000;
  return ms > uint64_t(INT_MAX) ? INT_MAX : int(ms);
}

std::vector<Event> HealthMonitor::take_events() {
  std::vector<Event> out;
  out.swap(events_);
  return out;
}

CheckStatus HealthMonitor::status_of(const Slot& s) const {
  return CheckStatus{s.key, s.spec, s.health, s.running, s.due_us};
}

std::optional<CheckStatus> HealthMonitor::status(const CheckKey& key) const {
  auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  return status_of(*slots_[it->second]);
}

std::vector<CheckStatus> HealthMonitor::statuses() const {
  std::vector<CheckStatus> out;
  out.reserve(index_.size());
  for (auto& s : slots_)
    if (s) out.push_back(status_of(*s));
  return out;
}

}  // namespace sluice::health
