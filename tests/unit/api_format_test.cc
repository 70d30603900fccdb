// SPDX-License-Identifier: BSD-3-Clause
// Exact answers, human and JSON, against the fake model.
#include <gtest/gtest.h>

#include "api/dispatcher.h"
#include "api/flow_format.h"
#include "api/format.h"
#include "api/testing/fake_model.h"

namespace sluice::api {
namespace {

using testing::FakeModel;

std::string run(std::string_view line, Privilege level = Privilege::kRead) {
  FakeModel m;
  return execute_line(m, line, level).text;
}

TEST(ApiFormat, Help) {
  std::string admin = run("help", Privilege::kAdmin);
  EXPECT_EQ(
      admin,
      "Commands (';' separates several on one line; append 'json' to a show command for "
      "JSON):\n"
      "  help                                                  this list\n"
      "  show info                                             version, uptime, config, dataplane "
      "connection\n"
      "  show vips                                             virtual services\n"
      "  show backends [VIP]                                   backends: admin state, weight, "
      "health, counters\n"
      "  show stats                                            dataplane counters, drops by "
      "reason\n"
      "  show health                                           health checks: status, reason, age\n"
      "  show ha                                               high-availability (VRRP) state\n"
      "  show bgp                                              BGP: bird's sessions; per VIP "
      "announced or not, why, since when\n"
      "  show sync                                             flow sync with the peers: sent, "
      "received, installed, refused, rejected\n"
      "  show floods                                           SYN floods: per VIP new flows/s, "
      "SYNs not admitted/s, under flood or not\n"
      "  show conns VIP [limit 1..10000]                       a sample of a VIP's active flows: "
      "client, backend, worker, state, idle\n"
      "  trace frame HEX [port NAME]                           what the dataplane would do with "
      "this Ethernet frame, and why\n"
      "  trace tcp CLIENT:PORT VIP:PORT [syn|ack] [port NAME]  what the dataplane would do with a "
      "TCP packet (a SYN unless ack)\n"
      "  trace udp CLIENT:PORT VIP:PORT [port NAME]            what the dataplane would do with a "
      "UDP packet\n"
      "  set backend VIP BACKEND state ready|drain|maint       set the admin state (persisted)\n"
      "  set backend VIP BACKEND weight 0..65535               override the weight (persisted)\n"
      "  set node maint|ready                                  BGP: withdraw every VIP, or "
      "announce again (persisted)\n"
      "  set vip VIP announce on|off                           BGP: pin a VIP to never announce, "
      "or back to automatic (persisted)\n"
      "  reload                                                re-read the config file\n"
      "  quit                                                  close the connection\n"
      "\n");
  std::string read = run("help", Privilege::kRead);
  EXPECT_EQ(read.find("set backend"), std::string::npos);
  EXPECT_EQ(read.find("reload"), std::string::npos);
  EXPECT_NE(read.find("  show backends [VIP]" + std::string(35, ' ') + "backends:"),
            std::string::npos);
}

TEST(ApiFormat, HelpJson) {
  std::string j = run("help json");
  EXPECT_TRUE(j.starts_with(R"({"commands":[{"command":"help","description":"this list"},)"));
  EXPECT_TRUE(j.ends_with(R"({"command":"quit","description":"close the connection"}]})"
                          "\n\n"));
  EXPECT_EQ(j.find("reload"), std::string::npos);
}

TEST(ApiFormat, Info) {
  EXPECT_EQ(run("show info"),
            "KEY                    VALUE\n"
            "version                0.1.0\n"
            "pid                    4242\n"
            "uptime_s               75\n"
            "config_path            /etc/sluice/sluice.toml\n"
            "config_generation      3\n"
            "last_reload            refused at 1700000000\n"
            "dataplane_connected    yes\n"
            "last_dataplane_sync_s  2\n"
            "dataplane_sync         refused\n"
            "dataplane_refusal      2 new VIPs but only 1 ids are free second line\n"
            "\n");
  EXPECT_EQ(
      run("show info json"),
      R"({"version":"0.1.0","pid":4242,"uptime_s":75,"config_path":"/etc/sluice/sluice.toml",)"
      R"("config_generation":3,"last_reload":"refused","last_reload_unix_s":1700000000,)"
      R"("dataplane_connected":true,"last_dataplane_sync_s":2,)"
      R"("dataplane_sync":"refused","dataplane_refusal":"2 new VIPs but only 1 ids are free\n)"
      R"(second line"})"
      "\n\n");
  InfoView never{.version = "0.1.0",
                 .pid = 1,
                 .uptime_s = 0,
                 .config_path = "",
                 .config_generation = 0,
                 .dataplane_connected = false,
                 .last_dataplane_sync_s = std::nullopt};
  EXPECT_EQ(format_info(never, false),
            "KEY                    VALUE\n"
            "version                0.1.0\n"
            "pid                    1\n"
            "uptime_s               0\n"
            "config_path            -\n"
            "config_generation      0\n"
            "last_reload            ok at 0\n"
            "dataplane_connected    no\n"
            "last_dataplane_sync_s  -\n"
            "dataplane_sync         disconnected\n");
  EXPECT_EQ(format_info(never, true),
            R"({"version":"0.1.0","pid":1,"uptime_s":0,"config_path":"","config_generation":0,)"
            R"("last_reload":"ok","last_reload_unix_s":0,)"
            R"("dataplane_connected":false,"last_dataplane_sync_s":null,)"
            R"("dataplane_sync":"disconnected","dataplane_refusal":""})"
            "\n");
}

