// SPDX-License-Identifier: BSD-3-Clause
// StateBuilder: a snapshot holds every VIP and backend of the config or is refused whole,
// with the reason, and the ids stay as they were.
#include "state/state_builder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice {
namespace {

constexpr uint32_t kQuarantineMs = 900'000;
const MacAddress kPortMac{{2, 0, 0, 0, 0, 1}};

// `count` VIPs 10.1.x.y:80 starting at `first`, two on-link backends each.
config::Config config_with_vips(uint32_t first, uint32_t count) {
  config::Config c;
  config::Port port;
  port.name = "lan0";
  port.device = "net_null0";
  port.addresses = {*IpPrefix::parse("10.0.0.10/16")};
  c.ports.push_back(port);
  for (uint32_t i = first; i < first + count; ++i) {
    config::Vip v;
    v.name = "vip" + std::to_string(i);
    v.address = IpAddress::v4(0x0a010000u + i);
    v.port = 80;
    v.maglev_table_size = 7;
    v.backends = {{IpAddress::v4(0x0a000015u), 1, config::BackendState::kReady},
                  {IpAddress::v4(0x0a000016u), 1, config::BackendState::kReady}};
    c.vips.push_back(v);
  }
  return c;
}

std::unique_ptr<ForwardingState> build(StateBuilder& builder, const config::Config& c,
                                       uint32_t now_ms, std::vector<std::string>& errors) {
  return builder.build(c, {kPortMac}, NeighborCache{}, 1, now_ms, errors);
}

TEST(StateBuilder, ReplacingEveryVipAtOnceKeepsThemAll) {
  // The reported defect: 600 VIPs replaced by 600 others published 424 and said "applied".
  StateBuilder builder(kQuarantineMs);
  std::vector<std::string> errors;
  ASSERT_TRUE(build(builder, config_with_vips(0, 600), 1000, errors));
  auto next = build(builder, config_with_vips(600, 600), 2000, errors);
  ASSERT_TRUE(next);
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(next->vips.size(), 600u);
  for (const VipEntry& v : next->vips) EXPECT_EQ(v.backends.size(), 2u);
}

TEST(StateBuilder, TheWholeLimitCanBeReplacedOnceWithinTheQuarantine) {
  StateBuilder builder(kQuarantineMs);
  std::vector<std::string> errors;
  ASSERT_TRUE(build(builder, config_with_vips(0, config::kMaxVips), 1000, errors));
  ASSERT_TRUE(build(builder, config_with_vips(config::kMaxVips, config::kMaxVips), 2000, errors));
  EXPECT_TRUE(errors.empty());
}

TEST(StateBuilder, RefusesWholeWhenIdsAreStillInQuarantine) {
  StateBuilder builder(kQuarantineMs);
  std::vector<std::string> errors;
  const uint32_t n = config::kMaxVips;
  ASSERT_TRUE(build(builder, config_with_vips(0, n), 1000, errors));
  ASSERT_TRUE(build(builder, config_with_vips(n, n), 2000, errors));
  const VipKey kept{IpAddress::v4(0x0a010000u + n), 80, config::kProtocolTcp, 0};
  const auto kept_id = builder.vip_id(kept);
  ASSERT_TRUE(kept_id);

  // A third set while both earlier ones wait: nothing of it is taken.
  auto refused = build(builder, config_with_vips(2 * n, n), 3000, errors);
  EXPECT_FALSE(refused);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "16384 new VIPs but only 0 ids are free: the ids of removed VIPs stay "
            "reserved for the longest flow timeout, so that no flow lands on a "
            "stranger; the next is free in 899 s");
  EXPECT_EQ(builder.vip_id(kept), kept_id) << "the running set keeps its ids";
  EXPECT_FALSE(
      builder.vip_id(VipKey{IpAddress::v4(0x0a010000u + 2 * n), 80, config::kProtocolTcp, 0}));

  // Once the first set's ids are out of quarantine the same update is taken whole.
  errors.clear();
  auto later = build(builder, config_with_vips(2 * n, n), 2000 + kQuarantineMs, errors);
  ASSERT_TRUE(later);
  EXPECT_EQ(later->vips.size(), n);
  EXPECT_TRUE(errors.empty());
}

