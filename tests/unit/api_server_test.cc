// SPDX-License-Identifier: BSD-3-Clause
// The server over real sockets: socketpairs for the protocol, a Unix socket in a temp
// directory for listen/accept, privilege and the socket file.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pwd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "api/dispatcher.h"
#include "api/server.h"
#include "api/testing/fake_model.h"

namespace sluice::api {
namespace {

namespace fs = std::filesystem;
using testing::FakeModel;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "sluice-api-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const char* name) const { return (fs::path(path_) / name).string(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void send_text(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
    ASSERT_GT(n, 0);
    text.remove_prefix(static_cast<size_t>(n));
  }
}

// The test drives the server the way the daemon does: poll its fd, call on_readable().
class Harness {
 public:
  explicit Harness(ServerOptions options = {}) : server(model, std::move(options)) {}

  // Serves until `fd` has received `answers` answers ("\n\n"), is closed, or wait_ms pass.
  std::string exchange(int fd, size_t answers, bool until_eof = false, int wait_ms = 2000) {
    std::string got;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p[2] = {{server.fd(), POLLIN, 0}, {fd, POLLIN, 0}};
      ::poll(p, 2, 20);
      if (p[0].revents & POLLIN) server.on_readable();
      if (p[1].revents & (POLLIN | POLLHUP)) {
        char buf[65536];
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n == 0) {
          eof = true;
          break;
        }
        if (n > 0) got.append(buf, static_cast<size_t>(n));
      }
      if (!until_eof && count(got) >= answers) break;
    }
    return got;
  }

  static size_t count(const std::string& s) {
    size_t n = 0;
    for (size_t i = s.find("\n\n"); i != std::string::npos; i = s.find("\n\n", i + 2)) ++n;
    return n;
  }

  // A connected socketpair; the server end is served at `level`.
  int pair(Privilege level) {
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    EXPECT_TRUE(server.add_connection(sv[1], level));
    return sv[0];
  }

  FakeModel model;
  Server server;
  bool eof = false;
};

TEST(ApiServer, OneCommandPerLine) {
  Harness h;
  int c = h.pair(Privilege::kRead);
  send_text(c, "show ha\n");
  EXPECT_EQ(h.exchange(c, 1), "no HA instance configured\n\n");
  send_text(c, "show ha json\r\n");
  EXPECT_EQ(h.exchange(c, 1), "{\"configured\":false}\n\n");
  EXPECT_EQ(h.server.connection_count(), 1u);
  ::close(c);
}

TEST(ApiServer, TwoCommandsOnOneLineAndSeveralLinesInOneWrite) {
  Harness h;
  int c = h.pair(Privilege::kRead);
  send_text(c, "show ha; show ha json\n\nfoo\nshow ha\n");
  EXPECT_EQ(h.exchange(c, 4),
            "no HA instance configured\n\n"
            "{\"configured\":false}\n\n"
            "Unknown command 'foo'. Type 'help'.\n\n"
            "no HA instance configured\n\n");
  ::close(c);
}

TEST(ApiServer, ALaterAnswerHoldsTheCommandsAfterIt) {
  Harness h;
  h.model.answer_later = true;
  int c = h.pair(Privilege::kRead);
  send_text(c, "show ha; trace tcp 192.0.2.1:1 10.0.0.100:80; show ha\nshow ha json\n");
  EXPECT_EQ(h.exchange(c, 1), "no HA instance configured\n\n");
  EXPECT_EQ(h.exchange(c, 1, false, 200), "") << "the rest waits for the trace's answer";
  h.model.answer();
  const std::string rest = h.exchange(c, 3);
  EXPECT_TRUE(rest.starts_with("port      lan0, 54 bytes\n")) << rest;
  EXPECT_TRUE(
      rest.ends_with("counters  forwarded flow_new\n\n"
                     "no HA instance configured\n\n"
                     "{\"configured\":false}\n\n"))
      << rest;
  ::close(c);
}

