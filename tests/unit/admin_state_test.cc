// SPDX-License-Identifier: BSD-3-Clause
#include "sluiced/admin_state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "net/ip_address.h"

namespace sluice::sluiced {
namespace {

namespace fs = std::filesystem;
using config::BackendState;
using ::testing::ElementsAre;

constexpr int64_t kNow = 1'700'000'000;
constexpr int64_t kDay = 86400;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "sluice-api-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const char* name) const { return (fs::path(path_) / name).string(); }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path_)) out.push_back(e.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::string path_;
};

void write(const std::string& path, std::string_view text) { std::ofstream(path) << text; }

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

AdminEntry entry(std::string vip, std::string backend, std::optional<BackendState> state,
                 std::optional<uint16_t> weight, int64_t updated) {
  return {std::move(vip), std::move(backend), state, weight, updated};
}

config::Config two_vips() {
  config::Config c;
  config::Vip www;
  www.name = "www";
  www.address = *IpAddress::parse("10.0.0.100");
  www.backends = {{*IpAddress::parse("10.0.0.11"), 1, BackendState::kReady},
                  {*IpAddress::parse("10.0.0.12"), 2, BackendState::kReady}};
  config::Vip dns;
  dns.name = "dns";
  dns.address = *IpAddress::parse("2001:db8::53");
  dns.backends = {{*IpAddress::parse("2001:db8::1"), 10, BackendState::kDrain}};
  c.vips = {www, dns};
  return c;
}

TEST(AdminState, SerializeExact) {
  EXPECT_EQ(serialize_admin_state({entry("www", "10.0.0.11", BackendState::kDrain, {}, kNow),
                                   entry("www", "2001:db8::12", {}, 5, kNow - 1),
                                   entry("x", "10.0.0.1", BackendState::kMaint, 0, 7)}),
            "sluice-admin-state 1\n"
            "# vip backend state weight updated\n"
            "www 10.0.0.11 drain - 1700000000\n"
            "www 2001:db8::12 - 5 1699999999\n"
            "x 10.0.0.1 maint 0 7\n");
}

TEST(AdminState, RoundTripThroughTheFile) {
  TempDir dir;
  AdminStateStore store(dir.file("admin-state"));
  store.set_state("www", "10.0.0.11", BackendState::kDrain, kNow - 10);
  store.set_weight("www", "10.0.0.11", 7, kNow);
  store.set_weight("dns", "2001:db8::1", 0, kNow - 5);
  store.set_state("www", "10.0.0.12", BackendState::kMaint, kNow - 3);
  ASSERT_EQ(store.save(), std::nullopt);
  EXPECT_EQ(read(dir.file("admin-state")),
            "sluice-admin-state 1\n"
            "# vip backend state weight updated\n"
            "dns 2001:db8::1 - 0 1699999995\n"
            "www 10.0.0.11 drain 7 1700000000\n"
            "www 10.0.0.12 maint - 1699999997\n");

  AdminStateStore again(dir.file("admin-state"));
  EXPECT_TRUE(again.load(kNow + kDay).empty());
  EXPECT_EQ(again.entries(), store.entries());
  const AdminEntry* e = again.find("www", "10.0.0.11");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(*e, entry("www", "10.0.0.11", BackendState::kDrain, 7, kNow));
  EXPECT_EQ(again.find("www", "10.0.0.99"), nullptr);
}

TEST(AdminState, AtomicWriteLeavesNoTemporaryFile) {
  TempDir dir;
  write(dir.file("admin-state"), "old contents\n");
  AdminStateStore store(dir.file("admin-state"));
  store.set_state("www", "10.0.0.11", BackendState::kDrain, kNow);
  ASSERT_EQ(store.save(), std::nullopt);
  ASSERT_EQ(store.save(), std::nullopt);
  EXPECT_THAT(dir.names(), ElementsAre("admin-state"));
  EXPECT_TRUE(read(dir.file("admin-state")).starts_with("sluice-admin-state 1\n"));
}

TEST(AdminState, SaveErrorIsReported) {
  TempDir dir;
  AdminStateStore store(dir.file("missing-dir/admin-state"));
  std::optional<std::string> e = store.save();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(*e, "admin-state file " + dir.file("missing-dir/admin-state.tmp") +
                    ": cannot create: No such file or directory");
}

TEST(AdminState, MissingFileIsEmptyAndSilent) {
  TempDir dir;
  AdminStateStore store(dir.file("admin-state"));
  store.set_state("www", "10.0.0.11", BackendState::kDrain, kNow);
  EXPECT_TRUE(store.load(kNow).empty());
  EXPECT_TRUE(store.entries().empty());
}

TEST(AdminState, StaleEntriesDropped) {
  AdminStateParse p = parse_admin_state(
      "sluice-admin-state 1\n"
      "www 10.0.0.11 drain - 1700000000\n"
      "www 10.0.0.12 maint 3 1699395200\n"  // exactly 7 days: kept
      "www 10.0.0.13 - 4 1699395199\n"      // one second more: dropped
      "dns 2001:db8::1 drain - 1690000000\n",
      "/var/lib/sluice/admin-state", kNow, kDefaultAdminStateMaxAgeS);
  EXPECT_FALSE(p.corrupt);
  EXPECT_THAT(p.entries,
              ElementsAre(entry("www", "10.0.0.11", BackendState::kDrain, {}, kNow),
                          entry("www", "10.0.0.12", BackendState::kMaint, 3, kNow - 7 * kDay)));
  EXPECT_THAT(p.messages,
              ElementsAre("admin state www 10.0.0.13 (weight 4) dropped: last set 7.0 days "
                          "ago, older than the 7.0-day limit",
                          "admin state dns 2001:db8::1 (state drain) dropped: last set 115.7 "
                          "days ago, older than the 7.0-day limit"));
}

TEST(AdminState, StalenessLimitIsConfigurable) {
  TempDir dir;
  write(dir.file("s"), "sluice-admin-state 1\nwww 10.0.0.11 drain 2 1699996400\n");
  AdminStateStore hour(dir.file("s"), 3600);
  EXPECT_TRUE(hour.load(kNow).empty());
  EXPECT_EQ(hour.entries().size(), 1u);
  AdminStateStore minute(dir.file("s"), 60);
  EXPECT_THAT(minute.load(kNow),
              ElementsAre("admin state www 10.0.0.11 (state drain, weight 2) dropped: last set "
                          "0.0 days ago, older than the 0.0-day limit"));
  EXPECT_TRUE(minute.entries().empty());
}

TEST(AdminState, CommentsBlankLinesAndCanonicalAddresses) {
  AdminStateParse p = parse_admin_state(
      "sluice-admin-state 1\n"
      "\n"
      "   # a comment\n"
      "dns\t2001:DB8:0::0001   drain  -  1700000000\n",
      "f", kNow, kDefaultAdminStateMaxAgeS);
  EXPECT_TRUE(p.messages.empty());
  EXPECT_THAT(p.entries, ElementsAre(entry("dns", "2001:db8::1", BackendState::kDrain, {}, kNow)));
}

std::string corrupt_message(std::string_view text) {
  AdminStateParse p =
      parse_admin_state(text, "/var/lib/sluice/admin-state", kNow, kDefaultAdminStateMaxAgeS);
  EXPECT_TRUE(p.corrupt);
  EXPECT_TRUE(p.entries.empty());
  return p.messages.size() == 1 ? p.messages[0] : "(" + std::to_string(p.messages.size()) + ")";
}

TEST(AdminState, CorruptFilesRejectedWithTheirLine) {
  const std::string suffix = "; ignoring the whole file, no admin state restored";
  const std::string at = "admin-state file /var/lib/sluice/admin-state:";
  EXPECT_EQ(corrupt_message(""), at + "1: the file is empty" + suffix);
  EXPECT_EQ(corrupt_message("sluice-admin-state 2\n"),
            at + "1: expected the header 'sluice-admin-state 1'" + suffix);
  EXPECT_EQ(corrupt_message("\x7f"
                            "ELF\x02\x01"),
            at + "1: expected the header 'sluice-admin-state 1'" + suffix);
  const std::string h = "sluice-admin-state 1\nwww 10.0.0.11 drain - 1700000000\n";
  EXPECT_EQ(corrupt_message(h + "www 10.0.0.12 drain -\n"),
            at + "3: expected 5 fields (vip backend state weight updated), found 4" + suffix);
  EXPECT_EQ(corrupt_message(h + "w/w 10.0.0.12 drain - 1\n"),
            at + "3: VIP name 'w/w' is not valid" + suffix);
  EXPECT_EQ(corrupt_message(h + "www web2 drain - 1\n"),
            at + "3: backend 'web2' is not an IP address" + suffix);
  EXPECT_EQ(corrupt_message(h + "www 10.0.0.12 down - 1\n"),
            at + "3: state 'down' is not ready, drain, maint or -" + suffix);
  EXPECT_EQ(corrupt_message(h + "www 10.0.0.12 - 65536 1\n"),
            at + "3: weight '65536' is not an integer in 0..65535 or -" + suffix);
  EXPECT_EQ(corrupt_message(h + "www 10.0.0.12 - - 1\n"),
            at + "3: neither state nor weight is set" + suffix);
  EXPECT_EQ(corrupt_message(h + "www 10.0.0.12 drain - yesterday\n"),
            at + "3: updated 'yesterday' is not a Unix time" + suffix);
  EXPECT_EQ(corrupt_message(h + "www 10.0.0.12 drain - -5\n"),
            at + "3: updated '-5' is not a Unix time" + suffix);
  EXPECT_EQ(corrupt_message(h + "www 10.0.0.011 maint - 1700000000\n"),
            at + "3: backend '10.0.0.011' is not an IP address" + suffix);
  EXPECT_EQ(corrupt_message(h + "www 10.0.0.11 maint - 1700000000\n"),
            at + "3: second entry for www 10.0.0.11" + suffix);
}

TEST(AdminState, CorruptFileIsIgnoredNotFatal) {
  TempDir dir;
  write(dir.file("admin-state"), "garbage\n");
  AdminStateStore store(dir.file("admin-state"));
  store.set_state("www", "10.0.0.11", BackendState::kDrain, kNow);
  std::vector<std::string> log = store.load(kNow);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0], "admin-state file " + dir.file("admin-state") +
                        ":1: expected the header 'sluice-admin-state 1'; ignoring the whole "
                        "file, no admin state restored");
  EXPECT_TRUE(store.entries().empty());
  // The next change replaces it.
  store.set_state("www", "10.0.0.11", BackendState::kDrain, kNow);
  ASSERT_EQ(store.save(), std::nullopt);
  AdminStateStore again(dir.file("admin-state"));
  EXPECT_TRUE(again.load(kNow).empty());
  EXPECT_EQ(again.entries().size(), 1u);
}