TEST(StateBuilder, RefusesAConfigOverTheLimits) {
  StateBuilder builder(kQuarantineMs);
  std::vector<std::string> errors;
  EXPECT_FALSE(build(builder, config_with_vips(0, config::kMaxVips + 1), 1000, errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "16385 VIPs; at most 16384");
  EXPECT_FALSE(builder.vip_id(VipKey{IpAddress::v4(0x0a010000u), 80, config::kProtocolTcp, 0}))
      << "no id was taken";
}

TEST(StateBuilder, BackendIdTableSpansOnlyTheIdsInUse) {
  StateBuilder builder(kQuarantineMs);
  std::vector<std::string> errors;
  auto state = build(builder, config_with_vips(0, 3), 1000, errors);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->backend_by_id.size(), 6u);
  EXPECT_EQ(state->backend(5, 2), &state->vips[2].backends[1]);
  EXPECT_EQ(state->backend(6, 2), nullptr);
  EXPECT_EQ(state->backend(5, 1), nullptr);
}

TEST(StateBuilder, ABackendKeepsItsIdThroughMaintenance) {
  // A backend DOWN or in maint carries no flow, but its id (and so its traffic counters)
  // stays while it is configured: back in service it continues where it was.
  StateBuilder builder(kQuarantineMs);
  std::vector<std::string> errors;
  config::Config c = config_with_vips(0, 1);
  const VipKey key = build(builder, c, 1000, errors)->vips[0].key;
  const IpAddress second = c.vips[0].backends[1].address;
  const auto id = builder.backend_id(key, second);
  ASSERT_TRUE(id);

  c.vips[0].backends[1].state = config::BackendState::kMaint;
  auto in_maint = build(builder, c, 2000, errors);
  ASSERT_TRUE(in_maint);
  EXPECT_EQ(in_maint->vips[0].backends.size(), 1u);
  EXPECT_EQ(in_maint->backend(*id, 0), nullptr) << "its flows move to the other backend";
  EXPECT_EQ(builder.backend_id(key, second), id);

  c.vips[0].backends[1].state = config::BackendState::kReady;
  auto back = build(builder, c, 3000, errors);
  ASSERT_TRUE(back);
  EXPECT_EQ(builder.backend_id(key, second), id);
  EXPECT_EQ(back->backend(*id, 0), &back->vips[0].backends[1]);
  EXPECT_TRUE(errors.empty());
}

// What pipeline/host_lane.h needs to class the host's control traffic: every backend's
// address (in maint too: sluiced still checks it) and flow sync's listening address.
TEST(StateBuilder, KnowsTheBackendsAndTheSyncListenerForTheHostLanes) {
  StateBuilder builder(kQuarantineMs);
  std::vector<std::string> errors;
  config::Config c = config_with_vips(0, 2);
  c.vips[1].backends.push_back({IpAddress::v4(0x0a000017u), 1, config::BackendState::kMaint});
  auto state = build(builder, c, 1000, errors);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->backend_addresses.size(), 3u);
  EXPECT_TRUE(state->backend_addresses.contains(IpAddress::v4(0x0a000015u)));
  EXPECT_TRUE(state->backend_addresses.contains(IpAddress::v4(0x0a000017u)));
  EXPECT_FALSE(state->backend_addresses.contains(IpAddress::v4(0x0a01000au)));
  EXPECT_EQ(state->sync_listen.port, 0);  // sync off

  c.sync.enable = true;
  c.sync.listen = *SocketAddress::parse("10.0.0.10:4500");
  state = build(builder, c, 2000, errors);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->sync_listen.to_string(), "10.0.0.10:4500");

  c.vips[1].backends.pop_back();  // removed: the set follows
  state = build(builder, c, 3000, errors);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->backend_addresses.size(), 2u);
  EXPECT_FALSE(state->backend_addresses.contains(IpAddress::v4(0x0a000017u)));
  EXPECT_EQ(builder.with_neighbors(NeighborCache{}, 4)->sync_listen.to_string(), "10.0.0.10:4500");
  EXPECT_EQ(builder.with_neighbors(NeighborCache{}, 5)->backend_addresses.size(), 2u);
}

// What a snapshot costs is what changed: the entries of VIPs that did not change are the
// last snapshot's, shared; the next hops are one table.
const VipEntry* entry_of(const ForwardingState& s, size_t i) { return &s.vips[i]; }

TEST(StateBuilder, UnchangedVipsShareTheLastSnapshotsEntries) {
  StateBuilder builder(kQuarantineMs);
  std::vector<std::string> errors;
  config::Config c = config_with_vips(0, 3);
  auto first = build(builder, c, 1000, errors);
  c.vips[1].backends[0].weight = 3;
  auto second = build(builder, c, 2000, errors);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(entry_of(*second, 0), entry_of(*first, 0));
  EXPECT_NE(entry_of(*second, 1), entry_of(*first, 1));
  EXPECT_EQ(entry_of(*second, 2), entry_of(*first, 2));
  EXPECT_EQ(first->vips[1].backends[0].id, second->vips[1].backends[0].id);
  for (uint32_t v = 0; v < 3; ++v)
    for (const BackendEntry& b : second->vips[v].backends)
      EXPECT_EQ(second->backend(b.id, v), &b) << "vip " << v << " backend id " << b.id;
}