TEST(ApiServer, AClientThatLeavesWhileWaitingIsForgotten) {
  Harness h;
  h.model.answer_later = true;
  int c = h.pair(Privilege::kRead);
  send_text(c, "trace tcp 192.0.2.1:1 10.0.0.100:80\nshow ha\n");
  h.exchange(c, 1, false, 100);
  ::shutdown(c, SHUT_WR);
  h.model.answer();  // the answer still reaches a client that only half-closed
  EXPECT_EQ(Harness::count(h.exchange(c, 2, true)), 2u);
  EXPECT_TRUE(h.eof);
  ::close(c);

  int d = h.pair(Privilege::kRead);
  send_text(d, "trace tcp 192.0.2.1:1 10.0.0.100:80\n");
  h.exchange(d, 1, false, 100);
  ::close(d);
  h.exchange(-1, 0, false, 100);
  h.model.answer();  // nobody waits for it any more
  h.exchange(-1, 0, false, 100);
  EXPECT_EQ(h.server.connection_count(), 0u);
}

TEST(ApiServer, PartialLinesAcrossReads) {
  Harness h;
  int c = h.pair(Privilege::kAdmin);
  send_text(c, "set backend www 10.0");
  EXPECT_EQ(h.exchange(c, 1, false, 100), "");  // nothing until the line ends
  send_text(c, ".0.11 state dr");
  EXPECT_EQ(h.exchange(c, 1, false, 100), "");
  send_text(c, "ain\nshow");
  EXPECT_EQ(h.exchange(c, 1), "Backend 10.0.0.11 of VIP www: state drain\n\n");
  send_text(c, " ha\n");
  EXPECT_EQ(h.exchange(c, 1), "no HA instance configured\n\n");
  ASSERT_EQ(h.model.changes.size(), 1u);
  ::close(c);
}

TEST(ApiServer, QuitClosesAfterEarlierAnswers) {
  Harness h;
  int c = h.pair(Privilege::kAdmin);
  send_text(c, "show ha; quit; set backend www 10.0.0.11 state maint\nshow ha\n");
  EXPECT_EQ(h.exchange(c, 0, true), "no HA instance configured\n\n");
  EXPECT_TRUE(h.eof);
  EXPECT_TRUE(h.model.changes.empty());
  EXPECT_EQ(h.server.connection_count(), 0u);
  ::close(c);
}

TEST(ApiServer, OversizeLineAnswersOneErrorAndIsDiscarded) {
  Harness h;
  int c = h.pair(Privilege::kRead);
  // Longer than the limit without a newline: one error, then the rest is skipped.
  send_text(c, std::string(5000, 'x'));
  EXPECT_EQ(h.exchange(c, 1), "Error: line too long (more than 4096 bytes)\n\n");
  send_text(c, std::string(70000, 'y'));
  send_text(c, "\nshow ha\n");
  EXPECT_EQ(h.exchange(c, 1), "no HA instance configured\n\n");
  // Over the limit within one write, newline included.
  send_text(c, std::string(4097, ' ') + "\nshow ha\n");
  EXPECT_EQ(h.exchange(c, 2),
            "Error: line too long (more than 4096 bytes)\n\nno HA instance configured\n\n");
  EXPECT_EQ(h.server.connection_count(), 1u);
  ::close(c);
}

TEST(ApiServer, ConfigurableLineLimit) {
  ServerOptions o;
  o.max_line = 8;
  Harness h(o);
  int c = h.pair(Privilege::kRead);
  send_text(c, "show ha\nshow ha json\n");
  EXPECT_EQ(h.exchange(c, 2),
            "no HA instance configured\n\nError: line too long (more than 8 bytes)\n\n");
  ::close(c);
}

TEST(ApiServer, EofRunsTheLastUnterminatedLine) {
  Harness h;
  int c = h.pair(Privilege::kRead);
  send_text(c, "show ha\nshow ha json");
  ::shutdown(c, SHUT_WR);
  EXPECT_EQ(h.exchange(c, 0, true), "no HA instance configured\n\n{\"configured\":false}\n\n");
  EXPECT_TRUE(h.eof);
  EXPECT_EQ(h.server.connection_count(), 0u);
  ::close(c);
}

TEST(ApiServer, ClientGoneIsCleanedUp) {
  Harness h;
  int c = h.pair(Privilege::kRead);
  send_text(c, "show backends\n");
  ::close(c);
  for (int i = 0; i < 10 && h.server.connection_count() > 0; ++i) {
    pollfd p{h.server.fd(), POLLIN, 0};
    ::poll(&p, 1, 50);
    h.server.on_readable();
  }
  EXPECT_EQ(h.server.connection_count(), 0u);
}