TEST(ApiFormat, Vips) {
  EXPECT_EQ(run("show vips"),
            "NAME  ADDRESS       PROTO  PORT  MODE    BACKENDS  SERVING  IN_DATAPLANE  PACKETS  "
            "BYTES   NEW_FLOWS\n"
            "www   10.0.0.100    tcp    80    dsr-l2  2         1        yes           1503     "
            "120300  31\n"
            "dns   2001:db8::53  udp    *     ipip    1         0        no            7        "
            "700     7\n"
            "\n");
  EXPECT_EQ(run("show vips --json"),
            R"({"vips":[{"name":"www","address":"10.0.0.100","protocol":"tcp","port":80,)"
            R"("mode":"dsr-l2","backends":2,"serving":1,"in_dataplane":true,"packets":1503,)"
            R"("bytes":120300,"new_flows":31},{"name":"dns",)"
            R"("address":"2001:db8::53","protocol":"udp","port":0,"mode":"ipip","backends":1,)"
            R"("serving":0,"in_dataplane":false,"packets":7,"bytes":700,"new_flows":7}]})"
            "\n\n");
  EXPECT_EQ(format_vips({}, false),
            "NAME  ADDRESS  PROTO  PORT  MODE  BACKENDS  SERVING  IN_DATAPLANE  PACKETS  BYTES  "
            "NEW_FLOWS\n");
  EXPECT_EQ(format_vips({}, true), "{\"vips\":[]}\n");
}

TEST(ApiFormat, Backends) {
  EXPECT_EQ(
      run("show backends"),
      "VIP  BACKEND      WEIGHT  ADMIN  ADMIN_WEIGHT  HEALTH     EFFECTIVE  PACKETS  BYTES   "
      "NEW_FLOWS\n"
      "www  10.0.0.11    1       ready  1             UP         serving    1500     120000  30\n"
      "www  10.0.0.12    2       drain  2             DOWN       out        0        0       0\n"
      "dns  2001:db8::1  10      ready  0             unchecked  draining   7        700     7\n"
      "\n");
  EXPECT_EQ(run("show backends dns"),
            "VIP  BACKEND      WEIGHT  ADMIN  ADMIN_WEIGHT  HEALTH     EFFECTIVE  PACKETS  BYTES  "
            "NEW_FLOWS\n"
            "dns  2001:db8::1  10      ready  0             unchecked  draining   7        700    "
            "7\n"
            "\n");
  EXPECT_EQ(run("show backends www json"),
            R"({"backends":[{"vip":"www","address":"10.0.0.11","weight":1,"admin_state":"ready",)"
            R"("admin_weight":1,"health":"UP","health_reason":"connected in 0.3 ms",)"
            R"("last_change_s":120,"effective":"serving","packets":1500,"bytes":120000,)"
            R"("new_flows":30},{"vip":"www","address":"10.0.0.12","weight":2,)"
            R"("admin_state":"drain","admin_weight":2,"health":"DOWN",)"
            R"("health_reason":"connection refused","last_change_s":5,"effective":"out",)"
            R"("packets":0,"bytes":0,"new_flows":0}]})"
            "\n\n");
  EXPECT_EQ(run("show backends dns json"),
            R"({"backends":[{"vip":"dns","address":"2001:db8::1","weight":10,)"
            R"("admin_state":"ready","admin_weight":0,"health":"unchecked","health_reason":"",)"
            R"("last_change_s":null,"effective":"draining","packets":7,"bytes":700,)"
            R"("new_flows":7}]})"
            "\n\n");
}

