// SPDX-License-Identifier: BSD-3-Clause
// sluicectl against a real server running in a thread.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <thread>

#include "api/client.h"
#include "api/command_syntax.h"
#include "api/command_table.h"
#include "api/server.h"
#include "api/testing/fake_model.h"

namespace sluice::api {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

class Sluicectl : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "sluice-api-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    path_ = dir_ + "/sluiced.sock";
  }
  void TearDown() override {
    stop_server();
    fs::remove_all(dir_);
  }

  // The daemon's loop in miniature; the model is touched by this thread only.
  void start_server() {
    ServerOptions o;
    o.path = path_;
    server_ = std::make_unique<Server>(model_, o);
    ASSERT_EQ(server_->listen(), std::nullopt);
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{server_->fd(), POLLIN, 0};
        if (::poll(&p, 1, 10) > 0) server_->on_readable();
      }
    });
  }
  void stop_server() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }

  int run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    return run_sluicectl(args, out_, err_);
  }

  std::string dir_, path_;
  testing::FakeModel model_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::ostringstream out_, err_;
};

TEST_F(Sluicectl, AnswerExitsZero) {
  start_server();
  EXPECT_EQ(run({"-s", path_, "show", "ha"}), 0);
  EXPECT_EQ(out_.str(), "no HA instance configured\n");
  EXPECT_EQ(err_.str(), "");
  EXPECT_EQ(run({"--socket=" + path_, "show", "stats"}), 0);
  EXPECT_EQ(out_.str(),
            "COUNTER      VALUE\nrx_packets   1507\ntx_packets   1500\ndrop_no_vip  3\n");
}

TEST_F(Sluicectl, ErrorAnswerExitsOne) {
  start_server();
  EXPECT_EQ(run({"-s", path_, "show", "bogus"}), 1);
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(err_.str(), "Unknown command 'show bogus'. Type 'help'.\n");
  EXPECT_EQ(run({"-s", path_, "set", "backend", "nope", "10.0.0.1", "state", "drain"}), 1);
  EXPECT_EQ(err_.str(), "Error: no VIP named 'nope'\n");
  EXPECT_EQ(run({"-s", path_, "set", "backend", "www", "10.0.0.1", "weight", "x"}), 1);
  EXPECT_EQ(err_.str(), "Error: weight 'x' is not an integer in 0..65535\n");
}

TEST_F(Sluicectl, ChainsPrintEveryAnswer) {
  start_server();
  EXPECT_EQ(run({"-s", path_, "show ha;", "show", "ha", "json"}), 0);
  EXPECT_EQ(out_.str(), "no HA instance configured\n\n{\"configured\":false}\n");
  EXPECT_EQ(run({"-s", path_, "show ha; foo; set backend www 10.0.0.11 state drain"}), 1);
  EXPECT_EQ(out_.str(), "no HA instance configured\n\nBackend 10.0.0.11 of VIP www: state drain\n");
  EXPECT_EQ(err_.str(), "Unknown command 'foo'. Type 'help'.\n");
}

TEST_F(Sluicectl, JsonFlagGoesToReadCommandsOnly) {
  start_server();
  EXPECT_EQ(run({"-s", path_, "--json", "show", "stats"}), 0);
  EXPECT_EQ(out_.str(), "{\"rx_packets\":1507,\"tx_packets\":1500,\"drop_no_vip\":3}\n");
  EXPECT_EQ(
      run({"--json", "-s", path_, "show ha; set backend www 10.0.0.12 weight 0; show ha json"}), 0);
  EXPECT_EQ(out_.str(),
            "{\"configured\":false}\n\nBackend 10.0.0.12 of VIP www: weight 0\n\n"
            "{\"configured\":false}\n");
}

TEST_F(Sluicectl, ReadOnlyAfterTheAnswers) {
  start_server();
  EXPECT_EQ(run({"-s", path_, "quit"}), 0);
  EXPECT_EQ(out_.str(), "");
}

TEST_F(Sluicectl, NoDaemon) {
  EXPECT_EQ(run({"-s", path_, "show", "info"}), 2);
  EXPECT_EQ(err_.str(), "sluicectl: cannot connect to " + path_ +
                            ": No such file or directory (is sluiced running?)\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(Sluicectl, SilentDaemonTimesOut) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path_.c_str(), path_.size());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  EXPECT_EQ(run({"-s", path_, "-t", "1", "show", "info"}), 2);
  EXPECT_EQ(err_.str(), "sluicectl: no complete answer from " + path_ + " within 1 s\n");
  ::close(fd);
}

TEST_F(Sluicectl, UsageErrors) {
  EXPECT_EQ(run({}), 2);
  EXPECT_TRUE(err_.str().starts_with("sluicectl: no command given\nUsage: sluicectl "))
      << err_.str();
  EXPECT_EQ(run({"-s"}), 2);
  EXPECT_TRUE(err_.str().starts_with("sluicectl: -s needs a path\n"));
  EXPECT_EQ(run({"--frobnicate", "show", "info"}), 2);
  EXPECT_TRUE(err_.str().starts_with("sluicectl: unknown option '--frobnicate'\n"));
  EXPECT_EQ(run({"-t", "0", "show", "info"}), 2);
  EXPECT_TRUE(
      err_.str().starts_with("sluicectl: timeout '0' is not a number of seconds in 1..86400\n"));
  EXPECT_EQ(run({"show", "info\nreload"}), 2);
  EXPECT_TRUE(err_.str().starts_with("sluicectl: a command cannot contain a line break\n"));
  EXPECT_EQ(run({" ; "}), 2);
  EXPECT_EQ(run({"-h"}), 0);
  EXPECT_TRUE(out_.str().starts_with("Usage: sluicectl [-s SOCKET] [-t SECONDS] [--json] COMMAND"));
}

TEST_F(Sluicectl, HelpListsEveryCommandOnStdout) {
  for (std::string_view flag : {"-h", "--help"}) {
    EXPECT_EQ(run({"-s", path_, std::string(flag), "show", "info"}), 0) << flag;
    EXPECT_EQ(err_.str(), "");
    std::string usage = out_.str();
    EXPECT_TRUE(usage.starts_with("Usage: sluicectl [-s SOCKET] [-t SECONDS] [--json] COMMAND"));
    for (const CommandRow& row : command_table()) {
      size_t at = usage.find("\n  " + syntax_of(row) + " ");
      ASSERT_NE(at, std::string::npos) << syntax_of(row);
      std::string line = usage.substr(at + 1, usage.find('\n', at + 1) - at - 1);
      EXPECT_NE(line.find(" " + std::string(to_string(row.level)) + " "), std::string::npos)
          << line;
      EXPECT_TRUE(line.ends_with(row.description)) << line;
    }
  }
}

TEST(ApiClient, SplitAnswers) {
  EXPECT_THAT(split_answers("a\nb\n\nc\n\n"), ElementsAre("a\nb\n", "c\n"));
  EXPECT_THAT(split_answers(""), ElementsAre());
  EXPECT_THAT(split_answers("cut short"), ElementsAre("cut short\n"));
}

}  // namespace
}  // namespace sluice::api