TEST(ApiServer, ManyClientsInterleaved) {
  Harness h;
  int a = h.pair(Privilege::kRead);
  int b = h.pair(Privilege::kAdmin);
  send_text(a, "reload\n");
  send_text(b, "reload\n");
  EXPECT_EQ(h.exchange(a, 1), "Permission denied\n\n");
  EXPECT_EQ(h.exchange(b, 1), "generation 4: 2 VIPs, 3 backends\n\n");
  EXPECT_EQ(h.model.reloads, 1);
  ::close(a);
  ::close(b);
}

// A slow reader: answers queue up, input waits, nothing is lost or reordered.
TEST(ApiServer, BackpressureKeepsEveryAnswerInOrder) {
  ServerOptions o;
  o.max_output = 4096;
  Harness h(o);
  int c = h.pair(Privilege::kRead);
  std::string lines;
  for (int i = 0; i < 2000; ++i) lines += i % 2 ? "show ha json\n" : "show backends\n";
  std::thread writer([&] { send_text(c, lines); });
  std::string got = h.exchange(c, 2000);
  writer.join();
  EXPECT_EQ(Harness::count(got), 2000u);
  FakeModel m;
  std::string backends = execute_line(m, "show backends", Privilege::kRead).text;
  std::string expected;
  for (int i = 0; i < 2000; ++i) expected += i % 2 ? "{\"configured\":false}\n\n" : backends;
  EXPECT_EQ(got, expected);
  ::close(c);
}

class ListeningServer : public ::testing::Test {
 protected:
  int connect_client() {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string path = dir.file("sluiced.sock");
    std::memcpy(addr.sun_path, path.c_str(), path.size());
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }
  ServerOptions options() {
    ServerOptions o;
    o.path = dir.file("sluiced.sock");
    return o;
  }
  TempDir dir;
};

