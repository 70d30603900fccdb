// SPDX-License-Identifier: BSD-3-Clause
#include "runtime/kernel_drops.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace sluice {
namespace {

using ::testing::Contains;
using ::testing::Optional;

TEST(KernelDrops, TxDroppedOfOneInterface) {
  constexpr const char* kNetDev =
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
      "drop fifo colls carrier compressed\n"
      "    lo:  113895    1903    0    0    0     0          0         0   113895    1903    0 "
      "   0    0     0       0          0\n"
      "sl-lan0: 500 7 0 3 0 0 0 0 900 11 1 42 0 0 0 0\n";
  EXPECT_THAT(tx_dropped(kNetDev, "sl-lan0"), Optional(42u));
  EXPECT_THAT(tx_dropped(kNetDev, "lo"), Optional(0u));
  EXPECT_EQ(tx_dropped(kNetDev, "sl-lan"), std::nullopt);
  EXPECT_EQ(tx_dropped("eth0: 1 2 3\n", "eth0"), std::nullopt);  // cut short
}

// In a network namespace of the test's own (gone when the test process exits): a packet
// socket on lo that reads nothing while frames pour in.
TEST(KernelDrops, PacketSocketDropsFoundCountedAndReset) {
  if (unshare(CLONE_NEWNET) != 0) GTEST_SKIP() << "no network namespace of our own (root?)";
  const int control = socket(AF_INET, SOCK_DGRAM, 0);
  ifreq ifr{};
  std::strcpy(ifr.ifr_name, "lo");
  ASSERT_EQ(ioctl(control, SIOCGIFFLAGS, &ifr), 0);
  ifr.ifr_flags = short(ifr.ifr_flags | IFF_UP);
  ASSERT_EQ(ioctl(control, SIOCSIFFLAGS, &ifr), 0);
  close(control);
  const unsigned lo = if_nametoindex("lo");

  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_ifindex = int(lo);
  address.sll_protocol = htons(ETH_P_ALL);
  const int reader = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
  ASSERT_GE(reader, 0);
  const int small = 4096;
  setsockopt(reader, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  ASSERT_EQ(bind(reader, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const int writer = socket(AF_PACKET, SOCK_RAW, 0);  // protocol 0: receives nothing
  address.sll_protocol = 0;
  ASSERT_EQ(bind(writer, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);

  EXPECT_THAT(packet_sockets(lo), Contains(reader));
  EXPECT_EQ(take_packet_drops({reader}), 0u);
  constexpr int kFrames = 300;
  uint8_t frame[60] = {};
  frame[12] = 0x88;  // a local experimental ethertype: no protocol takes it
  frame[13] = 0xb5;
  for (int i = 0; i < kFrames; ++i)
    ASSERT_EQ(send(writer, frame, sizeof frame, 0), ssize_t(sizeof frame));
  uint64_t read = 0;
  while (recv(reader, frame, sizeof frame, 0) > 0) ++read;
  const uint64_t dropped = take_packet_drops({reader});
  // lo shows the reader every frame twice, going out and coming in.
  EXPECT_GT(dropped, 0u);
  EXPECT_EQ(read + dropped, 2u * kFrames);
  EXPECT_EQ(take_packet_drops({reader}), 0u);  // reading resets the kernel's count
  close(reader);
  close(writer);
}

}  // namespace
}  // namespace sluice