TEST(ApiFormat, Stats) {
  EXPECT_EQ(run("show stats"),
            "COUNTER      VALUE\n"
            "rx_packets   1507\n"
            "tx_packets   1500\n"
            "drop_no_vip  3\n"
            "\n");
  EXPECT_EQ(run("show stats json"), R"({"rx_packets":1507,"tx_packets":1500,"drop_no_vip":3})"
                                    "\n\n");
}

TEST(ApiFormat, StatsWithWorkers) {
  StatsView s;
  s.counters = {{"rx_packets", 9}};
  s.workers = {{.lcore = 1,
                .busy_ppm = 125'000,
                .active_flows = 2048,
                .flow_capacity = 4096,
                .flow_insert_failures = 3,
                .flow_evictions = 7},
               {.lcore = 3, .busy_ppm = 1'000'000, .active_flows = 1, .flow_capacity = 3}};
  EXPECT_EQ(format_stats(s, false),
            "COUNTER     VALUE\n"
            "rx_packets  9\n"
            "WORKER  LCORE  BUSY    ACTIVE_FLOWS  CAPACITY  OCCUPANCY  INSERT_FAILURES  EVICTIONS\n"
            "0       1      12.5%   2048          4096      50.0%      3                7\n"
            "1       3      100.0%  1             3         33.3%      0                0\n");
  EXPECT_EQ(format_stats(s, true),
            R"({"rx_packets":9,"workers":[{"worker":0,"lcore":1,"busy_ppm":125000,)"
            R"("active_flows":2048,"flow_capacity":4096,"flow_insert_failures":3,)"
            R"("flow_evictions":7},{"worker":1,"lcore":3,"busy_ppm":1000000,"active_flows":1,)"
            R"("flow_capacity":3,"flow_insert_failures":0,"flow_evictions":0}]})"
            "\n");
}

TEST(ApiFormat, Sync) {
  StatsView s;
  s.counters = {{"rx_packets", 9}, {"sync_sent", 32}, {"sync_rejected_auth", 1}, {"drop_x", 2}};
  EXPECT_EQ(format_sync(s, false),
            "COUNTER        VALUE\n"
            "sent           32\n"
            "rejected_auth  1\n");
  EXPECT_EQ(format_sync(s, true), R"({"sent":32,"rejected_auth":1})"
                                  "\n");
  EXPECT_EQ(format_sync(StatsView{}, false),
            "Flow sync not enabled (or no dataplane counters yet)\n");
  EXPECT_EQ(format_sync(StatsView{}, true), "{\"enabled\":false}\n");
  EXPECT_EQ(run("show sync"), "Flow sync not enabled (or no dataplane counters yet)\n\n");
}

TEST(ApiFormat, Health) {
  EXPECT_EQ(run("show health"),
            "VIP  BACKEND      CHECK             STATUS     SINCE_S  REASON\n"
            "www  10.0.0.11    tcp               UP         120      connected in 0.3 ms\n"
            "www  10.0.0.12    http GET /health  DOWN       5        connection refused\n"
            "dns  2001:db8::1  -                 unchecked  -        -\n"
            "\n");
  EXPECT_EQ(run("show health json"),
            R"({"health":[{"vip":"www","backend":"10.0.0.11","check":"tcp","status":"UP",)"
            R"("reason":"connected in 0.3 ms","last_change_s":120},{"vip":"www",)"
            R"("backend":"10.0.0.12","check":"http GET /health","status":"DOWN",)"
            R"("reason":"connection refused","last_change_s":5},{"vip":"dns",)"
            R"("backend":"2001:db8::1","check":"","status":"unchecked","reason":"",)"
            R"("last_change_s":null}]})"
            "\n\n");
}

TEST(ApiFormat, Ha) {
  EXPECT_EQ(run("show ha"), "no HA instance configured\n\n");
  EXPECT_EQ(run("show ha json"), "{\"configured\":false}\n\n");
}

