// SPDX-License-Identifier: BSD-3-Clause
// MaglevCache: a table is built once per backend set and shared; its slots are what a
// direct build gives, pointed at the VIP's backend indices.
#include "state/maglev_cache.h"

#include <gtest/gtest.h>

#include <optional>

#include "lb/maglev.h"
#include "state/state_builder.h"

namespace sluice {
namespace {

MaglevRing ring_of(std::initializer_list<uint32_t> hosts, uint32_t weight = 1) {
  MaglevRing ring{65537, {}};
  uint16_t index = 0;
  for (uint32_t host : hosts)
    ring.members.push_back({IpAddress::v4(0x0a000000u + host), weight, index++});
  return ring;
}

TEST(MaglevCache, SlotsAreTheDirectBuildPointedAtTheBackendIndices) {
  MaglevCache cache;
  MaglevRing ring = ring_of({21, 22, 23});
  // The second backend of the VIP is in maint: the ring's members are backends 0 and 2.
  ring.members.erase(ring.members.begin() + 1);
  ring.members[1].backend_index = 2;
  const MaglevTable& table = cache.table(ring);
  const std::vector<MaglevBackend> direct_backends = {{"10.0.0.21", 1}, {"10.0.0.23", 1}};
  const std::vector<uint16_t> direct = build_maglev_table(direct_backends, 65537);
  ASSERT_EQ(table.size(), direct.size());
  const uint16_t to_index[] = {0, 2};
  for (size_t slot = 0; slot < direct.size(); ++slot)
    ASSERT_EQ(table[slot], to_index[direct[slot]]) << "slot " << slot;
}

TEST(MaglevCache, TheSameBackendSetIsBuiltOnceAndShared) {
  MaglevCache cache;
  const uint16_t* first = cache.table(ring_of({1, 2, 3})).data();
  EXPECT_EQ(cache.table(ring_of({1, 2, 3})).data(), first);
  EXPECT_EQ(cache.builds(), 1u);
  EXPECT_NE(cache.table(ring_of({1, 2, 3}, 2)).data(), first) << "other weights";
  MaglevRing other_size = ring_of({1, 2, 3});
  other_size.table_size = 7;
  EXPECT_EQ(cache.table(other_size).size(), 7u);
  EXPECT_EQ(cache.builds(), 3u);
}

TEST(MaglevCache, KeepsOnlyTheTablesSomethingElseHolds) {
  MaglevCache cache;
  cache.table(ring_of({1, 2}));
  std::optional<MaglevTable> held = cache.table(ring_of({1, 2, 3}));  // a VIP entry's copy
  cache.retain_used();
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.table(ring_of({1, 2, 3})).data(), held->data());
  EXPECT_EQ(cache.builds(), 2u);
  const MaglevTable snapshot_copy = *held;
  held.reset();
  cache.retain_used();
  EXPECT_EQ(cache.size(), 1u) << "a snapshot still holds it";
  EXPECT_EQ(snapshot_copy.size(), 65537u);
}

TEST(MaglevCache, ForgetsATableOnceNothingElseHoldsIt) {
  MaglevCache cache;
  std::optional<MaglevTable> held = cache.table(ring_of({1, 2}));
  held.reset();
  cache.retain_used();
  EXPECT_EQ(cache.size(), 0u);
  cache.table(ring_of({1, 2}));
  EXPECT_EQ(cache.builds(), 2u) << "built again";
}

config::Config two_vips_on_one_pool() {
  config::Config c;
  config::Port port;
  port.name = "lan0";
  port.device = "net_null0";
  port.addresses = {*IpPrefix::parse("10.0.0.10/16")};
  c.ports.push_back(port);
  for (uint32_t i = 0; i < 2; ++i) {
    config::Vip v;
    v.name = "vip" + std::to_string(i);
    v.address = IpAddress::v4(0x0a010000u + i);
    v.port = 80;
    v.backends = {{IpAddress::v4(0x0a000015u), 1, config::BackendState::kReady},
                  {IpAddress::v4(0x0a000016u), 1, config::BackendState::kReady}};
    c.vips.push_back(v);
  }
  return c;
}

TEST(MaglevCache, SnapshotsShareTablesUntilABackendSetChanges) {
  StateBuilder builder(900'000);
  std::vector<std::string> errors;
  config::Config c = two_vips_on_one_pool();
  const MacAddress mac{{2, 0, 0, 0, 0, 1}};
  auto first = builder.build(c, {mac}, NeighborCache{}, 1, 1000, errors);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->vips[0].maglev.data(), first->vips[1].maglev.data())
      << "two VIPs on the same backends";
  c.vips[1].backends[1].state = config::BackendState::kDrain;
  auto second = builder.build(c, {mac}, NeighborCache{}, 2, 2000, errors);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->vips[0].maglev.data(), first->vips[0].maglev.data());
  EXPECT_NE(second->vips[1].maglev.data(), first->vips[1].maglev.data());
  for (size_t slot = 0; slot < second->vips[1].maglev.size(); ++slot)
    ASSERT_EQ(second->vips[1].maglev[slot], 0u) << "only backend 0 takes new flows";
  EXPECT_TRUE(errors.empty());
}

}  // namespace
}  // namespace sluice
