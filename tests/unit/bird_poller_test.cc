// SPDX-License-Identifier: BSD-3-Clause
// sluiced's reader of bird's state (controlplane/bird/poller.h) against a fake bird: a
// Unix socket in a temporary directory that the test answers by hand with replies
// captured from a real bird. One thread: a Unix connect completes in the listener's
// backlog, and time is what the test passes to tick() and on_readable().
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "bird/poller.h"
#include "bird_captures.h"

namespace sluice::bird {
namespace {

using testing::capture;

class FakeBird {
 public:
  FakeBird() {
    char dir[] = "/tmp/bird_poller_test.XXXXXX";
    dir_ = ::mkdtemp(dir);
    path_ = dir_ + "/bird.ctl";
  }
  ~FakeBird() {
    stop();
    std::filesystem::remove_all(dir_);
  }
  const std::string& path() const { return path_; }

  void start() {
    std::filesystem::remove(path_);
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path_.c_str());
    ASSERT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(listener_, 8), 0);
  }
  // The socket file stays (bird killed): connecting is refused.
  void stop() {
    if (conn_ >= 0) ::close(conn_);
    if (listener_ >= 0) ::close(listener_);
    conn_ = listener_ = -1;
  }
  void remove_file() { std::filesystem::remove(path_); }

  // The connection the poller opened, waiting in the backlog.
  bool accept() {
    if (conn_ >= 0) ::close(conn_);
    conn_ = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    return conn_ >= 0;
  }
  void send(std::string_view bytes) {
    ASSERT_EQ(::send(conn_, bytes.data(), bytes.size(), MSG_NOSIGNAL), ssize_t(bytes.size()));
  }
  void hang_up() {
    ::close(conn_);
    conn_ = -1;
  }
  // What the poller sent since the last call ("" when nothing).
  std::string received() {
    std::string out;
    char buf[256];
    ssize_t n;
    while ((n = ::recv(conn_, buf, sizeof buf, MSG_DONTWAIT)) > 0) out.append(buf, size_t(n));
    return out;
  }

 private:
  std::string dir_;
  std::string path_;
  int listener_ = -1;
  int conn_ = -1;
};

// Waits for the poller's socket to have input, then lets it read.
void deliver(Poller& p, uint64_t now_ms) {
  ASSERT_GE(p.fd(), 0);
  pollfd pfd{.fd = p.fd(), .events = POLLIN, .revents = 0};
  ASSERT_EQ(::poll(&pfd, 1, 2000), 1) << "nothing arrived";
  p.on_readable(now_ms);
}

// A capture cut after its greeting: {greeting, the rest}.
std::pair<std::string, std::string> split_greeting(const std::string& bytes) {
  size_t eol = bytes.find('\n') + 1;
  return {bytes.substr(0, eol), bytes.substr(eol)};
}

std::vector<std::string> states(const Poller& p) {
  std::vector<std::string> out;
  for (const ProtocolStatus& s : p.protocols()) out.push_back(s.name + " " + s.state);
  return out;
}

// Connected at `now_ms`, greeted, asked: the fake bird holds the question.
void greet(FakeBird& bird, Poller& p, uint64_t now_ms) {
  p.tick(now_ms);
  ASSERT_TRUE(bird.accept()) << p.error();
  EXPECT_TRUE(p.fd_changed());
  EXPECT_FALSE(p.fd_changed());
  bird.send(split_greeting(capture("established.txt")).first);
  deliver(p, now_ms);
  EXPECT_EQ(bird.received(), "show protocols\n");
}

TEST(BirdPoller, AsksEverySecondAndKeepsTheLastAnswer) {
  FakeBird bird;
  bird.start();
  Poller p(bird.path());
  EXPECT_FALSE(p.reachable());
  EXPECT_EQ(p.error(), "not asked yet");
  greet(bird, p, 0);
  EXPECT_FALSE(p.reachable()) << "greeted, not answered yet";
  bird.send(split_greeting(capture("established.txt")).second);
  deliver(p, 30);
  EXPECT_TRUE(p.reachable());
  EXPECT_EQ(p.error(), "");
  EXPECT_EQ(p.version(), "2.0.12");
  EXPECT_EQ(p.last_answer_ms(), 30u);
  EXPECT_EQ(states(p), (std::vector<std::string>{"bfd1 up", "router1 up", "router2 start"}));
  EXPECT_EQ(p.protocols()[2].last_error, "Socket: No route to host");

  p.tick(999);
  EXPECT_EQ(bird.received(), "") << "the next question a second after the last";
  p.tick(1000);
  EXPECT_EQ(bird.received(), "show protocols\n");
  // The answer trickles in: nothing changes until it is whole.
  std::string answer = split_greeting(capture("connection_refused.txt")).second;
  bird.send(answer.substr(0, 100));
  deliver(p, 1010);
  EXPECT_EQ(p.last_answer_ms(), 30u);
  bird.send(answer.substr(100));
  deliver(p, 1020);
  EXPECT_EQ(p.last_answer_ms(), 1020u);
  EXPECT_EQ(p.protocols()[1].last_error, "Socket: Connection refused");
  EXPECT_FALSE(p.fd_changed());
}