TEST(StateBuilder, ARemovedVipGivesUpItsIdsAndTheOthersFollowTheirNewIndex) {
  StateBuilder builder(kQuarantineMs);
  std::vector<std::string> errors;
  config::Config c = config_with_vips(0, 3);
  auto first = build(builder, c, 1000, errors);
  const VipKey removed = first->vips[0].key;
  const VipKey moved = first->vips[2].key;
  c.vips.erase(c.vips.begin());
  auto second = build(builder, c, 2000, errors);
  ASSERT_TRUE(second);
  EXPECT_FALSE(builder.vip_id(removed));
  EXPECT_FALSE(builder.backend_id(removed, first->vips[0].backends[0].address));
  EXPECT_EQ(entry_of(*second, 1), entry_of(*first, 2)) << "the same entry, at a new index";
  EXPECT_EQ(second->vip_table.find(moved.address, moved.protocol, moved.port), 1u);
  EXPECT_EQ(second->vip_table.find(removed.address, removed.protocol, removed.port),
            VipTable::kNone);
  const BackendEntry& b = second->vips[1].backends[1];
  EXPECT_EQ(second->backend(b.id, 1), &b);
  EXPECT_EQ(second->backend(first->vips[0].backends[0].id, 0), nullptr);
}

TEST(StateBuilder, ANeighbourLearntChangesOnlyTheNextHopTable) {
  StateBuilder builder(kQuarantineMs);
  std::vector<std::string> errors;
  const config::Config c = config_with_vips(0, 3);
  NeighborCache neighbors;
  neighbors.configure(StateBuilder::next_hops(c), {});
  auto first = builder.build(c, {kPortMac}, neighbors, 1, 1000, errors);
  ASSERT_TRUE(first);
  const BackendEntry& b = first->vips[2].backends[1];
  EXPECT_FALSE(first->next_hop(b).resolved);

  const MacAddress mac{{2, 0, 0, 0, 0, 0x16}};
  ASSERT_TRUE(neighbors.learn(b.address, mac, 1500));
  auto second = builder.build(c, {kPortMac}, neighbors, 2, 2000, errors);
  ASSERT_TRUE(second);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(entry_of(*second, i), entry_of(*first, i));
  EXPECT_TRUE(second->next_hop(second->vips[0].backends[1]).resolved);
  EXPECT_EQ(second->next_hop(second->vips[0].backends[1]).mac, mac) << "one next hop, shared";
  EXPECT_FALSE(second->next_hop(second->vips[0].backends[0]).resolved);
  EXPECT_FALSE(first->next_hop(b).resolved) << "a published snapshot never changes";

  ASSERT_TRUE(neighbors.learn(b.address, MacAddress{{2, 0, 0, 0, 0, 0x17}}, 2500));
  auto third = builder.build(c, {kPortMac}, neighbors, 3, 3000, errors);
  EXPECT_EQ(third->next_hop(third->vips[1].backends[1]).mac, (MacAddress{{2, 0, 0, 0, 0, 0x17}}));
  EXPECT_TRUE(errors.empty());
}

TEST(StateBuilder, WithNeighborsIsTheLastSnapshotWithTheNextHopsOfNow) {
  StateBuilder builder(kQuarantineMs);
  std::vector<std::string> errors;
  const config::Config c = config_with_vips(0, 2);
  NeighborCache neighbors;
  neighbors.configure(StateBuilder::next_hops(c), {});
  EXPECT_FALSE(builder.with_neighbors(neighbors, 1)) << "nothing built yet";
  auto first = builder.build(c, {kPortMac}, neighbors, 1, 1000, errors);
  ASSERT_TRUE(first);
  const MacAddress mac{{2, 0, 0, 0, 0, 0x15}};
  neighbors.learn(IpAddress::v4(0x0a000015u), mac, 1500);
  auto second = builder.with_neighbors(neighbors, 2);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->generation, 2u);
  EXPECT_EQ(entry_of(*second, 1), entry_of(*first, 1));
  EXPECT_EQ(second->next_hop(second->vips[1].backends[0]).mac, mac);
  EXPECT_TRUE(second->next_hop(second->vips[1].backends[0]).resolved);
  EXPECT_FALSE(second->next_hop(second->vips[1].backends[1]).resolved);
  EXPECT_EQ(second->ports.size(), 1u);
  const VipKey k = first->vips[1].key;
  EXPECT_EQ(second->vip_table.find(k.address, k.protocol, k.port), 1u);
  EXPECT_TRUE(second->vip_addresses.contains(k.address));
  EXPECT_TRUE(second->local_addresses.contains(IpAddress::v4(0x0a00000au)));
  EXPECT_EQ(second->backend(first->vips[1].backends[0].id, 1), &second->vips[1].backends[0]);
}

