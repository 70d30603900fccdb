// SPDX-License-Identifier: BSD-3-Clause
// One VRRPv3 virtual router: the state machine of RFC 5798 §6 as updated by RFC 9568
// (which renames Master to Active; this code keeps the names of RFC 5798 and of
// keepalived that operators know). Pure: no sockets, no threads, no clock of its own.
//
// Who calls what (sluiced's main loop, one thread; the instance is not thread-safe):
//
//   Instance vr(config);                       // config.validate() passed
//   run(vr.startup(now));
//   for (;;) {
//     wait until vr.next_timeout_us() or a packet or a tracking change;
//     on a packet:   DecodeResult d = decode(payload, ip);        // packet.h
//                    if (d.ok()) run(vr.on_advert(d.advert, ip.source, now));
//     on tracking:   run(vr.set_priority_delta(delta, now)), run(vr.set_fault(bad, now));
//     always:        run(vr.step(now));        // cheap when nothing is due
//   }
//   run(vr.shutdown(now));
//
// where run() executes the actions in order (see ActionKind). Times are microseconds on
// one monotonic clock (health::MonotonicClock in sluiced, health::FakeClock in tests);
// intervals on the wire are centiseconds. Calling step() late is harmless: what is due
// happens then, and the next timers count from that `now`.
//
// Extensions to the RFC, each documented in controlplane/vrrp/README.md:
//  * Fault state (keepalived's FAULT): the interface, the dataplane or the backends are
//    unusable. A Master resigns (priority 0, so the peer takes over after its Skew_Time)
//    and withdraws its VIPs; nothing is sent or heard until the fault clears, then the
//    instance starts over as from Initialize.
//  * Tracking priority delta: the advertised priority is the configured one plus the
//    delta, kept within 1..254; an address owner (255) stays 255.
//  * preempt_delay: a Backup does not preempt a live lower-priority Master until
//    preempt_delay after it (re)started; it never delays taking over from a dead Master.
//  * Preempt hold (set_preempt_hold): while the caller holds it, the instance behaves as a
//    Backup with preempt = false, an address owner included (it starts as Backup rather
//    than Master); a Master_Down_Timer still fires, so with no Master heard it takes over.
//    sluiced holds it while the dataplane's flow sync join runs.
//  * Re-announce: a Master that hears a lower-priority Master (split brain healing)
//    answers with an advert (RFC 9568 §6.4.3) and a new gratuitous ARP / NA burst, and a
//    Master that yields sends one last advert at its own priority (yield_advert) so the
//    winner learns of the split brain even when its own advert arrived first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/ip_address.h"
#include "vrrp/packet.h"

namespace sluice::vrrp {

enum class State : uint8_t { kInitialize, kBackup, kMaster, kFault };
const char* state_name(State s);  // "INIT", "BACKUP", "MASTER", "FAULT"

struct Config {
  uint8_t vrid = 1;                   // 1..255
  uint8_t priority = 100;             // 1..254; 255 = the address owner (§5.2.4)
  uint16_t advert_interval_cs = 100;  // Advertisement_Interval, 1..4095 centiseconds
  bool preempt = true;                // Preempt_Mode; an owner always preempts (§6.1)
  uint32_t preempt_delay_ms = 0;
  // Accept_Mode (§6.1). The engine only carries it; the dataplane applies it. The RFC
  // default is False, but sluice's VIPs are services the Master must take traffic for.
  bool accept_mode = true;
  // This node's primary address on the VRRP interface (IPv4) or its link-local address
  // (IPv6): the adverts' source and the equal-priority tie-break (§6.4.3).
  IpAddress primary_address;
  // The virtual addresses, all of primary_address's family, 1..255 of them, in the order
  // they are advertised (for IPv6, §5.2.9 wants the link-local one first). Instance keeps
  // an address given twice (two VIPs on one address) once.
  std::vector<IpAddress> vips;
  uint32_t garp_count = 5;           // rounds in a gratuitous ARP / unsolicited NA burst, 1..100
  uint32_t garp_interval_ms = 1000;  // between rounds
  bool yield_advert = true;          // see the header comment; false = RFC behaviour only

