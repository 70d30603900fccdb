// SPDX-License-Identifier: BSD-3-Clause
#include "sluiced/daemon.h"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>

#include "config/config_loader.h"
#include "config/config_writer.h"
#include "health/from_config.h"

namespace sluice::sluiced {

namespace {

constexpr int kTickMs = 200;
constexpr const char* kVersion = "0.1.0";

int64_t unix_now() { return int64_t(std::time(nullptr)); }

void log_lines(const std::vector<std::string>& lines) {
  for (const std::string& l : lines) std::fprintf(stderr, "sluiced: %s\n", l.c_str());
}

// (VIP name, backend address) -> the backend's traffic in the dataplane's last answer.
std::map<std::pair<std::string_view, IpAddress>, channel::Traffic> backend_traffic(
    const std::optional<channel::Stats>& stats) {
  std::map<std::pair<std::string_view, IpAddress>, channel::Traffic> out;
  if (!stats) return out;
  for (const channel::VipStats& v : stats->vips)
    for (const channel::BackendStats& b : v.backends) out[{v.name, b.address}] = b.traffic;
  return out;
}

}  // namespace

Daemon::Daemon(std::string config_path, config::Config config)
    : config_path_(std::move(config_path)),
      config_(std::move(config)),
      started_ms_(0),
      monitor_(clock_),
      admin_(config_.controlplane.admin_state_file, config_.controlplane.admin_state_max_age_s),
      dataplane_(config_.dataplane.control_socket) {
  started_ms_ = now_ms();
}

void Daemon::apply_config() {
  std::vector<health::CheckSpec> specs;
  for (const config::Vip& v : config_.vips)
    for (const config::Backend& b : v.backends)
      if (auto spec = health::check_spec_for(v, b.address)) specs.push_back(*spec);
  monitor_.set_checks(std::move(specs));
  std::vector<std::string> dropped = admin_.retain(config_);
  log_lines(dropped);
  if (!dropped.empty())
    if (auto error = admin_.save()) std::fprintf(stderr, "sluiced: %s\n", error->c_str());
  push_desired_state();
}

HealthStatus Daemon::health_of(const config::Vip& vip, const config::Backend& backend) const {
  auto spec = health::check_spec_for(vip, backend.address);
  if (!spec) return HealthStatus::kUnchecked;
  auto status = monitor_.status(spec->key());
  if (!status || !status->health.checked()) return HealthStatus::kUnchecked;
  return status->health.up() ? HealthStatus::kUp : HealthStatus::kDown;
}

bool Daemon::checks_settled() const {
  for (const health::CheckStatus& s : monitor_.statuses()) {
    const health::HealthState& h = s.health;
    if (!h.checked() || (!h.up() && h.consecutive_failures() < h.fall())) return false;
  }
  return true;
}

void Daemon::end_hold_if_due() {
  if (!holding_ || (!checks_settled() && now_ms() < hold_deadline_ms_)) return;
  holding_ = false;
  push_desired_state();
}

void Daemon::push_desired_state() {
  if (holding_) return;
  config::Config admin = config_;
  admin_.apply(admin);
  auto vips = desired_vips(admin, [this](const config::Vip& v, const config::Backend& b) {
    return health_of(v, b);
  });
  // A VIP carried by a VRRP instance is active only while that instance is MASTER.
  for (config::Vip& v : vips)
    for (const VrrpRuntime& rt : vrrp_)
      for (const std::string& name : rt.config.vips)
        if (name == v.name) v.active = rt.master;
  dataplane_.set_desired_state(config::vips_to_toml(vips));
}

void Daemon::on_health_events() {
  std::vector<health::Event> events = monitor_.take_events();
  for (const health::Event& e : events)
    std::fprintf(stderr, "sluiced: health: %s\n", e.text().c_str());
  if (!events.empty()) push_desired_state();
}

int Daemon::run() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  int signal_fd = signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);

  log_lines(admin_.load(unix_now()));
  std::error_code ec;
  std::filesystem::create_directories(
      std::filesystem::path(config_.controlplane.admin_state_file).parent_path(), ec);

  api::ServerOptions options;
  options.path = config_.controlplane.socket;
  server_ = std::make_unique<api::Server>(*this, options);
  if (auto error = server_->listen()) {
    std::fprintf(stderr, "sluiced: runtime API: %s\n", error->c_str());
    return 1;
  }
  if (!monitor_.ok()) {
    std::fprintf(stderr, "sluiced: health monitor: %s\n", std::strerror(monitor_.error()));
    return 1;
  }

  int loop = epoll_create1(EPOLL_CLOEXEC);
  auto watch = [loop](int fd) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(loop, EPOLL_CTL_ADD, fd, &ev);
  };
  watch(signal_fd);
  watch(server_->fd());
  watch(monitor_.fd());

  uint64_t longest = 0;
  for (const config::Vip& v : config_.vips)
    if (v.check.type != config::HealthCheck::Type::kNone)
      longest = std::max<uint64_t>(
          longest, uint64_t(std::max(v.check.rise, v.check.fall)) * v.check.interval_ms +
                       v.check.timeout_ms);
  hold_deadline_ms_ = now_ms() + longest;
  apply_config();
  start_vrrp(watch);
  end_hold_if_due();
  std::fprintf(stderr, "sluiced: running: %zu VIPs, API on %s, dataplane at %s\n",
               config_.vips.size(), options.path.c_str(),
               config_.dataplane.control_socket.c_str());

  bool stop = false;
  while (!stop) {
    dataplane_.tick(now_ms());
    if (dataplane_.fd_changed() && dataplane_.fd() >= 0) watch(dataplane_.fd());
    int timeout = monitor_.next_timeout_ms();
    if (timeout < 0 || timeout > kTickMs) timeout = kTickMs;
    if (int t = vrrp_timeout_ms(); t >= 0 && t < timeout) timeout = t;
    epoll_event events[16];
    int n = epoll_wait(loop, events, 16, timeout);
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == signal_fd) {
        signalfd_siginfo info;
        while (read(signal_fd, &info, sizeof info) == sizeof info) {
          if (info.ssi_signo == SIGHUP) {
            reload();
          } else {
            stop = true;
          }
        }
      } else if (fd == server_->fd()) {
        server_->on_readable();
      } else if (fd == dataplane_.fd()) {
        dataplane_.on_readable(now_ms());
      } else {
        for (VrrpRuntime& rt : vrrp_)
          if (rt.socket && fd == rt.socket->fd()) on_vrrp_readable(rt);
      }
    }
    monitor_.poll();
    on_health_events();
    end_hold_if_due();
    track_vrrp();
    for (VrrpRuntime& rt : vrrp_) run_vrrp(rt, rt.engine->step(clock_.now_us()));
  }
  stop_vrrp();
  std::fprintf(stderr, "sluiced: stopping; the dataplane keeps forwarding with its last state\n");
  server_.reset();
  close(loop);
  close(signal_fd);
  return 0;
}

