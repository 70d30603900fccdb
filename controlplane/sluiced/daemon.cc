// SPDX-License-Identifier: BSD-3-Clause
#include "sluiced/daemon.h"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
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
      dataplane_(config_.dataplane.control_socket),
      vrrp_(clock_,
            {.mastership_changed = [this](bool master) { on_vrrp_mastership(master); },
             .announce =
                 [this](const std::vector<std::string>& vips) { dataplane_.announce(vips); }}) {
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
  activate_vrrp_vips(vips);
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
  vrrp_.start(config_, watch);
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
    if (int t = vrrp_.timeout_ms(); t >= 0 && t < timeout) timeout = t;
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
        vrrp_.on_readable(fd);
      }
    }
    monitor_.poll();
    on_health_events();
    end_hold_if_due();
    track_vrrp();
    vrrp_.step();
  }
  vrrp_.stop();
  std::fprintf(stderr, "sluiced: stopping; the dataplane keeps forwarding with its last state\n");
  server_.reset();
  close(loop);
  close(signal_fd);
  return 0;
}

void Daemon::on_vrrp_mastership(bool master) {
  // Takeover must not wait for the health checks to settle after a restart.
  holding_ = holding_ && !master;
  push_desired_state();
}

void Daemon::activate_vrrp_vips(std::vector<config::Vip>& vips) const {
  // A VIP carried by a VRRP instance is active only while that instance is MASTER.
  for (config::Vip& v : vips)
    for (const VrrpInstances::Instance& instance : vrrp_.instances())
      for (const std::string& name : instance.config.vips)
        if (name == v.name) v.active = instance.master;
}

void Daemon::track_vrrp() {
  if (vrrp_.empty()) return;
  config::Config admin = config_;
  admin_.apply(admin);
  vrrp_.track([&](const config::VrrpInstance& c) {
    bool fault = c.track_dataplane && !dataplane_.connected();
    if (c.track_backends) {
      for (const std::string& name : c.vips) {
        for (const config::Vip& v : admin.vips) {
          if (v.name != name) continue;
          bool serving = false;
          for (const config::Backend& b : v.backends)
            serving |= decide(v, b, health_of(v, b)) == config::BackendState::kReady;
          fault |= !serving;
        }
      }
    }
    return fault;
  });
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
  for (const VrrpInstances::Instance& instance : vrrp_.instances()) {
    const config::VrrpInstance& c = instance.config;
    const vrrp::Instance& e = *instance.engine;
    api::HaView h;
    h.name = c.name;
    h.interface = c.interface;
    h.vrid = c.vrid;
    h.state = vrrp::state_name(e.state());
    h.priority = e.priority();
    h.configured_priority = c.priority;
    if (e.state() == vrrp::State::kMaster)
      h.master = c.address.to_string();
    else if (auto m = e.master_address())
      h.master = m->to_string();
    h.advert_interval_cs = c.advert_interval_cs;
    h.master_adver_interval_cs = e.master_adver_interval_cs();
    h.skew_ms = e.skew_time_us() / 1000;
    h.master_down_ms = e.master_down_interval_us() / 1000;
    h.vips = c.vips;
    h.transitions = instance.transitions;
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
