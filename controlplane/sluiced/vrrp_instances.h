// SPDX-License-Identifier: BSD-3-Clause
// sluiced's VRRP instances: for each [[vrrp]] of the config, the engine (vrrp::Instance)
// and its raw socket (VrrpSocket), driven from the daemon's loop. The engines' actions are
// carried out here (adverts sent, transitions logged and kept, the notify script run);
// what a transition means to the rest of sluiced goes through Hooks. Owned by the Daemon;
// main loop only.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "health/clock.h"
#include "sluiced/log_limiter.h"
#include "sluiced/vrrp_socket.h"
#include "vrrp/instance.h"

namespace sluice::sluiced {

class VrrpInstances {
 public:
  struct Hooks {
    // An instance became MASTER, or stopped being it; instances() already says so.
    std::function<void(bool master)> mastership_changed;
    // A gratuitous ARP / unsolicited NA round for these VIPs (names), now.
    std::function<void(const std::vector<std::string>& vips)> announce;
  };

  struct Instance {
    config::VrrpInstance config;
    std::unique_ptr<vrrp::Instance> engine;
    std::unique_ptr<VrrpSocket> socket;
    bool master = false;
    bool fault = false;
    std::string fault_reason;  // while fault
    std::string last_decode_error;
    std::vector<std::string> transitions;  // "UNIX-TIME text", the last few, newest last
    // RFC 5798 7.1, an advert listing other addresses than ours: the last one ("from PEER:
    // THEIRS (ours: OURS)") and the log's rate limit (the first, then once a minute).
    std::string last_address_mismatch;
    LogLimiter address_mismatch_log{60'000'000};
    LogLimiter reannounce_log{60'000'000};  // "re-announce: PEER is also master"
  };

  VrrpInstances(const health::Clock& clock, Hooks hooks)
      : clock_(clock), hooks_(std::move(hooks)) {}

  // Opens the socket and creates the engine of each [[vrrp]] in `config`, then starts them.
  // An instance whose settings do not validate or whose socket does not open is logged
  // and left out. `watch` registers a socket with the loop.
  void start(const config::Config& config, const std::function<void(int)>& watch);
  // Shuts every instance down (a MASTER resigns with priority 0).
  void stop();

  // The adverts waiting on `fd`, when it is one of the instances' sockets.
  void on_readable(int fd);
  // Runs the engines' timers that are due.
  void step();
  // Milliseconds until the next engine timer; -1 when none is set.
  int timeout_ms() const;
  // An instance is in FAULT while `fault_of(its config)` is not empty: the reason, for the
  // log ("link eth1 down (no carrier)"); called every loop turn.
  void track(const std::function<std::string(const config::VrrpInstance&)>& fault_of);
  // While `reason` is not empty, no instance takes mastership from a live Master
  // (vrrp::Instance::set_preempt_hold); `reason` is logged and kept for `show ha`. Called
  // every loop turn, and before start() so that an address owner starts held.
  void hold_preemption(const std::string& reason);
  const std::string& preemption_hold() const { return hold_reason_; }

  bool empty() const { return instances_.empty(); }
  const std::vector<Instance>& instances() const { return instances_; }

 private:
  void run(Instance& instance, const std::vector<vrrp::Action>& actions);
  void receive(Instance& instance);
  void note_address_mismatch(Instance& instance, const IpAddress& peer);

  const health::Clock& clock_;
  Hooks hooks_;
  std::vector<Instance> instances_;
  std::string hold_reason_;
};

}  // namespace sluice::sluiced