// Text from the outside (check reasons) can neither break the table nor end the answer.
TEST(ApiFormat, Bgp) {
  BgpView b{.enabled = true,
            .table = 100,
            .protocol = 200,
            .node = "maint",
            .node_since_s = 3,
            .drained = false,
            .drain_time_ms = 5000,
            .error = "",
            .bird = {},
            .vips = {}};
  b.vips.push_back(
      {.name = "www",
       .address = "10.0.0.100",
       .announced = false,
       .reason = "node in maintenance",
       .since_s = 3,
       .serving_backends = 2,
       .min_healthy = 1,
       .med = 10,
       .pinned = false,
       .route_error = "cannot remove 10.0.0.100 from table 100: Operation not permitted"});
  EXPECT_EQ(format_bgp(b, false),
            "node maint for 3 s, draining; routes in table 100, protocol 200\n"
            "VIP  ADDRESS     STATE      SINCE_S  SERVING  MED  REASON\n"
            "www  10.0.0.100  withdrawn  3        2/1      10   node in maintenance\n"
            "route error www: cannot remove 10.0.0.100 from table 100: Operation not permitted\n");
  EXPECT_EQ(
      format_bgp(b, true),
      "{\"enabled\":true,\"table\":100,\"protocol\":200,\"node\":\"maint\",\"node_since_s\":3,"
      "\"drained\":false,\"drain_time_ms\":5000,\"error\":\"\",\"bird\":null,\"policy\":null,"
      "\"vips\":[{\"name\":"
      "\"www\","
      "\"address\":\"10.0.0.100\",\"announced\":false,\"reason\":\"node in maintenance\","
      "\"since_s\":3,\"serving_backends\":2,\"min_healthy\":1,\"med\":10,\"pinned\":false,"
      "\"route_error\":\"cannot remove 10.0.0.100 from table 100: Operation not "
      "permitted\"}]}\n");
  EXPECT_EQ(format_bgp(BgpView{}, false), "BGP announcement not enabled\n");
  EXPECT_EQ(format_bgp(BgpView{}, true), "{\"enabled\":false}\n");
}

// [bgp] bird_socket: bird's line, then its sessions under the node line.
TEST(ApiFormat, BgpWithBirdSessions) {
  BgpView b{.enabled = true,
            .table = 100,
            .protocol = 200,
            .node = "ready",
            .node_since_s = 42,
            .drained = false,
            .drain_time_ms = 0,
            .error = "",
            .bird = {},
            .vips = {}};
  b.bird = {.socket = "/run/bird/bird.ctl",
            .reachable = true,
            .error = "",
            .version = "2.0.12",
            .answer_age_s = 0,
            .sessions = {{.name = "bfd1", .proto = "BFD", .state = "up", .since = "12:00:00.120"},
                         {.name = "router1",
                          .proto = "BGP",
                          .state = "up",
                          .since = "12:00:01.873",
                          .session = "Established"},
                         {.name = "router2",
                          .proto = "BGP",
                          .state = "start",
                          .since = "12:00:00.120",
                          .session = "Active",
                          .last_error = "Socket: Connection refused"},
                         {.name = "router3",
                          .proto = "BGP",
                          .state = "down",
                          .since = "12:00:00.120",
                          .last_error = "Error: No listening socket"}}};
  EXPECT_EQ(format_bgp(b, false),
            "node ready for 42 s; routes in table 100, protocol 200\n"
            "bird 2.0.12 at /run/bird/bird.ctl\n"
            "session bfd1     BFD  up     since 12:00:00.120  -\n"
            "session router1  BGP  up     since 12:00:01.873  Established\n"
            "session router2  BGP  start  since 12:00:00.120  Active (Socket: Connection refused)\n"
            "session router3  BGP  down   since 12:00:00.120  Error: No listening socket\n"
            "VIP  ADDRESS  STATE  SINCE_S  SERVING  MED  REASON\n");
  EXPECT_EQ(
      format_bgp(b, true),
      "{\"enabled\":true,\"table\":100,\"protocol\":200,\"node\":\"ready\",\"node_since_s\":42,"
      "\"drained\":false,\"drain_time_ms\":0,\"error\":\"\",\"bird\":{\"socket\":\"/run/bird/"
      "bird.ctl\",\"reachable\":true,\"error\":\"\",\"version\":\"2.0.12\",\"answer_age_s\":0,"
      "\"sessions\":[{\"name\":\"bfd1\",\"proto\":\"BFD\",\"state\":\"up\",\"up\":true,"
      "\"since\":\"12:00:00.120\",\"session\":\"\",\"last_error\":\"\"},{\"name\":\"router1\","
      "\"proto\":\"BGP\",\"state\":\"up\",\"up\":true,\"since\":\"12:00:01.873\",\"session\":"
      "\"Established\",\"last_error\":\"\"},{\"name\":\"router2\",\"proto\":\"BGP\",\"state\":"
      "\"start\",\"up\":false,\"since\":\"12:00:00.120\",\"session\":\"Active\",\"last_error\":"
      "\"Socket: Connection refused\"},{\"name\":\"router3\",\"proto\":\"BGP\",\"state\":\"down\","
      "\"up\":false,\"since\":\"12:00:00.120\",\"session\":\"\",\"last_error\":\"Error: No "
      "listening socket\"}]},\"policy\":null,\"vips\":[]}\n");

  // bird gone: why, and its sessions' names with nothing known; text from outside stays
  // on its line.
  b.bird.reachable = false;
  b.bird.error = "connect: No such file or directory";
  b.bird.answer_age_s = 7;
  b.bird.sessions = {{.name = "router1", .proto = "BGP", .state = "unknown"},
                     {.name = "evil\nsession", .proto = "BGP", .state = "unknown"}};
  EXPECT_EQ(format_bgp(b, false),
            "node ready for 42 s; routes in table 100, protocol 200\n"
            "bird: not reachable at /run/bird/bird.ctl (connect: No such file or directory)\n"
            "session router1       BGP  unknown  -  -\n"
            "session evil?session  BGP  unknown  -  -\n"
            "VIP  ADDRESS  STATE  SINCE_S  SERVING  MED  REASON\n");
  b.bird.sessions.clear();
  b.bird.answer_age_s.reset();
  EXPECT_EQ(format_bgp(b, false),
            "node ready for 42 s; routes in table 100, protocol 200\n"
            "bird: not reachable at /run/bird/bird.ctl (connect: No such file or directory)\n"
            "VIP  ADDRESS  STATE  SINCE_S  SERVING  MED  REASON\n");
  EXPECT_NE(
      format_bgp(b, true).find("\"bird\":{\"socket\":\"/run/bird/bird.ctl\",\"reachable\":"
                               "false,\"error\":\"connect: No such file or directory\","
                               "\"version\":\"2.0.12\",\"answer_age_s\":null,\"sessions\":[]}"),
      std::string::npos);
  b.bird = {};
  EXPECT_NE(format_bgp(b, true).find(",\"bird\":null,"), std::string::npos) << "not read";
}

