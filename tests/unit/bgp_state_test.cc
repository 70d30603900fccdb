// SPDX-License-Identifier: BSD-3-Clause
// The BGP state file (controlplane/sluiced/bgp_state.h): maintenance and pins survive a
// restart; a damaged file is ignored as a whole, never half read.
#include "sluiced/bgp_state.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace sluice::sluiced {
namespace {

TEST(BgpState, RoundTrip) {
  BgpState s{.node_maint = true,
             .node_updated_s = 1718000000,
             .pinned = {"www", "dns"},
             .pins_updated_s = 1718000100};
  std::string text = serialize_bgp_state(s);
  EXPECT_EQ(text,
            "sluice-bgp-state 1\nnode maint 1718000000\nvip dns off 1718000100\n"
            "vip www off 1718000100\n");
  BgpStateParse p = parse_bgp_state(text, "f");
  EXPECT_FALSE(p.error);
  EXPECT_EQ(p.state, s);
  EXPECT_EQ(parse_bgp_state("sluice-bgp-state 1\n# nothing set\n", "f").state, BgpState{});
}

TEST(BgpState, ADamagedFileIsIgnoredWhole) {
  auto error_of = [](const char* text) {
    BgpStateParse p = parse_bgp_state(text, "/var/lib/sluice/bgp-state");
    EXPECT_EQ(p.state, BgpState{}) << text;
    return p.error.value_or("");
  };
  EXPECT_EQ(error_of(""),
            "bgp state file /var/lib/sluice/bgp-state:1: the file is empty; ignoring the whole "
            "file (node ready, no VIP pinned)");
  EXPECT_EQ(error_of("sluice-bgp-state 2\n"),
            "bgp state file /var/lib/sluice/bgp-state:1: expected 'sluice-bgp-state 1'; ignoring "
            "the whole file (node ready, no VIP pinned)");
  EXPECT_EQ(error_of("sluice-bgp-state 1\nnode maint 17x\n"),
            "bgp state file /var/lib/sluice/bgp-state:2: '17x' is not a Unix time; ignoring the "
            "whole file (node ready, no VIP pinned)");
  EXPECT_EQ(error_of("sluice-bgp-state 1\nvip www off 1\nnode drain 1\n"),
            "bgp state file /var/lib/sluice/bgp-state:3: expected 'node maint TIME' or 'vip NAME "
            "off TIME'; ignoring the whole file (node ready, no VIP pinned)");
  EXPECT_EQ(error_of("sluice-bgp-state 1\nvip w/w off 1\n"),
            "bgp state file /var/lib/sluice/bgp-state:2: VIP name 'w/w' is not valid; ignoring "
            "the whole file (node ready, no VIP pinned)");
}

TEST(BgpState, SavedAndLoadedThroughTheFile) {
  std::string dir = ::testing::TempDir() + "bgp_state_test." + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/bgp-state";
  EXPECT_EQ(load_bgp_state(path).state, BgpState{}) << "a missing file: ready, nothing pinned";
  EXPECT_FALSE(load_bgp_state(path).error);
  BgpState s{.node_maint = true, .node_updated_s = 5, .pinned = {"www"}, .pins_updated_s = 6};
  ASSERT_EQ(save_bgp_state(path, s), std::nullopt);
  EXPECT_EQ(load_bgp_state(path).state, s);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  EXPECT_TRUE(save_bgp_state(dir + "/missing/bgp-state", s).has_value());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice::sluiced
