// SPDX-License-Identifier: BSD-3-Clause
#include "state/steering_entries.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sluice {
namespace {

using ::testing::ElementsAre;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

config::Vip vip(const char* address, uint8_t protocol, uint16_t port, bool active = true) {
  config::Vip v;
  v.address = ip(address);
  v.protocol = protocol;
  v.port = port;
  v.active = active;
  return v;
}

TEST(SteeringEntries, ActiveVipsAndThePortsOwnAddresses) {
  config::Config c;
  c.vips = {vip("10.0.0.100", config::kProtocolTcp, 80),
            vip("10.0.0.100", config::kProtocolTcp, 443),
            vip("2001:db8::100", config::kProtocolUdp, 0),
            vip("10.0.0.200", config::kProtocolTcp, 80, /*active=*/false)};
  config::Port lan, wan;
  lan.addresses = {*IpPrefix::parse("10.0.0.10/24")};
  wan.addresses = {*IpPrefix::parse("192.0.2.10/24"), *IpPrefix::parse("2001:db8::10/64")};
  c.ports = {lan, wan};

  const SteeringEntries e = steering_entries(c, 1);
  EXPECT_THAT(e.services, ElementsAre(SteeredService{ip("10.0.0.100"), kProtocolIcmp, 0},
                                      SteeredService{ip("10.0.0.100"), config::kProtocolTcp, 80},
                                      SteeredService{ip("10.0.0.100"), config::kProtocolTcp, 443},
                                      SteeredService{ip("192.0.2.10"), kProtocolIcmp, 0},
                                      SteeredService{ip("2001:db8::10"), kProtocolIcmpv6, 0},
                                      SteeredService{ip("2001:db8::100"), config::kProtocolUdp, 0},
                                      SteeredService{ip("2001:db8::100"), kProtocolIcmpv6, 0}));
  EXPECT_THAT(e.addresses, ElementsAre(ip("10.0.0.100"), ip("192.0.2.10"), ip("2001:db8::10"),
                                       ip("2001:db8::100")));
}

// The backends answer fullnat connections at the [nat] local addresses: TCP, UDP, their
// ICMP errors (looked up by the quoted source, the local address) and ARP/ND.
TEST(SteeringEntries, NatLocalAddressesTakeEveryAnswer) {
  config::Config c;
  c.ports.resize(1);
  c.nat.local_addresses = {ip("10.0.0.50"), ip("2001:db8::50")};
  const SteeringEntries e = steering_entries(c, 0);
  EXPECT_THAT(e.services, ElementsAre(SteeredService{ip("10.0.0.50"), kProtocolIcmp, 0},
                                      SteeredService{ip("10.0.0.50"), config::kProtocolTcp, 0},
                                      SteeredService{ip("10.0.0.50"), config::kProtocolUdp, 0},
                                      SteeredService{ip("2001:db8::50"), config::kProtocolTcp, 0},
                                      SteeredService{ip("2001:db8::50"), config::kProtocolUdp, 0},
                                      SteeredService{ip("2001:db8::50"), kProtocolIcmpv6, 0}));
  EXPECT_THAT(e.addresses, ElementsAre(ip("10.0.0.50"), ip("2001:db8::50")));
}

TEST(SteeringEntries, InactiveVipsAreTheKernelsAndOtherPortsAddressesAreLeftOut) {
  config::Config c;
  c.vips = {vip("10.0.0.200", config::kProtocolTcp, 80, /*active=*/false)};
  config::Port lan;
  lan.addresses = {*IpPrefix::parse("10.0.0.10/24")};
  c.ports = {lan, config::Port{}};
  EXPECT_EQ(steering_entries(c, 1), SteeringEntries{});
  EXPECT_THAT(steering_entries(c, 0).addresses, ElementsAre(ip("10.0.0.10")));
}

}  // namespace
}  // namespace sluice