// [bgp] bird_policy: the file's line under bird's, with bird's word on it.
TEST(ApiFormat, BgpWithBirdPolicy) {
  BgpView b{.enabled = true,
            .table = 100,
            .protocol = 200,
            .node = "ready",
            .node_since_s = 1,
            .drained = false,
            .drain_time_ms = 0,
            .error = "",
            .bird = {},
            .policy = {.path = "/run/sluice/bird-vips.conf",
                       .vips = 2,
                       .error = "",
                       .bird = "accepted",
                       .bird_answer = "0003 Reconfigured"},
            .vips = {}};
  const std::string head = "node ready for 1 s; routes in table 100, protocol 200\n";
  const std::string table = "VIP  ADDRESS  STATE  SINCE_S  SERVING  MED  REASON\n";
  EXPECT_EQ(format_bgp(b, false), head +
                                      "policy /run/sluice/bird-vips.conf: 2 VIPs with local_pref "
                                      "or communities; bird accepted it (0003 Reconfigured)\n" +
                                      table);
  EXPECT_NE(format_bgp(b, true).find(
                ",\"policy\":{\"path\":\"/run/sluice/bird-vips.conf\",\"vips\":2,\"error\":\"\","
                "\"bird\":\"accepted\",\"bird_answer\":\"0003 Reconfigured\"},"),
            std::string::npos)
      << format_bgp(b, true);

  b.policy.vips = 1;
  b.policy.bird = "refused";
  b.policy.bird_answer = "8002 /run/sluice/bird-vips.conf:3:20 syntax error, unexpected ';'";
  EXPECT_EQ(format_bgp(b, false),
            head +
                "policy /run/sluice/bird-vips.conf: 1 VIP with local_pref or communities; bird "
                "refused it and keeps its previous configuration (8002 "
                "/run/sluice/bird-vips.conf:3:20 syntax error, unexpected ';')\n" +
                table);
  b.policy.bird = "pending";
  EXPECT_EQ(format_bgp(b, false), head +
                                      "policy /run/sluice/bird-vips.conf: 1 VIP with local_pref "
                                      "or communities; bird asked to reconfigure, no answer yet\n" +
                                      table);
  b.policy.bird = "";
  EXPECT_EQ(
      format_bgp(b, false),
      head + "policy /run/sluice/bird-vips.conf: 1 VIP with local_pref or communities\n" + table);
  b.policy.error = "/run/sluice/bird-vips.conf: cannot create /run/sluice: Permission denied";
  EXPECT_EQ(format_bgp(b, false), head +
                                      "policy: not written: /run/sluice/bird-vips.conf: cannot "
                                      "create /run/sluice: Permission denied\n" +
                                      table);
}

