// SPDX-License-Identifier: BSD-3-Clause
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/command.h"
#include "api/command_syntax.h"
#include "api/command_table.h"
#include "api/dispatcher.h"
#include "api/testing/fake_model.h"
#include "api/text.h"
#include "net/wire.h"

namespace sluice::api {
namespace {

using config::BackendState;
using testing::FakeModel;

// The table's row that help lists as `syntax`.
const CommandRow* row(std::string_view syntax) {
  for (const CommandRow& r : command_table())
    if (syntax_of(r) == syntax) return &r;
  ADD_FAILURE() << "no command row " << syntax;
  return nullptr;
}

Command ok(std::string_view syntax, bool json = false) {
  Command c;
  c.row = row(syntax);
  c.needs = c.row ? c.row->level : Privilege::kRead;
  c.json = json;
  return c;
}

std::string error_of(std::string_view text) { return parse_command(text).error; }

TEST(ApiParser, ReadCommands) {
  EXPECT_EQ(parse_command("help"), ok("help"));
  EXPECT_EQ(parse_command("show info"), ok("show info"));
  EXPECT_EQ(parse_command("show vips"), ok("show vips"));
  EXPECT_EQ(parse_command("show backends"), ok("show backends [VIP]"));
  EXPECT_EQ(parse_command("show stats"), ok("show stats"));
  EXPECT_EQ(parse_command("show health"), ok("show health"));
  EXPECT_EQ(parse_command("show ha"), ok("show ha"));
  Command www = ok("show backends [VIP]");
  www.vip = "www";
  EXPECT_EQ(parse_command("show backends www"), www);
}

TEST(ApiParser, JsonFlagOnEveryReadCommand) {
  for (std::string_view flag : {"json", "--json"}) {
    std::string f(flag);
    EXPECT_EQ(parse_command("help " + f), ok("help", true));
    EXPECT_EQ(parse_command("show info " + f), ok("show info", true));
    EXPECT_EQ(parse_command("show vips " + f), ok("show vips", true));
    EXPECT_EQ(parse_command("show backends " + f), ok("show backends [VIP]", true));
    EXPECT_EQ(parse_command("show stats " + f), ok("show stats", true));
    EXPECT_EQ(parse_command("show health " + f), ok("show health", true));
    EXPECT_EQ(parse_command("show ha " + f), ok("show ha", true));
    Command www = ok("show backends [VIP]", true);
    www.vip = "www";
    EXPECT_EQ(parse_command("show backends www " + f), www);
  }
  // Only the last word is the flag: a VIP may be called "json".
  Command named_json = ok("show backends [VIP]", true);
  named_json.vip = "json";
  EXPECT_EQ(parse_command("show backends json json"), named_json);
}

TEST(ApiParser, SpacesAndTabsAreSeparators) {
  Command www = ok("show backends [VIP]", true);
  www.vip = "www";
  EXPECT_EQ(parse_command("  show\tbackends   www \t json  "), www);
  EXPECT_EQ(parse_command("show info\r"), ok("show info"));
}

TEST(ApiParser, SetBackendState) {
  for (auto [word, state] :
       {std::pair{"ready", BackendState::kReady}, std::pair{"drain", BackendState::kDrain},
        std::pair{"maint", BackendState::kMaint}}) {
    Command c = parse_command(std::string("set backend www 10.0.0.11 state ") + word);
    EXPECT_EQ(c.error, "");
    EXPECT_EQ(c.row, row("set backend VIP BACKEND state ready|drain|maint"));
    EXPECT_EQ(c.vip, "www");
    EXPECT_EQ(c.backend, "10.0.0.11");
    EXPECT_EQ(c.state, state);
    EXPECT_FALSE(c.json);
  }
}

TEST(ApiParser, SetBackendWeight) {
  for (auto [word, weight] : {std::pair{"0", 0}, std::pair{"1", 1}, std::pair{"65535", 65535}}) {
    Command c = parse_command(std::string("set backend www 10.0.0.11 weight ") + word);
    EXPECT_EQ(c.error, "");
    EXPECT_EQ(c.row, row("set backend VIP BACKEND weight 0..65535"));
    EXPECT_EQ(c.weight, weight);
  }
}

TEST(ApiParser, BgpCommands) {
  EXPECT_EQ(parse_command("show bgp"), ok("show bgp"));
  EXPECT_EQ(parse_command("show bgp json"), ok("show bgp", true));
  Command maint = parse_command("set node maint");
  EXPECT_EQ(maint.error, "");
  EXPECT_EQ(maint.row, row("set node maint|ready"));
  EXPECT_EQ(maint.needs, Privilege::kAdmin);
  EXPECT_TRUE(maint.on);
  EXPECT_FALSE(parse_command("set node ready").on);
  EXPECT_EQ(error_of("set node drain"), "Usage: set node maint|ready");
  EXPECT_EQ(error_of("set node"), "Usage: set node maint|ready");
  Command off = parse_command("set vip www announce off");
  EXPECT_EQ(off.error, "");
  EXPECT_EQ(off.row, row("set vip VIP announce on|off"));
  EXPECT_EQ(off.vip, "www");
  EXPECT_FALSE(off.on);
  EXPECT_TRUE(parse_command("set vip www announce on").on);
  EXPECT_EQ(error_of("set vip www announce maybe"), "Usage: set vip VIP announce on|off");
  EXPECT_EQ(error_of("set vip www weight 3"), "Usage: set vip VIP announce on|off");
}

TEST(ApiParser, BgpChangesNeedAdminAndReachTheModel) {
  FakeModel m;
  EXPECT_EQ(execute_line(m, "set node maint", Privilege::kRead).text, "Permission denied\n\n");
  EXPECT_TRUE(m.changes.empty());
  EXPECT_EQ(execute_line(m, "set node maint", Privilege::kAdmin).text,
            "Node: maint (every VIP withdrawn)\n\n");
  EXPECT_EQ(execute_line(m, "set vip www announce off", Privilege::kAdmin).text,
            "VIP www: announce off\n\n");
  EXPECT_EQ(execute_line(m, "set vip nope announce off", Privilege::kAdmin).text,
            "Error: no VIP named 'nope'\n\n");
  ASSERT_EQ(m.changes.size(), 2u);
  EXPECT_EQ(m.changes[0].what, "node maint");
  EXPECT_EQ(m.changes[1].vip, "www");
  EXPECT_EQ(m.changes[1].what, "announce off");
}

TEST(ApiParser, AModelWithoutBgpSaysSo) {
  struct NoBgp : FakeModel {
    std::optional<std::string> set_node_maint(bool maint) override {
      return Model::set_node_maint(maint);
    }
  } m;
  EXPECT_EQ(execute_line(m, "set node ready", Privilege::kAdmin).text,
            "Error: BGP is not enabled ([bgp] enable = true)\n\n");
}

TEST(ApiParser, BackendAddressIsCanonical) {
  EXPECT_EQ(parse_command("set backend dns 2001:DB8:0:0::0001 state drain").backend, "2001:db8::1");
}

TEST(ApiParser, TraceATuple) {
  const char* tcp = "trace tcp CLIENT:PORT VIP:PORT [syn|ack] [port NAME]";
  Command want = ok(tcp);
  want.trace.tuple = channel::TraceFlow{6, *IpAddress::parse("192.0.2.1"), 40000,
                                        *IpAddress::parse("10.0.0.100"), 80};
  want.trace.tcp_flags = wire::kTcpSyn;
  EXPECT_EQ(parse_command("trace tcp 192.0.2.1:40000 10.0.0.100:80"), want);
  EXPECT_EQ(parse_command("trace tcp 192.0.2.1:40000 10.0.0.100:80 syn"), want);
  want.trace.tcp_flags = wire::kTcpAck;
  want.trace.port = "lan1";
  want.json = true;
  EXPECT_EQ(parse_command("trace tcp 192.0.2.1:40000 10.0.0.100:80 ack port lan1 --json"), want);
  want.trace.tcp_flags = wire::kTcpSyn;
  want.json = false;
  EXPECT_EQ(parse_command("trace tcp 192.0.2.1:40000 10.0.0.100:80 port lan1"), want);

  Command v6 = ok("trace udp CLIENT:PORT VIP:PORT [port NAME]");
  v6.trace.tuple = channel::TraceFlow{17, *IpAddress::parse("2001:db8:ff::1"), 5353,
                                      *IpAddress::parse("2001:db8::101"), 53};
  EXPECT_EQ(parse_command("trace udp [2001:db8:ff::1]:5353 [2001:DB8::101]:53"), v6);

  const std::string tcp_usage =
      "Usage: trace tcp CLIENT:PORT VIP:PORT [syn|ack] [port NAME] [json]";
  EXPECT_EQ(error_of("trace tcp 192.0.2.1:40000 10.0.0.100:80 fin"), tcp_usage);
  EXPECT_EQ(error_of("trace tcp 192.0.2.1:40000 10.0.0.100:80 port"), tcp_usage);
  EXPECT_EQ(error_of("trace tcp 192.0.2.1:40000 10.0.0.100:80 lan1 port"), tcp_usage);
  EXPECT_EQ(error_of("trace udp 192.0.2.1:1 10.0.0.100:53 syn"),
            "Usage: trace udp CLIENT:PORT VIP:PORT [port NAME] [json]");
  EXPECT_EQ(error_of("trace tcp 192.0.2.1 10.0.0.100:80"),
            "Error: client '192.0.2.1' is not ADDRESS:PORT ([ADDRESS]:PORT for IPv6)");
  EXPECT_EQ(error_of("trace tcp 192.0.2.1:1 2001:db8::1:80"),
            "Error: VIP '2001:db8::1:80' is not ADDRESS:PORT ([ADDRESS]:PORT for IPv6)");
  EXPECT_EQ(error_of("trace tcp 192.0.2.1:1 [2001:db8::1]:80"),
            "Error: the client and the VIP are of different address families");
  EXPECT_EQ(error_of("trace"),
            "Usage: trace frame HEX [port NAME] [json], or trace tcp CLIENT:PORT VIP:PORT "
            "[syn|ack] [port NAME] [json], or trace udp CLIENT:PORT VIP:PORT [port NAME] [json]");
}

TEST(ApiParser, TraceAFrame) {
  Command want = ok("trace frame HEX [port NAME]");
  want.trace.frame = std::string("\x02\x00\xff", 3);
  EXPECT_EQ(parse_command("trace frame 0200FF"), want);
  want.trace.port = "lan0";
  EXPECT_EQ(parse_command("trace frame 0200ff port lan0"), want);
  EXPECT_EQ(error_of("trace frame 0200f"),
            "Error: frame '0200f' is not bytes in hex (2 digits each)");
  EXPECT_EQ(error_of("trace frame 0200ff lan0"), "Usage: trace frame HEX [port NAME] [json]");
}

TEST(ApiParser, ShowConns) {
  Command want = ok("show conns VIP [limit 1..10000]");
  want.vip = "www";
  EXPECT_EQ(parse_command("show conns www"), want);
  want.limit = 10000;
  EXPECT_EQ(parse_command("show conns www limit 10000"), want);
  EXPECT_EQ(error_of("show conns www limit 0"), "Error: limit '0' is not an integer in 1..10000");
  EXPECT_EQ(error_of("show conns www limit 10001"),
            "Error: limit '10001' is not an integer in 1..10000");
  EXPECT_EQ(error_of("show conns www 5 limit"), "Usage: show conns VIP [limit 1..10000] [json]");
  EXPECT_EQ(error_of("show conns"), "Usage: show conns VIP [limit 1..10000] [json]");
}

TEST(ApiParser, SimpleCommands) {
  EXPECT_EQ(parse_command("reload"), ok("reload"));
  EXPECT_EQ(parse_command("quit"), ok("quit"));
}

TEST(ApiParser, UnknownCommands) {
  EXPECT_EQ(error_of("foo"), "Unknown command 'foo'. Type 'help'.");
  EXPECT_EQ(error_of("foo bar"), "Unknown command 'foo bar'. Type 'help'.");
  EXPECT_EQ(error_of("show servers"), "Unknown command 'show servers'. Type 'help'.");
  EXPECT_EQ(error_of("set server www/a state drain"),
            "Unknown command 'set server www/a state drain'. Type 'help'.");
  EXPECT_EQ(error_of("SHOW INFO"), "Unknown command 'SHOW INFO'. Type 'help'.");
  EXPECT_EQ(parse_command("foo").row, nullptr);
  // Control characters and long words cannot make the error line misbehave.
  EXPECT_EQ(error_of(std::string("fo\x01o")), "Unknown command 'fo?o'. Type 'help'.");
  EXPECT_EQ(error_of(std::string(100, 'x')),
            "Unknown command '" + std::string(64, 'x') + "...'. Type 'help'.");
}

TEST(ApiParser, MalformedReadCommands) {
  EXPECT_EQ(error_of("show"),
            "Usage: show info|vips|backends [VIP]|stats|health|ha|bgp|sync|floods|conns VIP "
            "[limit 1..10000] [json]");
  EXPECT_EQ(error_of("show info extra"), "Usage: show info [json]");
  EXPECT_EQ(error_of("show info json json"), "Usage: show info [json]");
  EXPECT_EQ(error_of("show vips www"), "Usage: show vips [json]");
  EXPECT_EQ(error_of("show backends www 10.0.0.1"), "Usage: show backends [VIP] [json]");
  EXPECT_EQ(error_of("show stats all"), "Usage: show stats [json]");
  EXPECT_EQ(error_of("show health www"), "Usage: show health [json]");
  EXPECT_EQ(error_of("show ha now"), "Usage: show ha [json]");
  EXPECT_EQ(error_of("help me"), "Usage: help [json]");
  EXPECT_EQ(error_of("reload now"), "Usage: reload");
  EXPECT_EQ(error_of("reload json"), "Usage: reload");
  EXPECT_EQ(error_of("quit now"), "Usage: quit");
}

TEST(ApiParser, MalformedSetCommands) {
  const std::string usage =
      "Usage: set backend VIP BACKEND state ready|drain|maint, or set backend VIP BACKEND "
      "weight 0..65535";
  const std::string state_usage = "Usage: set backend VIP BACKEND state ready|drain|maint";
  const std::string weight_usage = "Usage: set backend VIP BACKEND weight 0..65535";
  EXPECT_EQ(error_of("set"),
            "Usage: set backend VIP BACKEND state ready|drain|maint|backend VIP BACKEND weight "
            "0..65535|node maint|ready|vip VIP announce on|off");
  EXPECT_EQ(error_of("set backend"), usage);
  EXPECT_EQ(error_of("set backend www"), usage);
  EXPECT_EQ(error_of("set backend www 10.0.0.11"), usage);
  EXPECT_EQ(error_of("set backend www 10.0.0.11 colour blue"), usage);
  EXPECT_EQ(error_of("set backend www 10.0.0.11 state"), state_usage);
  EXPECT_EQ(error_of("set backend www 10.0.0.11 state up"), state_usage);
  EXPECT_EQ(error_of("set backend www 10.0.0.11 state READY"), state_usage);
  EXPECT_EQ(error_of("set backend www 10.0.0.11 state drain now"), state_usage);
  EXPECT_EQ(error_of("set backend www 10.0.0.11 state drain json"), state_usage);
  EXPECT_EQ(error_of("set backend www 10.0.0.11 weight"), weight_usage);
  EXPECT_EQ(error_of("set backend www 10.0.0.11 weight 1 2"), weight_usage);
  EXPECT_EQ(error_of("set backend www 10.0.0.11 weight 65536"),
            "Error: weight '65536' is not an integer in 0..65535");
  EXPECT_EQ(error_of("set backend www 10.0.0.11 weight -1"),
            "Error: weight '-1' is not an integer in 0..65535");
  EXPECT_EQ(error_of("set backend www 10.0.0.11 weight 1.5"),
            "Error: weight '1.5' is not an integer in 0..65535");
  EXPECT_EQ(error_of("set backend www 10.0.0.11 weight 99999999999999999999"),
            "Error: weight '99999999999999999999' is not an integer in 0..65535");
  EXPECT_EQ(error_of("set backend www web1 state drain"),
            "Error: backend 'web1' is not an IP address");
  EXPECT_EQ(error_of("set backend www 10.0.0.256 weight 1"),
            "Error: backend '10.0.0.256' is not an IP address");
  EXPECT_EQ(parse_command("set backend www web1 state drain").row,
            row("set backend VIP BACKEND state ready|drain|maint"));
  EXPECT_EQ(parse_command("set backend www 10.0.0.11 weight x").row,
            row("set backend VIP BACKEND weight 0..65535"));
}

TEST(ApiParser, EveryErrorIsAnErrorLine) {
  for (std::string_view text :
       {"foo", "show", "show info x", "set", "set backend www 10.0.0.11 weight 70000",
        "set backend www x state drain", "reload x", "quit x"}) {
    std::string e = error_of(text);
    EXPECT_TRUE(is_error_line(e)) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos);
  }
  EXPECT_TRUE(is_error_line(kPermissionDenied));
  EXPECT_FALSE(is_error_line("NAME  ADDRESS"));
  EXPECT_FALSE(is_error_line("Backend 10.0.0.11 of VIP www: state drain"));
}

TEST(ApiParser, Chains) {
  std::vector<Command> cs = parse_line("show info; show vips json ;;  ; help");
  ASSERT_EQ(cs.size(), 3u);
  EXPECT_EQ(cs[0], ok("show info"));
  EXPECT_EQ(cs[1], ok("show vips", true));
  EXPECT_EQ(cs[2], ok("help"));
  EXPECT_THAT(split_commands(" a ;b;; c d ;"), ::testing::ElementsAre("a", "b", "c d"));
}

TEST(ApiParser, EmptyLinesGiveNothing) {
  EXPECT_TRUE(parse_line("").empty());
  EXPECT_TRUE(parse_line("   \t ").empty());
  EXPECT_TRUE(parse_line(" ; ;").empty());
}

TEST(ApiParser, LineLimit) {
  std::string at_limit = "help" + std::string(kMaxLineBytes - 4, ' ');
  ASSERT_EQ(parse_line(at_limit).size(), 1u);
  EXPECT_EQ(parse_line(at_limit)[0], ok("help"));
  std::vector<Command> over = parse_line(at_limit + " ");
  ASSERT_EQ(over.size(), 1u);
  EXPECT_EQ(over[0].error, "Error: line too long (more than 4096 bytes)");
  EXPECT_EQ(parse_line(std::string(1 << 20, ';')).size(), 1u);
}

TEST(ApiParser, RequiredPrivilege) {
  for (std::string_view v : {"help", "show info", "show vips", "show backends [VIP]", "show stats",
                             "show health", "show ha", "quit"})
    EXPECT_EQ(row(v)->level, Privilege::kRead);
  for (std::string_view v : {"set backend VIP BACKEND state ready|drain|maint",
                             "set backend VIP BACKEND weight 0..65535", "reload"})
    EXPECT_EQ(row(v)->level, Privilege::kAdmin);
}

TEST(ApiParser, PeerPrivilege) {
  EXPECT_EQ(privilege_for_peer(0, 0), Privilege::kAdmin);
  EXPECT_EQ(privilege_for_peer(0, 998), Privilege::kAdmin);
  EXPECT_EQ(privilege_for_peer(998, 998), Privilege::kAdmin);
  EXPECT_EQ(privilege_for_peer(1000, 998), Privilege::kRead);
  EXPECT_EQ(privilege_for_peer(1000, 0), Privilege::kRead);
}

// Privilege through the dispatcher: a read caller may show, never change.
TEST(ApiDispatch, PermissionPerLevel) {
  FakeModel m;
  for (std::string_view cmd :
       {"set backend www 10.0.0.11 state drain", "set backend www 10.0.0.11 weight 3", "reload",
        // checked before the arguments
        "set backend www", "set backend www 10.0.0.11 weight 70000", "reload now"}) {
    EXPECT_EQ(execute_line(m, cmd, Privilege::kRead).text, "Permission denied\n\n") << cmd;
  }
  EXPECT_TRUE(m.changes.empty());
  EXPECT_EQ(m.reloads, 0);

  EXPECT_EQ(execute_line(m, "set backend www 10.0.0.11 state drain", Privilege::kAdmin).text,
            "Backend 10.0.0.11 of VIP www: state drain\n\n");
  EXPECT_EQ(execute_line(m, "set backend www 10.0.0.11 weight 3", Privilege::kAdmin).text,
            "Backend 10.0.0.11 of VIP www: weight 3\n\n");
  EXPECT_THAT(m.changes,
              ::testing::ElementsAre(FakeModel::Change{"www", "10.0.0.11", "state drain"},
                                     FakeModel::Change{"www", "10.0.0.11", "weight 3"}));
  for (Privilege p : {Privilege::kRead, Privilege::kAdmin}) {
    EXPECT_NE(execute_line(m, "show info", p).text.find("version"), std::string::npos);
    EXPECT_EQ(execute_line(m, "foo", p).text, "Unknown command 'foo'. Type 'help'.\n\n");
  }
}

TEST(ApiDispatch, ModelErrors) {
  FakeModel m;
  EXPECT_EQ(execute_line(m, "set backend web 10.0.0.11 state drain", Privilege::kAdmin).text,
            "Error: no VIP named 'web'\n\n");
  EXPECT_EQ(execute_line(m, "set backend www 10.0.0.99 weight 2", Privilege::kAdmin).text,
            "Error: VIP 'www' has no backend 10.0.0.99\n\n");
  EXPECT_EQ(execute_line(m, "show backends web", Privilege::kRead).text,
            "Error: no VIP named 'web'\n\n");
  EXPECT_TRUE(m.changes.empty());
}

TEST(ApiDispatch, Reload) {
  FakeModel m;
  EXPECT_EQ(execute_line(m, "reload", Privilege::kAdmin).text,
            "generation 4: 2 VIPs, 3 backends\n\n");
  m.reload_result = {.ok = false,
                     .summary = "2 errors in /etc/sluice/sluice.toml; running config kept",
                     .details = {"/etc/sluice/sluice.toml:3:7: bad", "",
                                 "/etc/sluice/sluice.toml:9:1: worse\nmultiline"}};
  EXPECT_EQ(execute_line(m, "reload", Privilege::kAdmin).text,
            "Error: reload failed: 2 errors in /etc/sluice/sluice.toml; running config kept\n"
            "/etc/sluice/sluice.toml:3:7: bad\n"
            "/etc/sluice/sluice.toml:9:1: worse multiline\n\n");
  m.reload_result = {};
  EXPECT_EQ(execute_line(m, "reload", Privilege::kAdmin).text,
            "Error: reload failed: no reason given\n\n");
  EXPECT_EQ(m.reloads, 3);
}

TEST(ApiDispatch, ChainsAndQuit) {
  FakeModel m;
  Answer a = execute_line(m, "show ha; foo ;show ha json", Privilege::kRead);
  EXPECT_EQ(a.text,
            "no HA instance configured\n\n"
            "Unknown command 'foo'. Type 'help'.\n\n"
            "{\"configured\":false}\n\n");
  EXPECT_FALSE(a.quit);

  a = execute_line(m, "show ha; quit; set backend www 10.0.0.11 state maint", Privilege::kAdmin);
  EXPECT_EQ(a.text, "no HA instance configured\n\n");
  EXPECT_TRUE(a.quit);
  EXPECT_TRUE(m.changes.empty());

  a = execute_line(m, "quit now", Privilege::kRead);
  EXPECT_EQ(a.text, "Usage: quit\n\n");
  EXPECT_FALSE(a.quit);

  a = execute_line(m, "   ", Privilege::kRead);
  EXPECT_EQ(a.text, "");
  EXPECT_FALSE(a.quit);
}

}  // namespace
}  // namespace sluice::api