TEST(BirdPoller, BirdGoneThenBack) {
  FakeBird bird;
  bird.start();
  Poller p(bird.path());
  greet(bird, p, 0);
  bird.send(split_greeting(capture("established.txt")).second);
  deliver(p, 10);
  ASSERT_TRUE(p.reachable());

  bird.hang_up();  // bird stopped or restarted
  deliver(p, 500);
  EXPECT_FALSE(p.reachable());
  EXPECT_EQ(p.fd(), -1);
  EXPECT_EQ(p.error(), "bird closed the connection");
  EXPECT_EQ(states(p),
            (std::vector<std::string>{"bfd1 unknown", "router1 unknown", "router2 unknown"}));
  EXPECT_EQ(p.protocols()[2],
            (ProtocolStatus{.name = "router2", .proto = "BGP", .state = "unknown"}));

  bird.stop();  // the socket file is left behind
  p.tick(1499);
  EXPECT_EQ(p.error(), "bird closed the connection") << "1 s before the next try";
  p.tick(1500);
  EXPECT_EQ(p.error(), "connect: Connection refused");
  bird.start();
  p.tick(3499);
  EXPECT_EQ(p.fd(), -1) << "then 2 s";
  greet(bird, p, 3500);
  bird.send(split_greeting(capture("bfd_down.txt")).second);
  deliver(p, 3510);
  EXPECT_TRUE(p.reachable());
  EXPECT_EQ(p.protocols()[1].last_error, "Error: BFD session down");

  bird.hang_up();  // a good answer brought the wait back to 1 s
  deliver(p, 4000);
  p.tick(4999);
  EXPECT_EQ(p.fd(), -1);
  p.tick(5000);
  EXPECT_GE(p.fd(), 0);
}