void Daemon::start_vrrp(const std::function<void(int)>& watch) {
  for (const config::VrrpInstance& c : config_.vrrp) {
    VrrpRuntime rt;
    rt.config = c;
    vrrp::Config vc;
    vc.vrid = c.vrid;
    vc.priority = c.priority;
    vc.advert_interval_cs = c.advert_interval_cs;
    vc.preempt = c.preempt;
    vc.preempt_delay_ms = c.preempt_delay_ms;
    vc.primary_address = c.address;
    for (const std::string& name : c.vips)
      if (const config::Vip* v = find_vip(name)) vc.vips.push_back(v->address);
    vc.garp_count = std::max<uint32_t>(1, config_.dataplane.garp_count);
    vc.garp_interval_ms = std::max<uint32_t>(1, config_.dataplane.garp_interval_ms);
    if (std::string why = vc.validate(); !why.empty()) {
      std::fprintf(stderr, "sluiced: vrrp %s: %s; instance not started\n", c.name.c_str(),
                   why.c_str());
      continue;
    }
    rt.socket = std::make_unique<VrrpSocket>();
    if (auto why = rt.socket->open(c.interface, c.address, c.unicast_peers)) {
      std::fprintf(stderr, "sluiced: vrrp %s: %s; instance not started\n", c.name.c_str(),
                   why->c_str());
      continue;
    }
    watch(rt.socket->fd());
    rt.engine = std::make_unique<vrrp::Instance>(vc);
    vrrp_.push_back(std::move(rt));
  }
  for (VrrpRuntime& rt : vrrp_) {
    std::fprintf(stderr, "sluiced: vrrp %s: vrid %u priority %u on %s, advert every %u cs\n",
                 rt.config.name.c_str(), rt.config.vrid, rt.config.priority,
                 rt.config.interface.c_str(), rt.config.advert_interval_cs);
    run_vrrp(rt, rt.engine->startup(clock_.now_us()));
  }
}