  // Empty when usable, else what is wrong: "vrid must be 1..255", ...
  std::string validate() const;
};

// Timers of §6.1, in microseconds (exact: no rounding to centiseconds, so two priorities
// never get the same skew). Skew_Time = ((256 - priority) * Master_Adver_Interval) / 256;
// Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time.
uint64_t skew_time_us(uint8_t priority, uint16_t master_adver_interval_cs);
uint64_t master_down_interval_us(uint8_t priority, uint16_t master_adver_interval_cs);

// Why a state changed.
enum class Trigger : uint8_t {
  kStartup,       // Initialize -> Backup, or -> Fault when the fault is already set
  kOwner,         // Initialize -> Master: priority 255 (§6.4.1)
  kMasterDown,    // Backup -> Master: Master_Down_Timer expired (§6.4.2)
  kPreempted,     // Master -> Backup: a higher (or equal, higher address) advert (§6.4.3)
  kShutdown,      // -> Initialize
  kFault,         // -> Fault
  kFaultCleared,  // Fault -> Backup / Master, as from Initialize
};
const char* trigger_name(Trigger t);

enum class ActionKind : uint8_t {
  kSendAdvert,        // send advert(action.priority) to the group (or unicast peers)
  kBecomeMaster,      // activate the VIPs: answer ARP/ND for them, take their traffic
  kBecomeBackup,      // withdraw the VIPs (a no-op when they were not held)
  kBecomeFault,       // withdraw the VIPs
  kBecomeInitialize,  // withdraw the VIPs; the instance is stopped
  kReannounce,        // a lower-priority Master was heard (split brain): log / notify;
                      // the kSendGratuitous rounds that follow are the re-announcement
  kSendGratuitous,    // one round: a gratuitous ARP per IPv4 VIP, an unsolicited NA
                      // (Router and Override flags set) per IPv6 VIP (§6.4.2, §8)
};

enum class BurstCause : uint8_t { kTakeover, kReannounce };

struct Action {
  ActionKind kind;
  uint8_t priority = 0;                 // kSendAdvert: the priority to advertise
  State from = State::kInitialize;      // kBecome*: the previous state
  Trigger trigger = Trigger::kStartup;  // kBecome*
  IpAddress peer{};                     // kPreempted: the winner; kReannounce: the other Master
  uint8_t peer_priority = 0;            // with peer
  BurstCause cause = BurstCause::kTakeover;  // kSendGratuitous
  uint32_t round = 0;                        // kSendGratuitous: 1-based
  uint32_t rounds = 0;                       // kSendGratuitous: rounds in this burst

  // "send advert priority 200", "MASTER (was BACKUP): master down timer expired",
  // "gratuitous ARP/NA round 1/5 (takeover)", "re-announce: 10.0.0.3 priority 100 is
  // also master".
  std::string text() const;
};

// What on_advert() made of the last advert.
enum class RxVerdict : uint8_t {
  kProcessed,             // went through the state machine (§6.4.2 / §6.4.3)
  kLowerPriorityIgnored,  // Backup with preemption: discarded, the Master_Down_Timer runs on
  kNotRunning,            // Initialize or Fault
  kWrongVrid,
  kWrongFamily,
  kOwnAdvert,     // our own primary address: a multicast loop
  kZeroInterval,  // decode() rejects these; a hand-made Advert can still carry one
};
const char* rx_verdict_name(RxVerdict v);

struct RxNote {
  RxVerdict verdict = RxVerdict::kProcessed;
  // §7.1: the advertised addresses differ from the configured VIPs (any order). The
  // advert is still used; the RFC asks for a log line (misconfiguration).
  bool addresses_differ = false;
  std::vector<IpAddress> addresses;  // with addresses_differ: the advertised ones
};

// "10.0.0.100 10.0.0.101": an address list for a log line.
std::string address_list_text(const std::vector<IpAddress>& addresses);

struct Stats {
  uint64_t adverts_sent = 0;
  uint64_t resigns_sent = 0;      // priority 0
  uint64_t adverts_received = 0;  // every on_advert() call
  uint64_t adverts_ignored = 0;   // every verdict but kProcessed
  uint64_t resigns_received = 0;  // priority 0, processed
  uint64_t address_mismatches = 0;
  uint64_t became_master = 0;
  uint64_t became_backup = 0;
  uint64_t faults = 0;
  uint64_t reannounces = 0;
};

class Instance {
 public:
  explicit Instance(Config config);

