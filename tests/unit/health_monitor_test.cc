// SPDX-License-Identifier: BSD-3-Clause
// HealthMonitor with the real probes against sockets made here on 127.0.0.1, and its
// scheduling on a fake clock. Short intervals; assertions are on states and reasons,
// never on how long anything took.
#include "health/health_monitor.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace sluice::health {
namespace {

const IpAddress kLoopback = *IpAddress::parse("127.0.0.1");

int bound_socket(int type) {
  int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  return fd;
}

uint16_t port_of(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

// A port nothing listens on: bound once to learn it, then released.
uint16_t closed_port(int type) {
  int fd = bound_socket(type);
  uint16_t port = port_of(fd);
  close(fd);
  return port;
}

struct TcpListener {
  TcpListener() : fd(bound_socket(SOCK_STREAM)) { listen(fd, 128); }
  ~TcpListener() { close(fd); }
  uint16_t port() const { return port_of(fd); }
  int fd;
};

// Answers every connection with `response` once it has read the request headers.
class HttpServer {
 public:
  explicit HttpServer(std::string response) : response_(std::move(response)) {
    thread_ = std::thread([this] { serve(); });
  }
  ~HttpServer() {
    stop_ = true;
    thread_.join();
  }
  uint16_t port() const { return listener_.port(); }
  std::string last_request() {
    std::lock_guard lock(mutex_);
    return request_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{listener_.fd, POLLIN, 0};
      if (::poll(&p, 1, 10) <= 0) continue;
      int c = accept(listener_.fd, nullptr, nullptr);
      if (c < 0) continue;
      std::string req;
      char buf[512];
      while (req.find("\r\n\r\n") == std::string::npos) {
        pollfd q{c, POLLIN, 0};
        if (::poll(&q, 1, 1000) <= 0) break;
        ssize_t n = recv(c, buf, sizeof(buf), 0);
        if (n <= 0) break;
        req.append(buf, size_t(n));
      }
      {
        std::lock_guard lock(mutex_);
        request_ = req;
      }
      send(c, response_.data(), response_.size(), MSG_NOSIGNAL);
      close(c);
    }
  }

  TcpListener listener_;
  std::string response_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::string request_;
  std::thread thread_;
};

CheckSpec spec(CheckSpec::Kind kind, uint16_t port) {
  CheckSpec s;
  s.kind = kind;
  s.address = kLoopback;
  s.port = port;
  s.interval_ms = 20;
  s.timeout_ms = 200;
  s.rise = 2;
  s.fall = 2;
  return s;
}

CheckSpec initially_up(CheckSpec s) {
  s.initial = CheckSpec::Initial::kUp;
  return s;
}

class MonitorTest : public ::testing::Test {
 protected:
  // Runs the monitor (and `between`, e.g. a UDP responder) until `done` holds or 10 s
  // of wall time pass; the bound only guards against a hang.
  bool run_until(const std::function<bool()>& done, const std::function<void()>& between = {}) {
    auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done()) {
      if (std::chrono::steady_clock::now() > limit) return false;
      monitor.run_once(5);
      for (Event& e : monitor.take_events()) events.push_back(std::move(e));
      if (between) between();
    }
    return true;
  }
  bool run_until_event(const std::function<void()>& between = {}) {
    size_t seen = events.size();
    return run_until([&] { return events.size() > seen; }, between);
  }
  CheckStatus status(const CheckSpec& s) { return *monitor.status(s.key()); }

  MonotonicClock clock;
  HealthMonitor monitor{clock};
  std::vector<Event> events;
};

TEST_F(MonitorTest, TcpAcceptGoesUp) {
  ASSERT_TRUE(monitor.ok());
  TcpListener listener;
  CheckSpec s = spec(CheckSpec::Kind::kTcp, listener.port());
  monitor.set_checks({s});
  EXPECT_FALSE(status(s).health.checked());
  ASSERT_TRUE(run_until_event());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(events[0].up);
  EXPECT_EQ(events[0].key, s.key());
  EXPECT_EQ(events[0].result.text(), "L4 OK");
  EXPECT_EQ(events[0].text(), "tcp 127.0.0.1:" + std::to_string(s.port) + " is UP: L4 OK");
  CheckStatus st = status(s);
  EXPECT_TRUE(st.health.up());
  EXPECT_TRUE(st.health.checked());
  EXPECT_EQ(st.health.consecutive_successes(), 2u);
  EXPECT_EQ(st.health.last_change_us(), events[0].at_us);
}