TEST(ApiFormat, Floods) {
  EXPECT_EQ(run("show floods"),
            "VIP  ADDRESS       PROTO  PORT  NEW_FLOWS_S  NOT_ADMITTED_S  FLOOD  FOR_S  LAST_S\n"
            "www  10.0.0.100    tcp    80    120500       20500           yes    12     0\n"
            "dns  2001:db8::53  udp    *     7            0               no     -      -\n"
            "\n");
  EXPECT_EQ(run("show floods json"),
            R"({"floods":[{"name":"www","address":"10.0.0.100","protocol":"tcp","port":80,)"
            R"("new_flows_per_s":120500,"syns_not_admitted_per_s":20500,)"
            R"("syns_not_admitted":246000,"under_flood":true,"flood_for_s":12,"last_flood_s":0},)"
            R"({"name":"dns","address":"2001:db8::53","protocol":"udp","port":0,)"
            R"("new_flows_per_s":7,"syns_not_admitted_per_s":0,"syns_not_admitted":0,)"
            R"("under_flood":false,"flood_for_s":null,"last_flood_s":null}]})"
            "\n\n");
  EXPECT_EQ(format_floods({{.name = "www",
                            .address = "10.0.0.100",
                            .protocol = "tcp",
                            .port = 80,
                            .new_flows_per_s = std::nullopt,
                            .syns_not_admitted_per_s = std::nullopt,
                            .syns_not_admitted = 0,
                            .under_flood = false,
                            .flood_for_s = std::nullopt,
                            .last_flood_s = std::nullopt}},
                          false),
            "VIP  ADDRESS     PROTO  PORT  NEW_FLOWS_S  NOT_ADMITTED_S  FLOOD  FOR_S  LAST_S\n"
            "www  10.0.0.100  tcp    80    -            -               no     -      -\n");
}

TEST(ApiFormat, HostileText) {
  std::vector<HealthView> h = {{.vip = "www",
                                .backend = "10.0.0.11",
                                .check = "http",
                                .status = Health::kDown,
                                .reason = "bad\n\nheader\t\"x\"\x7f",
                                .last_change_s = 1}};
  EXPECT_EQ(format_health(h, false),
            "VIP  BACKEND    CHECK  STATUS  SINCE_S  REASON\n"
            "www  10.0.0.11  http   DOWN    1        bad??header?\"x\"?\n");
  EXPECT_EQ(format_health(h, true),
            R"({"health":[{"vip":"www","backend":"10.0.0.11","check":"http","status":"DOWN",)"
            R"("reason":"bad\n\nheader\t\"x\")"
            "\x7f"
            R"(","last_change_s":1}]})"
            "\n");
}

TEST(ApiFormat, Table) {
  Table t({"A", "LONG_HEADER", "C"});
  t.add({"value", "", "last cell with spaces"});
  t.add({"x", "y"});
  EXPECT_EQ(t.render(),
            "A      LONG_HEADER  C\n"
            "value  -            last cell with spaces\n"
            "x      y            -\n");
}

TEST(ApiFormat, HaTableAndJson) {
  EXPECT_EQ(format_ha({}, false), "no HA instance configured\n");
  HaView h;
  h.name = "vi_www";
  h.interface = "eth0";
  h.vrid = 51;
  h.state = "MASTER";
  h.priority = 150;
  h.configured_priority = 150;
  h.master = "10.0.0.11";
  h.advert_interval_cs = 100;
  h.master_adver_interval_cs = 100;
  h.skew_ms = 414;
  h.master_down_ms = 3414;
  h.vips = {"www", "api"};
  h.transitions = {"1795000000 MASTER (was BACKUP): master down timer expired"};
  h.adverts_sent = 12;
  h.adverts_received = 3;
  EXPECT_EQ(format_ha({h}, false),
            "INSTANCE  IFACE  VRID  STATE   PRIO     MASTER     ADVERT_CS  DOWN_MS  VIPS     "
            "ADDR_MISMATCH\n"
            "vi_www    eth0   51    MASTER  150/150  10.0.0.11  100        3414     www,api  0\n"
            "last transitions:\n"
            "vi_www 1795000000 MASTER (was BACKUP): master down timer expired\n");
  EXPECT_EQ(format_ha({h}, true),
            "{\"configured\":true,\"instances\":[{\"name\":\"vi_www\",\"interface\":\"eth0\","
            "\"vrid\":51,\"state\":\"MASTER\",\"priority\":150,\"configured_priority\":150,"
            "\"master\":\"10.0.0.11\",\"advert_interval_cs\":100,\"master_adver_interval_cs\":"
            "100,\"skew_ms\":414,\"master_down_ms\":3414,\"vips\":[\"www\",\"api\"],"
            "\"transitions\":[\"1795000000 MASTER (was BACKUP): master down timer expired\"],"
            "\"adverts_sent\":12,\"adverts_received\":3,\"address_mismatches\":0,"
            "\"last_address_mismatch\":\"\"}]}\n");
}