  // Events. Each returns the actions to execute, in order. startup() is a no-op unless
  // the state is Initialize; shutdown() from any state ends in Initialize.
  std::vector<Action> startup(uint64_t now_us);
  std::vector<Action> shutdown(uint64_t now_us);
  // A decoded advert (decode() passed) from `source`, the sender's primary address.
  std::vector<Action> on_advert(const Advert& advert, const IpAddress& source, uint64_t now_us);
  // Fires the timers that are due at now_us.
  std::vector<Action> step(uint64_t now_us);
  // Tracking: the summed weight of the failed (negative) or passing (positive) trackers;
  // replaces the previous delta.
  std::vector<Action> set_priority_delta(int delta, uint64_t now_us);
  // Tracking: true while something this node needs (interface, dataplane, backends) is
  // unusable.
  std::vector<Action> set_fault(bool fault, uint64_t now_us);
  // While `hold`, the instance takes mastership only from a Master_Down_Timer: a Backup
  // takes every live Master's adverts (whatever its priority) as from its Master and an
  // address owner starts (or restarts after a fault) as Backup. A Master stays Master.
  // Released, a Backup preempts as configured: the adverts of a lower-priority Master are
  // discarded again and the timer the last accepted one set runs out. Nothing is sent, so
  // this returns no actions; set it before startup() for an owner to start held.
  void set_preempt_hold(bool hold) { preempt_hold_ = hold; }

  // The earliest pending timer, absolute; nullopt when none (Initialize, Fault).
  std::optional<uint64_t> next_timeout_us() const;

  // The advert to send for a kSendAdvert action.
  Advert advert(uint8_t priority) const;

  State state() const { return state_; }
  const Config& config() const { return config_; }
  uint8_t priority() const { return priority_; }  // advertised: configured + delta
  bool fault() const { return fault_; }
  bool preempt_hold() const { return preempt_hold_; }
  uint16_t master_adver_interval_cs() const { return master_adver_interval_cs_; }
  uint64_t skew_time_us() const;
  uint64_t master_down_interval_us() const;
  // The Master as last heard (Backup) or this node (Master); nullopt when unknown.
  std::optional<IpAddress> master_address() const;
  uint8_t master_priority() const { return master_priority_; }
  const RxNote& last_rx() const { return last_rx_; }
  const Stats& stats() const { return stats_; }

 private:
  using Actions = std::vector<Action>;
  void send_advert(uint8_t priority, Actions& out);
  void enter(State to, Trigger trigger, Actions& out, const IpAddress& peer = {},
             uint8_t peer_priority = 0);
  void start_as_from_initialize(uint64_t now, Trigger trigger, Actions& out);
  void become_master(uint64_t now, Trigger trigger, Actions& out);
  void become_backup(const Advert& winner, const IpAddress& source, uint64_t now, Actions& out);
  void start_burst(BurstCause cause, uint64_t now, Actions& out);
  void burst_round(uint64_t now, Actions& out);
  void stop_timers();
  bool may_preempt(uint64_t now) const;
  uint64_t advert_interval_us() const { return uint64_t(config_.advert_interval_cs) * 10'000; }

  static constexpr uint64_t kNever = UINT64_MAX;

  Config config_;
  State state_ = State::kInitialize;
  uint8_t priority_;
  bool fault_ = false;
  uint16_t master_adver_interval_cs_;
  uint64_t adver_due_ = kNever;        // Adver_Timer (Master)
  uint64_t master_down_due_ = kNever;  // Master_Down_Timer (Backup)
  uint64_t burst_due_ = kNever;        // next gratuitous round (Master)
  uint32_t burst_round_ = 0;
  BurstCause burst_cause_ = BurstCause::kTakeover;
  uint64_t preempt_hold_until_ = 0;  // preempt_delay
  bool preempt_hold_ = false;        // set_preempt_hold
  std::optional<IpAddress> master_;
  uint8_t master_priority_ = 0;
  RxNote last_rx_;
  Stats stats_;
};

}  // namespace sluice::vrrp
