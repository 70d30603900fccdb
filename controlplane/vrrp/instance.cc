// SPDX-License-Identifier: BSD-3-Clause
#include "vrrp/instance.h"

#include <algorithm>
#include <utility>

namespace sluice::vrrp {
namespace {

uint8_t effective_priority(uint8_t configured, int delta) {
  if (configured == kPriorityOwner) return kPriorityOwner;
  return uint8_t(std::clamp(int(configured) + delta, 1, 254));
}

bool same_set(std::vector<IpAddress> a, std::vector<IpAddress> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

}  // namespace

const char* state_name(State s) {
  switch (s) {
    case State::kInitialize:
      return "INIT";
    case State::kBackup:
      return "BACKUP";
    case State::kMaster:
      return "MASTER";
    case State::kFault:
      return "FAULT";
  }
  return "?";
}

const char* trigger_name(Trigger t) {
  switch (t) {
    case Trigger::kStartup:
      return "startup";
    case Trigger::kOwner:
      return "address owner (priority 255)";
    case Trigger::kMasterDown:
      return "master down timer expired";
    case Trigger::kPreempted:
      return "preempted";
    case Trigger::kShutdown:
      return "shutdown";
    case Trigger::kFault:
      return "fault";
    case Trigger::kFaultCleared:
      return "fault cleared";
  }
  return "?";
}

const char* rx_verdict_name(RxVerdict v) {
  switch (v) {
    case RxVerdict::kProcessed:
      return "processed";
    case RxVerdict::kLowerPriorityIgnored:
      return "lower priority, ignored (preempt)";
    case RxVerdict::kNotRunning:
      return "instance not running";
    case RxVerdict::kWrongVrid:
      return "wrong VRID";
    case RxVerdict::kWrongFamily:
      return "wrong address family";
    case RxVerdict::kOwnAdvert:
      return "own advert";
    case RxVerdict::kZeroInterval:
      return "zero advert interval";
  }
  return "?";
}

std::string address_list_text(const std::vector<IpAddress>& addresses) {
  std::string t;
  for (const IpAddress& a : addresses) t += (t.empty() ? "" : " ") + a.to_string();
  return t;
}

std::string Action::text() const {
  auto peer_text = [this] {
    return peer.to_string() + " priority " + std::to_string(peer_priority);
  };
  switch (kind) {
    case ActionKind::kSendAdvert:
      return "send advert priority " + std::to_string(priority);
    case ActionKind::kBecomeMaster:
    case ActionKind::kBecomeBackup:
    case ActionKind::kBecomeFault:
    case ActionKind::kBecomeInitialize: {
      State to = kind == ActionKind::kBecomeMaster   ? State::kMaster
                 : kind == ActionKind::kBecomeBackup ? State::kBackup
                 : kind == ActionKind::kBecomeFault  ? State::kFault
                                                     : State::kInitialize;
      std::string t =
          std::string(state_name(to)) + " (was " + state_name(from) + "): " + trigger_name(trigger);
      if (trigger == Trigger::kPreempted) t += " by " + peer_text();
      return t;
    }
    case ActionKind::kReannounce:
      return "re-announce: " + peer_text() + " is also master";
    case ActionKind::kSendGratuitous:
      return "gratuitous ARP/NA round " + std::to_string(round) + "/" + std::to_string(rounds) +
             (cause == BurstCause::kTakeover ? " (takeover)" : " (re-announce)");
  }
  return "?";
}

std::string Config::validate() const {
  if (vrid == 0) return "vrid must be 1..255";
  if (priority == 0) return "priority must be 1..255 (0 is only sent to resign)";
  if (advert_interval_cs == 0 || advert_interval_cs > kMaxAdverIntCs)
    return "advert_interval must be 1..4095 centiseconds (10 ms .. 40.95 s)";
  if (primary_address.is_zero() || primary_address == IpAddress::v4(0))
    return "primary address is missing";
  if (vips.empty()) return "at least one virtual address is needed";
  if (vips.size() > 255) return "at most 255 virtual addresses per instance";
  for (const IpAddress& v : vips)
    if (v.is_v4() != primary_address.is_v4())
      return "virtual address " + v.to_string() + " is not of the family of the primary address " +
             primary_address.to_string() + " (one instance per family, RFC 5798 5.2.9)";
  if (garp_count == 0 || garp_count > 100) return "garp_count must be 1..100";
  if (garp_interval_ms == 0 || garp_interval_ms > 60'000)
    return "garp_interval must be 1 ms .. 60 s";
  if (preempt_delay_ms > 3'600'000) return "preempt_delay must be at most 3600 s";
  return {};
}

uint64_t skew_time_us(uint8_t priority, uint16_t master_adver_interval_cs) {
  return (256 - uint64_t(priority)) * master_adver_interval_cs * 10'000 / 256;
}

uint64_t master_down_interval_us(uint8_t priority, uint16_t master_adver_interval_cs) {
  return 3 * uint64_t(master_adver_interval_cs) * 10'000 +
         skew_time_us(priority, master_adver_interval_cs);
}

Instance::Instance(Config config)
    : config_(std::move(config)),
      priority_(effective_priority(config_.priority, 0)),
      master_adver_interval_cs_(config_.advert_interval_cs) {
  // Several VIPs (ports, protocols) can share an address; an advert lists it once.
  std::vector<IpAddress> unique;
  for (const IpAddress& a : config_.vips)
    if (std::find(unique.begin(), unique.end(), a) == unique.end()) unique.push_back(a);
  config_.vips = std::move(unique);
}

uint64_t Instance::skew_time_us() const {
  return vrrp::skew_time_us(priority_, master_adver_interval_cs_);
}

uint64_t Instance::master_down_interval_us() const {
  return vrrp::master_down_interval_us(priority_, master_adver_interval_cs_);
}

std::optional<IpAddress> Instance::master_address() const {
  if (state_ == State::kMaster) return config_.primary_address;
  if (state_ == State::kBackup) return master_;
  return std::nullopt;
}

Advert Instance::advert(uint8_t priority) const {
  return Advert{config_.vrid, priority, config_.advert_interval_cs, config_.vips};
}

std::optional<uint64_t> Instance::next_timeout_us() const {
  uint64_t due = kNever;
  if (state_ == State::kBackup) due = master_down_due_;
  if (state_ == State::kMaster) due = std::min(adver_due_, burst_due_);
  if (due == kNever) return std::nullopt;
  return due;
}

void Instance::send_advert(uint8_t priority, Actions& out) {
  ++stats_.adverts_sent;
  if (priority == kPriorityResign) ++stats_.resigns_sent;
  Action a{ActionKind::kSendAdvert};
  a.priority = priority;
  out.push_back(a);
}

void Instance::enter(State to, Trigger trigger, Actions& out, const IpAddress& peer,
                     uint8_t peer_priority) {
  Action a{ActionKind::kBecomeInitialize};
  a.from = state_;
  a.trigger = trigger;
  a.peer = peer;
  a.peer_priority = peer_priority;
  switch (to) {
    case State::kMaster:
      a.kind = ActionKind::kBecomeMaster;
      ++stats_.became_master;
      break;
    case State::kBackup:
      a.kind = ActionKind::kBecomeBackup;
      ++stats_.became_backup;
      break;
    case State::kFault:
      a.kind = ActionKind::kBecomeFault;
      ++stats_.faults;
      break;
    case State::kInitialize:
      break;
  }
  state_ = to;
  out.push_back(a);
}

void Instance::stop_timers() {
  adver_due_ = master_down_due_ = burst_due_ = kNever;
  burst_round_ = 0;
}

// §6.4.1, also used when a fault clears: the instance starts over.
void Instance::start_as_from_initialize(uint64_t now, Trigger trigger, Actions& out) {
  if (priority_ == kPriorityOwner && !preempt_hold_) {
    become_master(now, trigger == Trigger::kStartup ? Trigger::kOwner : trigger, out);
    return;
  }
  master_adver_interval_cs_ = config_.advert_interval_cs;
  master_down_due_ = now + master_down_interval_us();
  preempt_hold_until_ = now + uint64_t(config_.preempt_delay_ms) * 1000;
  master_.reset();
  master_priority_ = 0;
  enter(State::kBackup, trigger, out);
}

// §6.4.1 (owner) and §6.4.2 (Master_Down_Timer fired): advert, then the VIPs and the
// gratuitous ARP / NA, Adver_Timer = Advertisement_Interval.
void Instance::become_master(uint64_t now, Trigger trigger, Actions& out) {
  stop_timers();
  send_advert(priority_, out);
  enter(State::kMaster, trigger, out);
  master_ = config_.primary_address;
  master_priority_ = priority_;
  adver_due_ = now + advert_interval_us();
  start_burst(BurstCause::kTakeover, now, out);
}

// §6.4.3, the sender wins: Master_Adver_Interval from its advert, Skew_Time and
// Master_Down_Interval recomputed, Master_Down_Timer set, Backup.
void Instance::become_backup(const Advert& winner, const IpAddress& source, uint64_t now,
                             Actions& out) {
  if (config_.yield_advert) send_advert(priority_, out);
  stop_timers();
  master_adver_interval_cs_ = winner.max_adver_int_cs;
  master_down_due_ = now + master_down_interval_us();
  master_ = source;
  master_priority_ = winner.priority;
  enter(State::kBackup, Trigger::kPreempted, out, source, winner.priority);
}

void Instance::start_burst(BurstCause cause, uint64_t now, Actions& out) {
  burst_cause_ = cause;
  burst_round_ = 0;
  burst_round(now, out);
}

void Instance::burst_round(uint64_t now, Actions& out) {
  ++burst_round_;
  Action a{ActionKind::kSendGratuitous};
  a.cause = burst_cause_;
  a.round = burst_round_;
  a.rounds = config_.garp_count;
  out.push_back(a);
  if (burst_round_ < config_.garp_count) {
    burst_due_ = now + uint64_t(config_.garp_interval_ms) * 1000;
  } else {
    burst_due_ = kNever;
    burst_round_ = 0;
  }
}

bool Instance::may_preempt(uint64_t now) const {
  if (preempt_hold_) return false;
  if (priority_ == kPriorityOwner) return true;  // §6.1 Preempt_Mode: the owner always does
  return config_.preempt && now >= preempt_hold_until_;
}

std::vector<Action> Instance::startup(uint64_t now_us) {
  Actions out;
  if (state_ != State::kInitialize) return out;
  if (fault_) {
    enter(State::kFault, Trigger::kStartup, out);
    return out;
  }
  start_as_from_initialize(now_us, Trigger::kStartup, out);
  return out;
}

std::vector<Action> Instance::shutdown(uint64_t) {
  Actions out;
  if (state_ == State::kInitialize) return out;
  // §6.4.3: a Master cancels the Adver_Timer and resigns with priority 0; §6.4.2: a
  // Backup cancels the Master_Down_Timer.
  if (state_ == State::kMaster) send_advert(kPriorityResign, out);
  stop_timers();
  master_.reset();
  enter(State::kInitialize, Trigger::kShutdown, out);
  return out;
}

std::vector<Action> Instance::step(uint64_t now_us) {
  Actions out;
  if (state_ == State::kBackup && now_us >= master_down_due_) {
    become_master(now_us, Trigger::kMasterDown, out);
    return out;
  }
  if (state_ != State::kMaster) return out;
  if (now_us >= burst_due_) burst_round(now_us, out);
  if (now_us >= adver_due_) {  // §6.4.3: send, reset the Adver_Timer
    send_advert(priority_, out);
    adver_due_ = now_us + advert_interval_us();
  }
  return out;
}

std::vector<Action> Instance::on_advert(const Advert& advert, const IpAddress& source,
                                        uint64_t now_us) {
  Actions out;
  ++stats_.adverts_received;
  last_rx_ = RxNote{};
  auto ignore = [&](RxVerdict v) {
    last_rx_.verdict = v;
    ++stats_.adverts_ignored;
    return out;
  };
  if (state_ == State::kInitialize || state_ == State::kFault)
    return ignore(RxVerdict::kNotRunning);
  if (advert.vrid != config_.vrid) return ignore(RxVerdict::kWrongVrid);
  if (source.is_v4() != config_.primary_address.is_v4()) return ignore(RxVerdict::kWrongFamily);
  if (source == config_.primary_address) return ignore(RxVerdict::kOwnAdvert);
  if (advert.max_adver_int_cs == 0) return ignore(RxVerdict::kZeroInterval);
  // §7.1 asks the address owner to drop every advert; RFC 9568 erratum 8298 makes that a
  // log line instead, and an owner that listens converges when two claim 255.
  if (!same_set(advert.addresses, config_.vips)) {
    last_rx_.addresses_differ = true;
    last_rx_.addresses = advert.addresses;
    ++stats_.address_mismatches;
  }
  if (advert.priority == kPriorityResign) ++stats_.resigns_received;

  if (state_ == State::kBackup) {
    if (advert.priority == kPriorityResign) {
      // §6.4.2: the Master resigned; the Backup with the smallest skew takes over first.
      master_down_due_ = now_us + skew_time_us();
      return out;
    }
    if (!may_preempt(now_us) || advert.priority >= priority_) {
      // §6.4.2 (RFC 9568 adds the Skew_Time recomputation explicitly).
      master_adver_interval_cs_ = advert.max_adver_int_cs;
      master_down_due_ = now_us + master_down_interval_us();
      master_ = source;
      master_priority_ = advert.priority;
      return out;
    }
    return ignore(RxVerdict::kLowerPriorityIgnored);  // §6.4.2: discard; the timer runs on
  }

  // Master, §6.4.3.
  if (advert.priority == kPriorityResign) {
    send_advert(priority_, out);
    adver_due_ = now_us + advert_interval_us();
    return out;
  }
  // The tie-break compares the addresses as unsigned integers in network byte order
  // (RFC 9568 §6.4.3); IpAddress orders its bytes exactly so.
  if (advert.priority > priority_ ||
      (advert.priority == priority_ && source > config_.primary_address)) {
    become_backup(advert, source, now_us, out);
    return out;
  }
  // The sender loses. RFC 9568 §6.4.3: discard it and send an advert at once, to assert
  // this Master and to update learning bridges. sluice adds a new gratuitous burst: the
  // other Master has announced the VIPs with its own MAC (keepalived's split-brain
  // lesson). A burst already running is not restarted.
  send_advert(priority_, out);
  if (burst_round_ == 0) {
    ++stats_.reannounces;
    Action a{ActionKind::kReannounce};
    a.from = state_;
    a.peer = source;
    a.peer_priority = advert.priority;
    out.push_back(a);
    start_burst(BurstCause::kReannounce, now_us, out);
  }
  return out;
}

std::vector<Action> Instance::set_priority_delta(int delta, uint64_t now_us) {
  Actions out;
  uint8_t p = effective_priority(config_.priority, delta);
  if (p == priority_) return out;
  priority_ = p;
  // A Master tells its peers at once (a Backup that now outranks it preempts after its
  // Master_Down_Interval); a Backup's Skew_Time follows the new priority from the next
  // advert it accepts.
  if (state_ == State::kMaster) {
    send_advert(priority_, out);
    adver_due_ = now_us + advert_interval_us();
    master_priority_ = priority_;
  }
  return out;
}

std::vector<Action> Instance::set_fault(bool fault, uint64_t now_us) {
  Actions out;
  if (fault == fault_) return out;
  fault_ = fault;
  if (state_ == State::kInitialize) return out;  // startup() applies it
  if (fault) {
    if (state_ == State::kMaster) send_advert(kPriorityResign, out);
    stop_timers();
    master_.reset();
    enter(State::kFault, Trigger::kFault, out);
  } else if (state_ == State::kFault) {
    start_as_from_initialize(now_us, Trigger::kFaultCleared, out);
  }
  return out;
}

}  // namespace sluice::vrrp