TEST_F(MonitorTest, TcpClosedPortGoesDownRefused) {
  CheckSpec s = initially_up(spec(CheckSpec::Kind::kTcp, closed_port(SOCK_STREAM)));
  monitor.set_checks({s});
  EXPECT_TRUE(status(s).health.up());
  ASSERT_TRUE(run_until_event());
  EXPECT_FALSE(events[0].up);
  EXPECT_EQ(events[0].result.text(), "L4 connection refused");
  EXPECT_EQ(status(s).health.consecutive_failures(), 2u);
}

TEST_F(MonitorTest, TcpClosedPortNeverComesUp) {
  CheckSpec s = spec(CheckSpec::Kind::kTcp, closed_port(SOCK_STREAM));
  monitor.set_checks({s});
  ASSERT_TRUE(run_until([&] { return status(s).health.consecutive_failures() >= 3; }));
  EXPECT_TRUE(events.empty()) << "DOWN from the start: no transition";
  EXPECT_TRUE(status(s).health.checked());
  EXPECT_FALSE(status(s).health.up());
  EXPECT_EQ(status(s).health.last_result().text(), "L4 connection refused");
}

TEST_F(MonitorTest, HttpListenerThatNeverAnswersIsL7Timeout) {
  TcpListener silent;  // the kernel completes the handshake; nobody ever reads
  CheckSpec s = initially_up(spec(CheckSpec::Kind::kHttp, silent.port()));
  s.timeout_ms = 30;
  monitor.set_checks({s});
  ASSERT_TRUE(run_until_event());
  EXPECT_FALSE(events[0].up);
  EXPECT_EQ(events[0].result.text(), "L7 timeout");
}

