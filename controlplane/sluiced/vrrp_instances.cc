// SPDX-License-Identifier: BSD-3-Clause
#include "sluiced/vrrp_instances.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "sluiced/notify_script.h"

namespace sluice::sluiced {

namespace {

constexpr size_t kTransitionsKept = 8;

vrrp::Config engine_config(const config::VrrpInstance& c, const config::Config& config) {
  vrrp::Config vc;
  vc.vrid = c.vrid;
  vc.priority = c.priority;
  vc.advert_interval_cs = c.advert_interval_cs;
  vc.preempt = c.preempt;
  vc.preempt_delay_ms = c.preempt_delay_ms;
  vc.primary_address = c.address;
  for (const std::string& name : c.vips)
    for (const config::Vip& v : config.vips)
      if (v.name == name) {
        vc.vips.push_back(v.address);
        break;
      }
  vc.garp_count = std::max<uint32_t>(1, config.dataplane.garp_count);
  vc.garp_interval_ms = std::max<uint32_t>(1, config.dataplane.garp_interval_ms);
  return vc;
}

const char* state_of(vrrp::ActionKind kind) {
  switch (kind) {
    case vrrp::ActionKind::kBecomeMaster:
      return "MASTER";
    case vrrp::ActionKind::kBecomeBackup:
      return "BACKUP";
    case vrrp::ActionKind::kBecomeFault:
      return "FAULT";
    default:
      return "INIT";
  }
}

}  // namespace

void VrrpInstances::start(const config::Config& config, const std::function<void(int)>& watch) {
  for (const config::VrrpInstance& c : config.vrrp) {
    Instance instance;
    instance.config = c;
    vrrp::Config vc = engine_config(c, config);
    if (std::string why = vc.validate(); !why.empty()) {
      std::fprintf(stderr, "sluiced: vrrp %s: %s; instance not started\n", c.name.c_str(),
                   why.c_str());
      continue;
    }
    instance.socket = std::make_unique<VrrpSocket>();
    vrrp::ChecksumForm form = c.ipv4_checksum == config::VrrpChecksum::kMessageOnly
                                  ? vrrp::ChecksumForm::kMessageOnly
                                  : vrrp::ChecksumForm::kPseudoHeader;
    if (auto why = instance.socket->open(c.interface, c.address, c.unicast_peers, form)) {
      std::fprintf(stderr, "sluiced: vrrp %s: %s; instance not started\n", c.name.c_str(),
                   why->c_str());
      continue;
    }
    watch(instance.socket->fd());
    instance.engine = std::make_unique<vrrp::Instance>(vc);
    instance.engine->set_preempt_hold(!hold_reason_.empty());
    instances_.push_back(std::move(instance));
  }
  for (Instance& instance : instances_) {
    const config::VrrpInstance& c = instance.config;
    std::fprintf(stderr, "sluiced: vrrp %s: vrid %u priority %u on %s, advert every %u cs\n",
                 c.name.c_str(), c.vrid, c.priority, c.interface.c_str(), c.advert_interval_cs);
    run(instance, instance.engine->startup(clock_.now_us()));
  }
}

void VrrpInstances::stop() {
  for (Instance& instance : instances_) run(instance, instance.engine->shutdown(clock_.now_us()));
}

void VrrpInstances::on_readable(int fd) {
  for (Instance& instance : instances_)
    if (instance.socket && fd == instance.socket->fd()) receive(instance);
}

void VrrpInstances::step() {
  for (Instance& instance : instances_) run(instance, instance.engine->step(clock_.now_us()));
}

int VrrpInstances::timeout_ms() const {
  int best = -1;
  uint64_t now = clock_.now_us();
  for (const Instance& instance : instances_) {
    auto due = instance.engine->next_timeout_us();
    if (!due) continue;
    int ms = *due <= now ? 0 : int((*due - now + 999) / 1000);
    if (best < 0 || ms < best) best = ms;
  }
  return best;
}

void VrrpInstances::track(const std::function<std::string(const config::VrrpInstance&)>& fault_of) {
  for (Instance& instance : instances_) {
    std::string reason = fault_of(instance.config);
    bool fault = !reason.empty();
    if (fault == instance.fault && reason == instance.fault_reason) continue;
    const char* name = instance.config.name.c_str();
    if (fault && instance.fault)
      std::fprintf(stderr, "sluiced: vrrp %s: still FAULT: %s\n", name, reason.c_str());
    else if (fault)
      std::fprintf(stderr, "sluiced: vrrp %s: tracking failed: %s; going to FAULT\n", name,
                   reason.c_str());
    else
      std::fprintf(stderr, "sluiced: vrrp %s: tracking recovered (was: %s)\n", name,
                   instance.fault_reason.c_str());
    instance.fault_reason = reason;
    if (fault == instance.fault) continue;
    instance.fault = fault;
    run(instance, instance.engine->set_fault(fault, clock_.now_us()));
  }
}

void VrrpInstances::hold_preemption(const std::string& reason) {
  if (reason == hold_reason_) return;
  for (Instance& instance : instances_) {
    const char* name = instance.config.name.c_str();
    if (!reason.empty())
      std::fprintf(stderr, "sluiced: vrrp %s: no preemption: %s\n", name, reason.c_str());
    else
      std::fprintf(stderr, "sluiced: vrrp %s: preemption allowed again (was: %s)\n", name,
                   hold_reason_.c_str());
    instance.engine->set_preempt_hold(!reason.empty());
  }
  hold_reason_ = reason;
}

void VrrpInstances::receive(Instance& instance) {
  while (auto received = instance.socket->receive()) {
    if (!received->result.ok()) {
      // One line per change of reason, not per advert (the text's details, such as the
      // checksum on the wire, change with every advert).
      std::string reason(vrrp::decode_error_text(received->result.error));
      if (reason != instance.last_decode_error) {
        std::string why = received->result.text();
        if (received->result.error == vrrp::DecodeError::kOtherChecksumForm)
          why += ": the peer cannot hear this node either; set ipv4_checksum = \"" +
                 std::string(vrrp::checksum_form_name(received->result.checksum)) +
                 "\" on this instance, or change the peer";
        std::fprintf(stderr, "sluiced: vrrp %s: advert from %s discarded: %s\n",
                     instance.config.name.c_str(), received->source.to_string().c_str(),
                     why.c_str());
      }
      instance.last_decode_error = reason;
      continue;
    }
    run(instance,
        instance.engine->on_advert(received->result.advert, received->source, clock_.now_us()));
    if (instance.engine->last_rx().addresses_differ)
      note_address_mismatch(instance, received->source);
  }
}

void VrrpInstances::note_address_mismatch(Instance& instance, const IpAddress& peer) {
  const vrrp::Instance& e = *instance.engine;
  instance.last_address_mismatch = "from " + peer.to_string() + ": " +
                                   vrrp::address_list_text(e.last_rx().addresses) +
                                   " (ours: " + vrrp::address_list_text(e.config().vips) + ")";
  if (!instance.address_mismatch_log.allow(clock_.now_us())) return;
  uint64_t more = instance.address_mismatch_log.suppressed();
  std::fprintf(
      stderr,
      "sluiced: vrrp %s: advert %s: the address lists differ (RFC 5798 7.1); give both "
      "nodes the same VIPs (keepalived discards adverts whose list is not its own)%s\n",
      instance.config.name.c_str(), instance.last_address_mismatch.c_str(),
      more ? (", " + std::to_string(more) + " more since the last such line").c_str() : "");
}

void VrrpInstances::run(Instance& instance, const std::vector<vrrp::Action>& actions) {
  const config::VrrpInstance& c = instance.config;
  for (const vrrp::Action& a : actions) {
    switch (a.kind) {
      case vrrp::ActionKind::kSendAdvert: {
        vrrp::Advert advert;
        advert.vrid = c.vrid;
        advert.priority = a.priority;
        advert.max_adver_int_cs = c.advert_interval_cs;
        advert.addresses = instance.engine->config().vips;
        instance.socket->send(advert);
        break;
      }
      case vrrp::ActionKind::kBecomeMaster:
      case vrrp::ActionKind::kBecomeBackup:
      case vrrp::ActionKind::kBecomeFault:
      case vrrp::ActionKind::kBecomeInitialize: {
        std::string line = a.text();
        std::fprintf(stderr, "sluiced: vrrp %s: %s\n", c.name.c_str(), line.c_str());
        instance.transitions.push_back(std::to_string(int64_t(std::time(nullptr))) + " " + line);
        if (instance.transitions.size() > kTransitionsKept)
          instance.transitions.erase(instance.transitions.begin());
        bool master = a.kind == vrrp::ActionKind::kBecomeMaster;
        if (master != instance.master) {
          instance.master = master;
          hooks_.mastership_changed(master);
        }
        run_notify_script(c.notify, c.name, state_of(a.kind), instance.engine->priority());
        break;
      }
      case vrrp::ActionKind::kReannounce:
        // A peer that never yields (one that discards our adverts) makes one per burst.
        if (instance.reannounce_log.allow(clock_.now_us())) {
          uint64_t more = instance.reannounce_log.suppressed();
          std::fprintf(
              stderr, "sluiced: vrrp %s: %s%s\n", c.name.c_str(), a.text().c_str(),
              more ? (" (" + std::to_string(more) + " more since the last such line)").c_str()
                   : "");
        }
        break;
      case vrrp::ActionKind::kSendGratuitous:
        if (instance.master) hooks_.announce(c.vips);
        break;
    }
  }
}

}  // namespace sluice::sluiced