TEST(AdminState, RetainDropsWhatTheConfigNoLongerHas) {
  AdminStateStore store("/nonexistent/admin-state");
  store.set_state("www", "10.0.0.11", BackendState::kDrain, kNow);
  store.set_weight("www", "10.0.0.99", 3, kNow);
  store.set_state("old", "10.0.0.1", BackendState::kMaint, kNow);
  store.set_weight("dns", "2001:db8::1", 0, kNow);
  EXPECT_THAT(store.retain(two_vips()),
              ElementsAre("admin state old 10.0.0.1 (state maint) dropped: VIP 'old' is no "
                          "longer configured",
                          "admin state www 10.0.0.99 (weight 3) dropped: backend 10.0.0.99 is no "
                          "longer in VIP 'www'"));
  std::vector<AdminEntry> left = store.entries();
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].vip, "dns");
  EXPECT_EQ(left[1].backend, "10.0.0.11");
  EXPECT_TRUE(store.retain(two_vips()).empty());
}

TEST(AdminState, ApplyOverridesConfig) {
  AdminStateStore store("/nonexistent/admin-state");
  store.set_state("www", "10.0.0.11", BackendState::kMaint, kNow);
  store.set_weight("www", "10.0.0.12", 9, kNow);
  store.set_state("dns", "2001:db8::1", BackendState::kReady, kNow);
  config::Config c = two_vips();
  store.apply(c);
  EXPECT_EQ(c.vips[0].backends[0].state, BackendState::kMaint);
  EXPECT_EQ(c.vips[0].backends[0].weight, 1);
  EXPECT_EQ(c.vips[0].backends[1].state, BackendState::kReady);
  EXPECT_EQ(c.vips[0].backends[1].weight, 9);
  EXPECT_EQ(c.vips[1].backends[0].state, BackendState::kReady);
  EXPECT_EQ(c.vips[1].backends[0].weight, 10);
}

}  // namespace
}  // namespace sluice::sluiced