// RFC 5798 7.1: an advert whose address list differs from ours is counted; the last one
// is shown with its sender and its list.
TEST(ApiFormat, HaAddressListMismatches) {
  HaView h;
  h.name = "vi_www";
  h.interface = "eth0";
  h.vrid = 51;
  h.state = "BACKUP";
  h.priority = 100;
  h.configured_priority = 100;
  h.master = "10.0.0.12";
  h.advert_interval_cs = 100;
  h.master_adver_interval_cs = 100;
  h.master_down_ms = 3609;
  h.vips = {"www", "www-tls"};
  h.address_mismatches = 7;
  h.last_address_mismatch = "from 10.0.0.12: 10.0.0.100 10.0.0.101 (ours: 10.0.0.100)";
  EXPECT_EQ(format_ha({h}, false),
            "INSTANCE  IFACE  VRID  STATE   PRIO     MASTER     ADVERT_CS  DOWN_MS  VIPS         "
            "ADDR_MISMATCH\n"
            "vi_www    eth0   51    BACKUP  100/100  10.0.0.12  100        3609     www,www-tls  "
            "7\n"
            "last address list mismatch (RFC 5798 7.1):\n"
            "vi_www from 10.0.0.12: 10.0.0.100 10.0.0.101 (ours: 10.0.0.100)\n");
  std::string json = format_ha({h}, true);
  EXPECT_NE(json.find("\"address_mismatches\":7,\"last_address_mismatch\":\"from 10.0.0.12: "
                      "10.0.0.100 10.0.0.101 (ours: 10.0.0.100)\""),
            std::string::npos)
      << json;
}

TEST(ApiFormat, Trace) {
  EXPECT_EQ(run("trace tcp 192.0.2.1:40000 10.0.0.100:80"),
            "port      lan0, 54 bytes\n"
            "packet    ipv4 tcp 192.0.2.1:40000 -> 10.0.0.100:80 flags S, flow hash 1234abcd\n"
            "vip       www (dsr-l2)\n"
            "worker    0 on lcore 1 (the only worker polling lan0)\n"
            "flow      miss: a new flow\n"
            "maglev    slot 4660 of 65537: 10.0.0.11\n"
            "backend   10.0.0.11\n"
            "verdict   forward\n"
            "output    54 bytes, 02:00:00:00:00:10 -> 02:00:00:00:00:11\n"
            "counters  forwarded flow_new\n"
            "\n");
  std::string hex;
  for (int i = 0; i < 54; ++i) hex += "78";
  EXPECT_EQ(run("trace frame 00 json"),
            R"({"port":"lan0","length":54,"packet":"ipv4","flow":{"protocol":"tcp",)"
            R"("source":"192.0.2.1","source_port":40000,"destination":"10.0.0.100",)"
            R"("destination_port":80},"tcp_flags":"S","icmp_error":false,"hash":305441741,)"
            R"("vip":"www","mode":"dsr-l2","worker":{"index":0,"lcore":1,"by":"only-worker"},)"
            R"("flow_table":"miss","entry":null,"maglev":{"slot":4660,"size":65537,)"
            R"("backend":"10.0.0.11"},"backend":"10.0.0.11","verdict":"forward","drop":null,)"
            R"("drop_description":null,"counters":["forwarded","flow_new"],"output":")" +
                hex +
                R"(","output_source_mac":"02:00:00:00:00:10",)"
                R"("output_destination_mac":"02:00:00:00:00:11","outer":null})"
                "\n\n");
}