TEST_F(MonitorTest, Http200GoesUpAndSendsTheRequest) {
  HttpServer server("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
  CheckSpec s = spec(CheckSpec::Kind::kHttp, server.port());
  s.http_path = "/health";
  s.http_host = "www.foobar.com";
  monitor.set_checks({s});
  ASSERT_TRUE(run_until_event());
  EXPECT_TRUE(events[0].up);
  EXPECT_EQ(events[0].result.text(), "L7 OK HTTP 200");
  EXPECT_EQ(server.last_request(),
            "GET /health HTTP/1.0\r\nHost: www.foobar.com\r\nUser-Agent: sluice-health\r\n"
            "Connection: close\r\n\r\n");
}

TEST_F(MonitorTest, Http503GoesDown) {
  HttpServer server("HTTP/1.1 503 Service Unavailable\r\n\r\n");
  CheckSpec s = initially_up(spec(CheckSpec::Kind::kHttp, server.port()));
  monitor.set_checks({s});
  ASSERT_TRUE(run_until_event());
  EXPECT_FALSE(events[0].up);
  EXPECT_EQ(events[0].result.text(), "L7 HTTP 503");
}

TEST_F(MonitorTest, HttpStatusRangeIsConfigurable) {
  HttpServer server("HTTP/1.1 301 Moved Permanently\r\n\r\n");
  CheckSpec s = initially_up(spec(CheckSpec::Kind::kHttp, server.port()));
  s.http_status_max = 299;
  monitor.set_checks({s});
  ASSERT_TRUE(run_until_event());
  EXPECT_EQ(events[0].result.text(), "L7 HTTP 301");
}

TEST_F(MonitorTest, NonHttpAnswerIsBadResponse) {
  HttpServer server("SSH-2.0-OpenSSH_9.2\r\n");
  CheckSpec s = initially_up(spec(CheckSpec::Kind::kHttp, server.port()));
  monitor.set_checks({s});
  ASSERT_TRUE(run_until_event());
  EXPECT_EQ(events[0].result.text(), "L7 bad response");
}

TEST_F(MonitorTest, HttpClosedPortIsL4Refused) {
  CheckSpec s = initially_up(spec(CheckSpec::Kind::kHttp, closed_port(SOCK_STREAM)));
  monitor.set_checks({s});
  ASSERT_TRUE(run_until_event());
  EXPECT_EQ(events[0].result.text(), "L4 connection refused");
}

// Answers each datagram on `fd` with `reply` (or echoes it when reply is empty).
std::function<void()> udp_responder(int fd, std::string reply = {}) {
  return [fd, reply] {
    char buf[2048];
    sockaddr_storage from;
    for (;;) {
      socklen_t len = sizeof(from);
      ssize_t n =
          recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &len);
      if (n < 0) return;
      std::string out = reply.empty() ? std::string(buf, size_t(n)) : reply;
      sendto(fd, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  };
}

TEST_F(MonitorTest, UdpEchoGoesUp) {
  int echo = bound_socket(SOCK_DGRAM);
  CheckSpec s = spec(CheckSpec::Kind::kUdp, port_of(echo));
  s.udp_payload = "ping";
  s.udp_expect = "ping";
  monitor.set_checks({s});
  ASSERT_TRUE(run_until_event(udp_responder(echo)));
  EXPECT_TRUE(events[0].up);
  EXPECT_EQ(events[0].result.text(), "UDP OK");
  close(echo);
}

TEST_F(MonitorTest, UdpAnyReplyWhenNothingExpected) {
  int echo = bound_socket(SOCK_DGRAM);
  CheckSpec s = spec(CheckSpec::Kind::kUdp, port_of(echo));
  monitor.set_checks({s});
  ASSERT_TRUE(run_until_event(udp_responder(echo, "whatever")));
  EXPECT_TRUE(events[0].up);
  close(echo);
}

TEST_F(MonitorTest, UdpUnexpectedReply) {
  int echo = bound_socket(SOCK_DGRAM);
  CheckSpec s = initially_up(spec(CheckSpec::Kind::kUdp, port_of(echo)));
  s.udp_payload = "ping";
  s.udp_expect = "pong";
  monitor.set_checks({s});
  ASSERT_TRUE(run_until_event(udp_responder(echo, "nope")));
  EXPECT_FALSE(events[0].up);
  EXPECT_EQ(events[0].result.text(), "UDP unexpected reply");
  close(echo);
}

TEST_F(MonitorTest, UdpNoListenerIsConnectionRefused) {
  CheckSpec s = initially_up(spec(CheckSpec::Kind::kUdp, closed_port(SOCK_DGRAM)));
  s.udp_payload = "ping";
  monitor.set_checks({s});
  ASSERT_TRUE(run_until_event());
  EXPECT_FALSE(events[0].up);
  EXPECT_EQ(events[0].result.text(), "UDP connection refused");
}

TEST_F(MonitorTest, UdpSilentListenerIsNoReply) {
  int silent = bound_socket(SOCK_DGRAM);
  CheckSpec s = initially_up(spec(CheckSpec::Kind::kUdp, port_of(silent)));
  s.timeout_ms = 30;
  monitor.set_checks({s});
  ASSERT_TRUE(run_until_event());
  EXPECT_EQ(events[0].result.text(), "UDP no reply");
  close(silent);
}

TEST_F(MonitorTest, TcpOverIpv6) {
  int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    if (fd >= 0) close(fd);
    GTEST_SKIP() << "no IPv6 loopback";
  }
  listen(fd, 16);
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  CheckSpec s = spec(CheckSpec::Kind::kTcp, ntohs(a.sin6_port));
  s.address = *IpAddress::parse("::1");
  monitor.set_checks({s});
  ASSERT_TRUE(run_until_event());
  EXPECT_TRUE(events[0].up);
  EXPECT_EQ(events[0].text(), "tcp [::1]:" + std::to_string(s.port) + " is UP: L4 OK");
  close(fd);
}

TEST_F(MonitorTest, DuplicatesAreOneCheck) {
  TcpListener a, b;
  CheckSpec sa = spec(CheckSpec::Kind::kTcp, a.port());
  CheckSpec sb = spec(CheckSpec::Kind::kTcp, b.port());
  monitor.set_checks({sa, sb, sa, sa});
  EXPECT_EQ(monitor.size(), 2u);
  ASSERT_TRUE(run_until([&] { return events.size() == 2; }));
  EXPECT_NE(events[0].key, events[1].key);
}

TEST_F(MonitorTest, SetChecksKeepsTheStateOfUnchangedChecks) {
  TcpListener a;
  CheckSpec sa = spec(CheckSpec::Kind::kTcp, a.port());
  CheckSpec sb = spec(CheckSpec::Kind::kTcp, closed_port(SOCK_STREAM));
  monitor.set_checks({sa});
  ASSERT_TRUE(run_until([&] { return status(sa).health.up(); }));
  uint64_t checks = status(sa).health.checks();
  uint64_t changed = status(sa).health.last_change_us();

  monitor.set_checks({sb, sa});
  EXPECT_EQ(monitor.size(), 2u);
  EXPECT_TRUE(status(sa).health.up());
  EXPECT_TRUE(status(sa).health.checked());
  EXPECT_GE(status(sa).health.checks(), checks);
  EXPECT_EQ(status(sa).health.last_change_us(), changed);
  EXPECT_FALSE(status(sb).health.checked());

  monitor.set_checks({sb});
  EXPECT_EQ(monitor.size(), 1u);
  EXPECT_FALSE(monitor.status(sa.key()));
  ASSERT_TRUE(run_until([&] { return status(sb).health.checked(); }));
  for (const Event& e : events) EXPECT_EQ(e.key, sa.key()) << "sb starts and stays DOWN";
}

TEST_F(MonitorTest, RetimedCheckKeepsItsHealth) {
  TcpListener a;
  CheckSpec before = spec(CheckSpec::Kind::kTcp, a.port());
  monitor.set_checks({before});
  ASSERT_TRUE(run_until([&] { return status(before).health.up(); }));

  CheckSpec after = before;
  after.interval_ms = 30;
  after.rise = 5;
  monitor.set_checks({after});
  EXPECT_FALSE(monitor.status(before.key()));
  CheckStatus st = status(after);
  EXPECT_TRUE(st.health.up());
  EXPECT_TRUE(st.health.checked());
  EXPECT_EQ(st.health.rise(), 5u);
  EXPECT_EQ(st.spec, after);

  CheckSpec other_path = after;
  other_path.kind = CheckSpec::Kind::kHttp;
  monitor.set_checks({other_path});
  EXPECT_FALSE(status(other_path).health.checked()) << "a different probe starts afresh";
}

TEST_F(MonitorTest, MonitorFdNestsInAnOuterEpoll) {
  int outer = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ASSERT_EQ(epoll_ctl(outer, EPOLL_CTL_ADD, monitor.fd(), &ev), 0);
  TcpListener listener;
  CheckSpec s = spec(CheckSpec::Kind::kTcp, listener.port());
  s.rise = 1;
  monitor.set_checks({s});

  auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (events.empty() && std::chrono::steady_clock::now() < limit) {
    epoll_event got;
    epoll_wait(outer, &got, 1, monitor.next_timeout_ms());
    monitor.poll();
    for (Event& e : monitor.take_events()) events.push_back(std::move(e));
  }
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(events[0].up);
  close(outer);
}

TEST(MonitorSchedule, NewChecksAreSpreadOverTheirFirstInterval) {
  FakeClock clock;
  HealthMonitor monitor(clock);
  std::vector<CheckSpec> specs;
  for (uint16_t p = 1; p <= 1000; ++p) {
    CheckSpec s;
    s.address = kLoopback;
    s.port = p;
    s.interval_ms = 1000;
    specs.push_back(s);
  }
  monitor.set_checks(specs);
  std::map<uint64_t, int> per_ms;
  for (const CheckStatus& st : monitor.statuses()) {
    EXPECT_GE(st.next_check_us, clock.now_us());
    EXPECT_LT(st.next_check_us, clock.now_us() + 1'000'000);
    ++per_ms[st.next_check_us / 1000];
  }
  EXPECT_EQ(per_ms.size(), 1000u) << "one check starts per millisecond";
  EXPECT_EQ(monitor.next_timeout_ms(), 0);
}

TEST(MonitorSchedule, FollowsTheStateIntervalsOnAFakeClock) {
  FakeClock clock;
  HealthMonitor monitor(clock, MonitorOptions{.jitter_percent = 0});
  TcpListener listener;
  CheckSpec s = spec(CheckSpec::Kind::kTcp, listener.port());
  s.interval_ms = 1000;
  s.fast_interval_ms = 100;
  s.down_interval_ms = 3000;
  s.timeout_ms = 60'000;  // the fake clock never reaches it
  monitor.set_checks({s});
  EXPECT_EQ(monitor.next_timeout_ms(), 0);

  // Runs one check at the current fake time; the socket work happens in real time.
  auto run_check = [&] {
    uint64_t count = monitor.status(s.key())->health.checks();
    auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (monitor.status(s.key())->health.checks() == count &&
           std::chrono::steady_clock::now() < limit)
      monitor.run_once(5);
    return *monitor.status(s.key());
  };
  CheckStatus st = run_check();
  EXPECT_FALSE(st.health.up());
  EXPECT_EQ(monitor.next_timeout_ms(), 100) << "rising: fast interval";
  clock.advance_ms(100);
  st = run_check();
  EXPECT_TRUE(st.health.up());
  EXPECT_EQ(monitor.next_timeout_ms(), 1000) << "up: interval";
  EXPECT_EQ(st.health.last_latency_us(), 0u) << "no fake time passed during the check";

  close(listener.fd);
  listener.fd = socket(AF_INET, SOCK_STREAM, 0);
  clock.advance_ms(1000);
  st = run_check();
  EXPECT_EQ(st.health.last_result().reason, Reason::kL4Refused);
  EXPECT_EQ(monitor.next_timeout_ms(), 100) << "falling: fast interval";
  clock.advance_ms(100);
  st = run_check();
  EXPECT_FALSE(st.health.up());
  EXPECT_EQ(monitor.next_timeout_ms(), 3000) << "down: down interval";
  auto events = monitor.take_events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(events[0].up);
  EXPECT_FALSE(events[1].up);
  EXPECT_EQ(events[1].result.text(), "L4 connection refused");
  const DurationHistogram& ok = monitor.durations(CheckSpec::Kind::kTcp, true);
  const DurationHistogram& failed = monitor.durations(CheckSpec::Kind::kTcp, false);
  EXPECT_EQ(ok.count(), 2u);
  EXPECT_EQ(ok.counts()[0], 2u) << "0 us: the first bucket";
  EXPECT_EQ(failed.count(), 2u);
  EXPECT_EQ(monitor.durations(CheckSpec::Kind::kHttp, true).count(), 0u);
}

TEST(MonitorSchedule, TimeoutOnTheFakeClock) {
  FakeClock clock;
  HealthMonitor monitor(clock, MonitorOptions{.jitter_percent = 0});
  int silent = bound_socket(SOCK_DGRAM);
  CheckSpec s = initially_up(spec(CheckSpec::Kind::kUdp, port_of(silent)));
  s.interval_ms = 1000;
  s.timeout_ms = 500;
  s.fall = 1;
  monitor.set_checks({s});
  monitor.poll();
  EXPECT_TRUE(monitor.status(s.key())->in_progress);
  EXPECT_EQ(monitor.next_timeout_ms(), 500);
  clock.advance_ms(499);
  monitor.poll();
  EXPECT_TRUE(monitor.status(s.key())->in_progress);
  clock.advance_ms(1);
  monitor.poll();
  CheckStatus st = *monitor.status(s.key());
  EXPECT_FALSE(st.in_progress);
  EXPECT_EQ(st.health.last_result().text(), "UDP no reply");
  EXPECT_EQ(st.health.last_latency_us(), 500'000u);
  const DurationHistogram& failed = monitor.durations(CheckSpec::Kind::kUdp, false);
  EXPECT_EQ(failed.count(), 1u);
  EXPECT_EQ(failed.sum_us(), 500'000u);
  EXPECT_EQ(failed.counts()[9], 1u) << "500 ms is the upper bound of bucket 9";
  EXPECT_EQ(monitor.durations(CheckSpec::Kind::kUdp, true).count(), 0u);
  EXPECT_EQ(monitor.next_timeout_ms(), 500) << "next start: 1000 ms after the last one";
  close(silent);
}

TEST(DurationHistogram, EachDurationInTheFirstBucketThatHoldsIt) {
  DurationHistogram h;
  for (uint32_t us : {0u, 500u, 501u, 1'000u, 9'999'999u, 10'000'000u, 10'000'001u, UINT32_MAX})
    h.observe(us);
  std::array<uint64_t, DurationHistogram::kBuckets> want{};
  want[0] = 2;   // 0, 500: <= 0.5 ms
  want[1] = 2;   // 501, 1000: <= 1 ms
  want[13] = 2;  // <= 10 s
  want[14] = 2;  // above every bound
  EXPECT_EQ(h.counts(), want);
  EXPECT_EQ(h.count(), 8u);
  EXPECT_EQ(h.sum_us(),
            uint64_t{0} + 500 + 501 + 1'000 + 9'999'999 + 10'000'000 + 10'000'001 + UINT32_MAX);
}

}  // namespace
}  // namespace sluice::health