void Daemon::stop_vrrp() {
  for (VrrpRuntime& rt : vrrp_) run_vrrp(rt, rt.engine->shutdown(clock_.now_us()));
}

int Daemon::vrrp_timeout_ms() const {
  int best = -1;
  uint64_t now = clock_.now_us();
  for (const VrrpRuntime& rt : vrrp_) {
    auto due = rt.engine->next_timeout_us();
    if (!due) continue;
    int ms = *due <= now ? 0 : int((*due - now + 999) / 1000);
    if (best < 0 || ms < best) best = ms;
  }
  return best;
}

void Daemon::notify(const VrrpRuntime& rt, const char* state) {
  if (rt.config.notify.empty()) return;
  std::string priority = std::to_string(rt.engine->priority());
  pid_t pid = fork();
  if (pid == 0) {
    // Detach from sluiced's signals and reap: a double fork leaves no zombie behind.
    if (fork() != 0) _exit(0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execl(rt.config.notify.c_str(), rt.config.notify.c_str(), rt.config.name.c_str(), state,
          priority.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  if (pid > 0) waitpid(pid, nullptr, 0);
}

void Daemon::run_vrrp(VrrpRuntime& rt, const std::vector<vrrp::Action>& actions) {
  for (const vrrp::Action& a : actions) {
    switch (a.kind) {
      case vrrp::ActionKind::kSendAdvert: {
        vrrp::Advert advert;
        advert.vrid = rt.config.vrid;
        advert.priority = a.priority;
        advert.max_adver_int_cs = rt.config.advert_interval_cs;
        advert.addresses = rt.engine->config().vips;
        rt.socket->send(advert);
        break;
      }
      case vrrp::ActionKind::kBecomeMaster:
      case vrrp::ActionKind::kBecomeBackup:
      case vrrp::ActionKind::kBecomeFault:
      case vrrp::ActionKind::kBecomeInitialize: {
        const char* state = a.kind == vrrp::ActionKind::kBecomeMaster   ? "MASTER"
                             : a.kind == vrrp::ActionKind::kBecomeBackup ? "BACKUP"
                             : a.kind == vrrp::ActionKind::kBecomeFault  ? "FAULT"
                                                                         : "INIT";
        std::string line = a.text();
        std::fprintf(stderr, "sluiced: vrrp %s: %s\n", rt.config.name.c_str(), line.c_str());
        rt.transitions.push_back(std::to_string(unix_now()) + " " + line);
        if (rt.transitions.size() > 8) rt.transitions.erase(rt.transitions.begin());
        bool master = a.kind == vrrp::ActionKind::kBecomeMaster;
        if (master != rt.master) {
          rt.master = master;
          // Takeover must not wait for the health checks to settle after a restart.
          holding_ = holding_ && !master;
          push_desired_state();
        }
        notify(rt, state);
        break;
      }
      case vrrp::ActionKind::kReannounce:
        std::fprintf(stderr, "sluiced: vrrp %s: %s\n", rt.config.name.c_str(), a.text().c_str());
        break;
      case vrrp::ActionKind::kSendGratuitous:
        if (rt.master) dataplane_.announce(rt.config.vips);
        break;
    }
  }
}

void Daemon::on_vrrp_readable(VrrpRuntime& rt) {
  while (auto received = rt.socket->receive()) {
    if (!received->result.ok()) {
      std::string why(vrrp::decode_error_text(received->result.error));
      if (why != rt.last_decode_error)
        std::fprintf(stderr, "sluiced: vrrp %s: advert from %s discarded: %s\n",
                     rt.config.name.c_str(), received->source.to_string().c_str(), why.c_str());
      rt.last_decode_error = why;
      continue;
    }
    run_vrrp(rt, rt.engine->on_advert(received->result.advert, received->source,
                                      clock_.now_us()));
  }
}

void Daemon::track_vrrp() {
  if (vrrp_.empty()) return;
  config::Config admin = config_;
  admin_.apply(admin);
  for (VrrpRuntime& rt : vrrp_) {
    bool fault = rt.config.track_dataplane && !dataplane_.connected();
    if (rt.config.track_backends) {
      for (const std::string& name : rt.config.vips) {
        for (const config::Vip& v : admin.vips) {
          if (v.name != name) continue;
          bool serving = false;
          for (const config::Backend& b : v.backends)
            serving |= decide(v, b, health_of(v, b)) == config::BackendState::kReady;
          fault |= !serving;
        }
      }
    }
    if (fault != rt.fault) {
      rt.fault = fault;
      std::fprintf(stderr, "sluiced: vrrp %s: tracking %s\n", rt.config.name.c_str(),
                   fault ? "failed: going to FAULT" : "recovered");
      run_vrrp(rt, rt.engine->set_fault(fault, clock_.now_us()));
    }
  }
}

const config::Vip* Daemon::find_vip(const std::string& name) const {
  for (const config::Vip& v : config_.vips)
    if (v.name == name) return &v;
  return nullptr;
}

api::InfoView Daemon::info() const {
  api::InfoView i;
  i.version = kVersion;
  i.pid = getpid();
  i.uptime_s = (now_ms() - started_ms_) / 1000;
  i.config_path = config_path_;
  i.config_generation = config_generation_;
  i.dataplane_connected = dataplane_.connected();
  if (auto ack = dataplane_.last_ack_ms()) i.last_dataplane_sync_s = (now_ms() - *ack) / 1000;
  return i;
}

std::vector<api::VipView> Daemon::vips() const {
  auto traffic = backend_traffic(dataplane_.last_stats());
  config::Config admin = config_;
  admin_.apply(admin);
  std::vector<api::VipView> out;
  for (size_t vi = 0; vi < config_.vips.size(); ++vi) {
    const config::Vip& v = config_.vips[vi];
    api::VipView view;
    view.name = v.name;
    view.address = v.address.to_string();
    view.protocol = config::protocol_name(v.protocol);
    view.port = v.port;
    view.mode = config::to_string(v.mode);
    for (size_t bi = 0; bi < v.backends.size(); ++bi) {
      const config::Backend& configured = v.backends[bi];
      const config::Backend& b = admin.vips[vi].backends[bi];
      api::BackendView bv;
      bv.address = b.address.to_string();
      bv.weight = configured.weight;
      bv.admin_state = b.state;
      bv.admin_weight = b.weight;
      HealthStatus h = health_of(v, b);
      bv.health = h == HealthStatus::kUp     ? api::Health::kUp
                  : h == HealthStatus::kDown ? api::Health::kDown
                                             : api::Health::kUnchecked;
      if (auto spec = health::check_spec_for(v, b.address))
        if (auto st = monitor_.status(spec->key())) {
          if (st->health.checked()) bv.health_reason = st->health.last_result().text();
          bv.last_change_s = (clock_.now_us() - st->health.last_change_us()) / 1'000'000;
        }
      config::BackendState effective = decide(v, b, h);
      bv.effective = effective == config::BackendState::kReady   ? api::Effective::kServing
                     : effective == config::BackendState::kDrain ? api::Effective::kDraining
                                                                 : api::Effective::kOut;
      if (auto it = traffic.find({v.name, b.address}); it != traffic.end()) {
        bv.packets = it->second.packets;
        bv.bytes = it->second.bytes;
        bv.new_flows = it->second.new_flows;
      }
      view.backends.push_back(std::move(bv));
    }
    out.push_back(std::move(view));
  }
  return out;
}

api::StatsView Daemon::stats() const {
  api::StatsView s;
  s.counters.emplace_back("dataplane_connected", dataplane_.connected() ? 1 : 0);
  s.counters.emplace_back("dataplane_generation", dataplane_.applied_generation());
  s.counters.emplace_back("health_checks", monitor_.size());
  if (const auto& dataplane = dataplane_.last_stats()) {
    s.counters.emplace_back("generation", dataplane->generation);
    s.counters.insert(s.counters.end(), dataplane->counters.begin(), dataplane->counters.end());
  }
  return s;
}

std::vector<api::HealthView> Daemon::health() const {
  std::vector<api::HealthView> out;
  for (const config::Vip& v : config_.vips) {
    for (const config::Backend& b : v.backends) {
      api::HealthView h;
      h.vip = v.name;
      h.backend = b.address.to_string();
      auto spec = health::check_spec_for(v, b.address);
      if (spec) {
        h.check = health::kind_name(spec->kind);
        if (spec->kind == health::CheckSpec::Kind::kHttp) h.check += " GET " + spec->http_path;
        h.check += " " + spec->target();
        if (auto st = monitor_.status(spec->key())) {
          if (st->health.checked()) {
            h.status = st->health.up() ? api::Health::kUp : api::Health::kDown;
            h.reason = st->health.last_result().text();
          }
          h.last_change_s = (clock_.now_us() - st->health.last_change_us()) / 1'000'000;
        }
      }
      out.push_back(std::move(h));
    }
  }
  return out;
}

std::vector<api::HaView> Daemon::ha() const {
  std::vector<api::HaView> out;
  for (const VrrpRuntime& rt : vrrp_) {
    api::HaView h;
    const vrrp::Instance& e = *rt.engine;
    h.name = rt.config.name;
    h.interface = rt.config.interface;
    h.vrid = rt.config.vrid;
    h.state = vrrp::state_name(e.state());
    h.priority = e.priority();
    h.configured_priority = rt.config.priority;
    if (e.state() == vrrp::State::kMaster)
      h.master = rt.config.address.to_string();
    else if (auto m = e.master_address())
      h.master = m->to_string();
    h.advert_interval_cs = rt.config.advert_interval_cs;
    h.master_adver_interval_cs = e.master_adver_interval_cs();
    h.skew_ms = e.skew_time_us() / 1000;
    h.master_down_ms = e.master_down_interval_us() / 1000;
    h.vips = rt.config.vips;
    h.transitions = rt.transitions;
    h.adverts_sent = e.stats().adverts_sent;
    h.adverts_received = e.stats().adverts_received;
    out.push_back(std::move(h));
  }
  return out;
}

std::optional<std::string> Daemon::find_backend(const std::string& vip, const std::string& backend,
                                               std::string& canonical) const {
  const config::Vip* v = find_vip(vip);
  if (!v) return "no VIP named '" + vip + "'";
  auto address = IpAddress::parse(backend);
  for (const config::Backend& b : v->backends)
    if (address && b.address == *address) {
      canonical = address->to_string();
      return std::nullopt;
    }
  return "VIP '" + vip + "' has no backend " + backend;
}

std::optional<std::string> Daemon::set_backend_state(const std::string& vip,
                                                     const std::string& backend,
                                                     config::BackendState state) {
  std::string address;
  if (auto error = find_backend(vip, backend, address)) return error;
  admin_.set_state(vip, address, state, unix_now());
  return apply_admin_change();
}

std::optional<std::string> Daemon::set_backend_weight(const std::string& vip,
                                                      const std::string& backend,
                                                      uint16_t weight) {
  std::string address;
  if (auto error = find_backend(vip, backend, address)) return error;
  admin_.set_weight(vip, address, weight, unix_now());
  return apply_admin_change();
}

std::optional<std::string> Daemon::apply_admin_change() {
  push_desired_state();
  if (auto error = admin_.save()) return "applied, but not persisted: " + *error;
  return std::nullopt;
}

api::ReloadResult Daemon::reload() {
  api::ReloadResult r = reload_config();
  std::fprintf(stderr, "sluiced: %s\n", r.summary.c_str());
  log_lines(r.details);
  return r;
}

api::ReloadResult Daemon::reload_config() {
  api::ReloadResult r;
  config::LoadResult loaded = config::load_config_file(config_path_);
  if (!loaded.config) {
    r.summary = "reload refused: " + std::to_string(loaded.errors.size()) +
                " error(s); the running configuration stays";
    for (const config::ConfigError& e : loaded.errors) r.details.push_back(e.to_string());
    return r;
  }
  config::Config next = std::move(*loaded.config);
  if (next.controlplane != config_.controlplane || next.dataplane != config_.dataplane ||
      next.ports != config_.ports)
    r.details.push_back(
        "[controlplane], [dataplane] and [[port]] changes need a restart; applying VIPs, "
        "backends and checks");
  next.controlplane = config_.controlplane;
  next.dataplane = config_.dataplane;
  config_ = std::move(next);
  ++config_generation_;
  apply_config();
  size_t backends = 0;
  for (const config::Vip& v : config_.vips) backends += v.backends.size();
  r.ok = true;
  r.summary = "generation " + std::to_string(config_generation_) + ": " +
              std::to_string(config_.vips.size()) + " VIPs, " + std::to_string(backends) +
              " backends";
  return r;
}

}  // namespace sluice::sluiced
