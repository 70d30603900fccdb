// SPDX-License-Identifier: BSD-3-Clause
#include "sluiced/daemon.h"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>

namespace sluice::sluiced {

namespace {
constexpr int kTickMs = 200;
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

void Daemon::log_lines(const std::vector<std::string>& lines) {
  for (const std::string& l : lines) std::fprintf(stderr, "sluiced: %s\n", l.c_str());
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
  if (auto error = start_metrics()) {
    std::fprintf(stderr, "sluiced: metrics listener: %s\n", error->c_str());
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
  if (metrics_server_) watch(metrics_server_->fd());

  start_hold();
  apply_config();
  start_link_tracking(watch);
  vrrp_.start(config_, watch);
  start_bgp();
  end_hold_if_due();
  std::fprintf(stderr, "sluiced: running: %zu VIPs, API on %s, dataplane at %s%s\n",
               config_.vips.size(), options.path.c_str(), config_.dataplane.control_socket.c_str(),
               config_.metrics
                   ? (", metrics on http://" + config_.metrics->listen.to_string() + "/").c_str()
                   : "");

  bool stop = false;
  bool draining = false;  // SIGTERM with [bgp]: withdrawn, forwarding until drained
  while (!stop) {
    dataplane_.tick(now_ms());
    if (dataplane_.fd_changed() && dataplane_.fd() >= 0) watch(dataplane_.fd());
    tick_bird(watch);
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
          } else if (bgp_enabled() && !draining) {
            draining = true;
            stop = begin_bgp_stop();
          } else {
            stop = true;
          }
        }
      } else if (fd == server_->fd()) {
        server_->on_readable();
      } else if (metrics_server_ && fd == metrics_server_->fd()) {
        metrics_server_->on_readable();
      } else if (fd == dataplane_.fd()) {
        dataplane_.on_readable(now_ms());
      } else if (fd == links_.fd()) {
        links_.on_readable();
      } else if (bird_ && fd == bird_->fd()) {
        bird_->on_readable(now_ms());
      } else {
        vrrp_.on_readable(fd);
      }
    }
    monitor_.poll();
    on_health_events();
    end_hold_if_due();
    track_vrrp();
    vrrp_.step();
    step_bgp();
    log_bird_changes();
    log_bird_policy_answer();
    if (draining && bgp_drained()) stop = true;
  }
  stop_bgp();
  vrrp_.stop();
  std::fprintf(stderr, "sluiced: stopping; the dataplane keeps forwarding with its last state\n");
  server_.reset();
  metrics_server_.reset();
  close(loop);
  close(signal_fd);
  return 0;
}

}  // namespace sluice::sluiced