TEST_F(ListeningServer, SocketFileModeAndAccept) {
  Harness h(options());
  ASSERT_EQ(h.server.listen(), std::nullopt);
  struct stat st;
  ASSERT_EQ(::stat(dir.file("sluiced.sock").c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  EXPECT_FALSE(fs::exists(dir.file("sluiced.sock.tmp")));

  int c = connect_client();
  ASSERT_GE(c, 0);
  send_text(c, "set backend www 10.0.0.12 weight 4\n");
  // The test runs as the daemon's own uid (or root): admin.
  EXPECT_EQ(h.exchange(c, 1), "Backend 10.0.0.12 of VIP www: weight 4\n\n");
  ::close(c);
}

TEST_F(ListeningServer, CreatesTheDirectoryAndRemovesTheFileOnExit) {
  ServerOptions o = options();
  o.path = dir.file("run/sluiced.sock");
  {
    Harness h(o);
    ASSERT_EQ(h.server.listen(), std::nullopt);
    EXPECT_TRUE(fs::exists(o.path));
  }
  EXPECT_FALSE(fs::exists(o.path));
}

TEST_F(ListeningServer, RefusesALiveSocketReplacesAStaleOne) {
  auto first = std::make_unique<Harness>(options());
  ASSERT_EQ(first->server.listen(), std::nullopt);
  Harness second(options());
  EXPECT_EQ(second.server.listen(), "another process is listening on " + dir.file("sluiced.sock") +
                                        " (is sluiced already running?)");

  // A socket file nobody listens on (a crashed daemon) is replaced.
  int stale = ::socket(AF_UNIX, SOCK_STREAM, 0);
  first.reset();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string path = dir.file("sluiced.sock");
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  ASSERT_EQ(::bind(stale, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::close(stale);
  Harness third(options());
  EXPECT_EQ(third.server.listen(), std::nullopt);
  int c = connect_client();
  ASSERT_GE(c, 0);
  send_text(c, "show ha\n");
  EXPECT_EQ(third.exchange(c, 1), "no HA instance configured\n\n");
  ::close(c);
}

TEST_F(ListeningServer, RefusesAFileThatIsNotASocket) {
  std::ofstream(dir.file("sluiced.sock")) << "x";
  Harness h(options());
  EXPECT_EQ(h.server.listen(), dir.file("sluiced.sock") + " exists and is not a socket; remove it");
}

// What a client connecting as uid `nobody` (read level) gets for `request`, until EOF.
std::string as_nobody(Harness& h, const std::function<int()>& connect, const std::string& request) {
  int report[2];
  EXPECT_EQ(::pipe(report), 0);
  pid_t child = ::fork();
  if (child == 0) {
    ::close(report[0]);
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
    int c = connect();
    if (c < 0) ::_exit(4);
    // The server may already have answered and closed (a refusal): no SIGPIPE, read on.
    [[maybe_unused]] ssize_t sent = ::send(c, request.data(), request.size(), MSG_NOSIGNAL);
    char buf[4096];
    ssize_t n;
    while ((n = ::read(c, buf, sizeof buf)) > 0)
      if (::write(report[1], buf, static_cast<size_t>(n)) != n) ::_exit(6);
    ::_exit(0);
  }
  ::close(report[1]);
  std::string got = h.exchange(report[0], 0, true);
  int status = 0;
  EXPECT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  ::close(report[0]);
  return got;
}

TEST_F(ListeningServer, TooManyClientsForTheReadLevel) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to connect as another uid";
  ServerOptions o = options();
  o.mode = 0666;
  o.max_clients = 1;
  Harness h(o);
  ASSERT_EQ(h.server.listen(), std::nullopt);
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
  int a = connect_client();
  send_text(a, "show ha\n");
  EXPECT_EQ(h.exchange(a, 1), "no HA instance configured\n\n");
  EXPECT_EQ(as_nobody(
                h, [&] { return connect_client(); }, "show ha\n"),
            "Error: too many connections (at most 1); try again later\n\n");
  send_text(a, "show ha\n");
  EXPECT_EQ(h.exchange(a, 1), "no HA instance configured\n\n") << "the first one stays";
  ::close(a);
}

// The reported lock-out: 32 idle connections kept even root's `show info` out.
TEST_F(ListeningServer, AnAdminGetsInWhenEverySlotIsTaken) {
  ServerOptions o = options();
  o.max_clients = 3;
  Harness h(o);
  ASSERT_EQ(h.server.listen(), std::nullopt);
  int reader_old = h.pair(Privilege::kRead);
  int admin = h.pair(Privilege::kAdmin);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  int reader_new = h.pair(Privilege::kRead);

  int root = connect_client();  // the test runs as root or as the daemon's uid: admin
  send_text(root, "show ha\n");
  EXPECT_EQ(h.exchange(root, 1), "no HA instance configured\n\n");
  EXPECT_EQ(h.exchange(reader_old, 0, true),
            "Error: closed to make room for an admin connection\n\n")
      << "the longest idle read-level connection goes first";
  EXPECT_EQ(h.server.connection_count(), 3u);

  // Every slot held by admins: the longest idle one makes room.
  h.eof = false;
  ::close(reader_new);
  h.exchange(root, 0, false, 100);  // the server sees reader_new go
  int admin2 = h.pair(Privilege::kAdmin);
  EXPECT_EQ(h.server.connection_count(), 3u);
  int root2 = connect_client();
  send_text(root2, "show ha\n");
  EXPECT_EQ(h.exchange(root2, 1), "no HA instance configured\n\n");
  EXPECT_EQ(h.exchange(admin, 0, true), "Error: closed to make room for an admin connection\n\n");
  for (int fd : {reader_old, admin, admin2, root, root2}) ::close(fd);
}

TEST(ApiServer, IdleConnectionsAreClosed) {
  ServerOptions o;
  o.idle_timeout_ms = 300;
  Harness h(o);
  int idle = h.pair(Privilege::kAdmin);
  int busy = h.pair(Privilege::kRead);
  for (int i = 0; i < 6; ++i) {  // 600 ms of a command every 100 ms
    send_text(busy, "show ha\n");
    EXPECT_EQ(h.exchange(busy, 1), "no HA instance configured\n\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(h.exchange(idle, 0, true), "Error: idle for 300 ms; connection closed\n\n");
  EXPECT_TRUE(h.eof);
  EXPECT_EQ(h.server.connection_count(), 1u) << "the busy one stays";
  ::close(idle);
  ::close(busy);
}

// A peer with another uid gets the read level (needs root to switch uid in a child).
TEST_F(ListeningServer, PeerWithAnotherUidCanOnlyRead) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to connect as another uid";
  ServerOptions o = options();
  o.mode = 0666;  // so that the other uid can connect without group setup
  Harness h(o);
  ASSERT_EQ(h.server.listen(), std::nullopt);
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
  EXPECT_EQ(as_nobody(
                h, [&] { return connect_client(); },
                "set backend www 10.0.0.11 state maint; show ha\nquit\n"),
            "Permission denied\n\nno HA instance configured\n\n");
  EXPECT_TRUE(h.model.changes.empty());
}

}  // namespace
}  // namespace sluice::api