TEST(StateBuilder, ANextHopNoLongerUsedIsFreedAndItsSlotReused) {
  StateBuilder builder(kQuarantineMs);
  std::vector<std::string> errors;
  config::Config c = config_with_vips(0, 1);
  NeighborCache neighbors;
  auto first = builder.build(c, {kPortMac}, neighbors, 1, 1000, errors);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->next_hops.size(), 3u) << "kNoNextHop and the two backends";
  const uint32_t slot = first->vips[0].backends[1].next_hop;
  c.vips[0].backends[1].address = IpAddress::v4(0x0a000017u);
  auto second = builder.build(c, {kPortMac}, neighbors, 2, 2000, errors);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->next_hops.size(), 4u) << "the new one is taken before the old is freed";
  EXPECT_EQ(second->vips[0].backends[0].next_hop, first->vips[0].backends[0].next_hop);
  c.vips[0].backends[1].address = IpAddress::v4(0x0a000018u);
  auto third = builder.build(c, {kPortMac}, neighbors, 3, 3000, errors);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->next_hops.size(), 4u);
  EXPECT_EQ(third->vips[0].backends[1].next_hop, slot) << "the freed slot, reused";
}

TEST(StateBuilder, AChangeOfThePortsRebuildsEveryVip) {
  StateBuilder builder(kQuarantineMs);
  std::vector<std::string> errors;
  config::Config c = config_with_vips(0, 2);
  auto first = build(builder, c, 1000, errors);
  c.ports[0].mtu = 9000;
  auto second = build(builder, c, 2000, errors);
  ASSERT_TRUE(first && second);
  EXPECT_NE(entry_of(*second, 0), entry_of(*first, 0));
  EXPECT_EQ(second->vips[1].mtu, 9000);
  EXPECT_EQ(second->vips[1].id, first->vips[1].id);
}

TEST(StateBuilder, TheNeighborCacheIsReconfiguredOnlyForOtherNextHops) {
  const config::Config c = config_with_vips(0, 2);
  config::Config other = c;
  other.vips[1].backends[0].state = config::BackendState::kMaint;
  other.vips[0].backends[1].weight = 7;
  EXPECT_TRUE(StateBuilder::same_neighbors(c, other)) << "states and weights: same next hops";
  other.vips[1].backends[1].address = IpAddress::v4(0x0a000017u);
  EXPECT_FALSE(StateBuilder::same_neighbors(c, other));
  other = c;
  other.ports[0].gateway = IpAddress::v4(0x0a000001u);
  EXPECT_FALSE(StateBuilder::same_neighbors(c, other));
  other = c;
  other.neighbors.push_back({IpAddress::v4(0x0a000015u), kPortMac});
  EXPECT_FALSE(StateBuilder::same_neighbors(c, other));
  other = c;
  other.vips.pop_back();
  EXPECT_FALSE(StateBuilder::same_neighbors(c, other));
}

TEST(NeighborCache, TellsWhichAddressesChangedSinceAChangeNumber) {
  NeighborCache cache;
  const IpAddress a = IpAddress::v4(0x0a000015u), b = IpAddress::v4(0x0a000016u);
  cache.configure({a, b}, {});
  const uint64_t seen = cache.change_count();
  EXPECT_EQ(cache.changed_since(seen), std::vector<IpAddress>{});
  EXPECT_FALSE(cache.changed_since(seen - 1)) << "configure() changed the set";
  cache.learn(b, kPortMac, 10);
  cache.learn(b, kPortMac, 20);  // the same MAC: no change
  cache.learn(a, kPortMac, 30);
  EXPECT_EQ(cache.changed_since(seen), (std::vector<IpAddress>{b, a}));
  EXPECT_EQ(cache.changed_since(seen + 1), std::vector<IpAddress>{a});
  EXPECT_FALSE(cache.changed_since(seen + 3)) << "a number this cache never had";
}

}  // namespace
}  // namespace sluice