// No socket file: each try waits twice as long as the one before, up to 10 s.
TEST(BirdPoller, RetriesBackOff) {
  FakeBird bird;
  Poller p(bird.path());
  p.tick(0);
  EXPECT_EQ(p.error(), "connect: No such file or directory");
  // Tries at 1, 3, 7, 15, 25 and 35 s: the socket is there just before each of them (a
  // try then would connect), and gone again for the try itself.
  for (uint64_t at : {1000, 3000, 7000, 15000, 25000}) {
    bird.start();
    p.tick(at - 1);
    EXPECT_EQ(p.fd(), -1) << at;
    bird.stop();
    bird.remove_file();
    p.tick(at);
    EXPECT_EQ(p.error(), "connect: No such file or directory") << at;
  }
  bird.start();
  p.tick(34'999);
  EXPECT_EQ(p.fd(), -1);
  p.tick(35'000);
  EXPECT_GE(p.fd(), 0);
}

TEST(BirdPoller, ABirdThatDoesNotAnswer) {
  FakeBird bird;
  bird.start();
  Poller p(bird.path());
  p.tick(0);
  ASSERT_TRUE(bird.accept());
  p.tick(4999);
  EXPECT_GE(p.fd(), 0);
  p.tick(5000);
  EXPECT_EQ(p.fd(), -1);
  EXPECT_EQ(p.error(), "no answer within 5 s") << "no greeting";

  p.tick(6000);
  ASSERT_TRUE(bird.accept());
  bird.send(split_greeting(capture("established.txt")).first);
  deliver(p, 6000);
  EXPECT_EQ(bird.received(), "show protocols\n");
  bird.send("2002-Name       Proto      Table      State  Since         Info\n");
  deliver(p, 6100);
  p.tick(10'999);
  EXPECT_GE(p.fd(), 0);
  p.tick(11'000);
  EXPECT_EQ(p.fd(), -1);
  EXPECT_EQ(p.error(), "no answer within 5 s") << "half an answer";

  PollerOptions fast{.interval_ms = 100, .answer_timeout_ms = 250};
  Poller q(bird.path(), fast);
  q.tick(0);
  ASSERT_TRUE(bird.accept());
  q.tick(250);
  EXPECT_EQ(q.error(), "no answer within 250 ms");
}

// bird's answers to `configure`, as bird 2.0.12 wrote them (config file b.conf).
constexpr std::string_view kReconfigured =
    "0002-Reading configuration from b.conf\n0003 Reconfigured\n";
constexpr std::string_view kRefused =
    "0002-Reading configuration from b.conf\n"
    "8002 /run/sluice/bird-vips.conf:3:20 syntax error, unexpected ';'\n";

TEST(BirdPoller, ConfigureWhenIdleAndKeepsBirdsAnswer) {
  FakeBird bird;
  bird.start();
  Poller p(bird.path());
  greet(bird, p, 0);
  p.request_configure(10);
  EXPECT_TRUE(p.configure_pending());
  EXPECT_EQ(bird.received(), "") << "not while `show protocols` waits for its answer";
  bird.send(split_greeting(capture("established.txt")).second);
  deliver(p, 20);
  EXPECT_TRUE(p.reachable());
  EXPECT_EQ(bird.received(), "configure\n") << "at once after the answer";
  EXPECT_FALSE(p.configure_answer());
  bird.send(kReconfigured);
  deliver(p, 40);
  EXPECT_FALSE(p.configure_pending());
  ASSERT_TRUE(p.configure_answer());
  EXPECT_EQ(p.configure_answer()->number, 1u);
  EXPECT_TRUE(p.configure_answer()->accepted);
  EXPECT_EQ(p.configure_answer()->line, "0003 Reconfigured");
  EXPECT_EQ(p.configure_answer()->at_ms, 40u);

  p.request_configure(100);  // idle: sent at once
  EXPECT_EQ(bird.received(), "configure\n");
  p.request_configure(110);  // while it waits: one more after this answer
  p.request_configure(120);
  bird.send(kRefused);
  deliver(p, 130);
  EXPECT_EQ(p.configure_answer()->number, 2u);
  EXPECT_FALSE(p.configure_answer()->accepted);
  EXPECT_EQ(p.configure_answer()->line,
            "8002 /run/sluice/bird-vips.conf:3:20 syntax error, unexpected ';'");
  EXPECT_TRUE(p.configure_pending());
  EXPECT_EQ(bird.received(), "configure\n") << "the two requests made meanwhile, as one";
  bird.send(kReconfigured);
  deliver(p, 140);
  EXPECT_EQ(p.configure_answer()->number, 3u);
  EXPECT_TRUE(p.configure_answer()->accepted);
  EXPECT_FALSE(p.configure_pending());
  p.tick(1000);
  EXPECT_EQ(bird.received(), "show protocols\n") << "the questions go on";
  EXPECT_TRUE(p.reachable());
}

TEST(BirdPoller, ConfigureWaitsForBirdAndOutlivesALostConnection) {
  FakeBird bird;
  Poller p(bird.path());
  p.tick(0);
  EXPECT_EQ(p.error(), "connect: No such file or directory");
  p.request_configure(10);
  EXPECT_TRUE(p.configure_pending());
  bird.start();
  greet(bird, p, 1000);
  bird.send(split_greeting(capture("established.txt")).second);
  deliver(p, 1010);
  EXPECT_EQ(bird.received(), "configure\n");
  bird.hang_up();  // bird restarted before it answered
  deliver(p, 1020);
  EXPECT_EQ(p.error(), "bird closed the connection");
  EXPECT_TRUE(p.configure_pending()) << "asked again on the next connection";
  EXPECT_FALSE(p.configure_answer());
  greet(bird, p, 2020);
  bird.send(split_greeting(capture("established.txt")).second);
  deliver(p, 2030);
  EXPECT_EQ(bird.received(), "configure\n");
  p.tick(7029);
  EXPECT_GE(p.fd(), 0);
  p.tick(7030);
  EXPECT_EQ(p.error(), "no answer within 5 s") << "a configure that hangs, like any question";
  EXPECT_TRUE(p.configure_pending());
}

TEST(BirdPoller, WhatIsNotBird) {
  FakeBird bird;
  bird.start();
  auto error_after = [&](std::string_view greeting, std::string_view answer) {
    Poller p(bird.path());
    p.tick(0);
    EXPECT_TRUE(bird.accept());
    bird.send(greeting);
    deliver(p, 0);
    if (!answer.empty() && p.fd() >= 0) {
      bird.send(answer);
      deliver(p, 10);
    }
    EXPECT_EQ(p.fd(), -1);
    EXPECT_FALSE(p.reachable());
    return p.error();
  };
  EXPECT_EQ(error_after("SSH-2.0-OpenSSH_9.2p1\r\n", ""),
            "not BIRD's CLI protocol: line 'SSH-2.0-OpenSSH_9.2p1?' has no 4-digit code");
  EXPECT_EQ(error_after("0000 hello\n", ""), "not bird's greeting: '0000 hello'");
  EXPECT_EQ(error_after("0001 BIRD 2.0.12 ready.\n", "8007 Access denied\n"),
            "show protocols: bird answered '8007 Access denied'");
  EXPECT_EQ(error_after("0001 BIRD 2.0.12 ready.\n", "0013 Daemon is up and running\n"),
            "show protocols: unexpected line 'Daemon is up and running' (code 13)");
  EXPECT_EQ(error_after("0001 BIRD 2.0.12 ready.\n0000 \n", ""),
            "show protocols: no protocol table in the answer")
      << "an answer before the question is taken as the answer";
  EXPECT_EQ(error_after(capture("established.txt") + "0000 \n", ""),
            "an answer to no question: '0000 '");
}

}  // namespace
}  // namespace sluice::bird