TEST(ApiFormat, TraceOfAHitADropAndAnEncapsulation) {
  channel::TraceResult r = FakeModel::example_trace();
  r.flow_table = "hit";
  r.entry_backend = "10.0.0.11";
  r.entry_state = "established";
  r.entry_idle_ms = 1250;
  r.mode = "gue";
  r.outer = channel::TraceFlow{17, *IpAddress::parse("172.16.0.1"), 40001,
                               *IpAddress::parse("10.0.0.11"), 6080};
  std::string text = format_trace(r, false);
  EXPECT_NE(text.find("\nflow      hit: 10.0.0.11, established, idle 1.2 s\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("\nencap     gue 172.16.0.1:40001 -> 10.0.0.11:6080\n"), std::string::npos)
      << text;

  channel::TraceResult d;
  d.port = "lan0";
  d.length = 10;
  d.packet = "malformed";
  d.verdict = "drop";
  d.drop = "l2_truncated";
  d.drop_description = "frame shorter than its Ethernet and VLAN headers";
  d.counters = {"drop_l2_truncated"};
  EXPECT_EQ(format_trace(d, false),
            "port      lan0, 10 bytes\n"
            "packet    malformed\n"
            "verdict   drop l2_truncated: frame shorter than its Ethernet and VLAN headers\n"
            "counters  drop_l2_truncated\n");
  channel::TraceResult e;
  e.error = "no port named 'x'";
  EXPECT_EQ(format_trace(e, true), "Error: no port named 'x'\n");
}

TEST(ApiFormat, Conns) {
  EXPECT_EQ(run("show conns www"),
            "VIP www: 3 active flows, 2 shown\n"
            "BACKEND    FLOWS\n"
            "10.0.0.11  2\n"
            "10.0.0.12  1\n"
            "CLIENT           PORT  BACKEND    WORKER  STATE        IDLE_S\n"
            "192.0.2.1:40000  80    10.0.0.11  0       established  1\n"
            "192.0.2.2:40001  80    10.0.0.12  1       syn          0\n"
            "\n");
  EXPECT_EQ(run("show conns www json"),
            R"({"vip":"www","flows":3,"backends":[{"backend":"10.0.0.11","flows":2},)"
            R"({"backend":"10.0.0.12","flows":1}],"conns":[{"protocol":"tcp",)"
            R"("client":"192.0.2.1","client_port":40000,"port":80,"backend":"10.0.0.11",)"
            R"("worker":0,"state":"established","idle_ms":1500},)"
            R"({"protocol":"tcp","client":"192.0.2.2","client_port":40001,"port":80,)"
            R"("backend":"10.0.0.12","worker":1,"state":"syn","idle_ms":200}]})"
            "\n\n");
  EXPECT_EQ(run("show conns nope"), "Error: no VIP named 'nope'\n\n");
}

// fullnat connections show the local address and port their backend sees.
TEST(ApiFormat, ConnsWithLocalAddresses) {
  channel::ConnsResult r;
  r.vip = "full";
  r.flows = 2;
  r.backends = {{*IpAddress::parse("10.0.0.22"), 2}};
  r.rows = {
      {6, *IpAddress::parse("192.0.2.1"), 40000, 80, *IpAddress::parse("10.0.0.22"), 1,
       "established", 2000, *IpAddress::parse("10.0.0.50"), 2001},
      {6, *IpAddress::parse("192.0.2.2"), 40001, 80, *IpAddress::parse("10.0.0.22"), 0, "syn", 0}};
  EXPECT_EQ(format_conns(r, false),
            "VIP full: 2 active flows, 2 shown\n"
            "BACKEND    FLOWS\n"
            "10.0.0.22  2\n"
            "CLIENT           PORT  BACKEND    LOCAL           WORKER  STATE        IDLE_S\n"
            "192.0.2.1:40000  80    10.0.0.22  10.0.0.50:2001  1       established  2\n"
            "192.0.2.2:40001  80    10.0.0.22  -               0       syn          0\n");
  EXPECT_EQ(format_conns(r, true),
            R"({"vip":"full","flows":2,"backends":[{"backend":"10.0.0.22","flows":2}],)"
            R"("conns":[{"protocol":"tcp","client":"192.0.2.1","client_port":40000,"port":80,)"
            R"("backend":"10.0.0.22","worker":1,"state":"established","idle_ms":2000,)"
            R"("local":"10.0.0.50","local_port":2001},{"protocol":"tcp","client":"192.0.2.2",)"
            R"("client_port":40001,"port":80,"backend":"10.0.0.22","worker":0,"state":"syn",)"
            R"("idle_ms":0}]})"
            "\n");
}

}  // namespace
}  // namespace sluice::api
