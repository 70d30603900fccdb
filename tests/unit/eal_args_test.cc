// SPDX-License-Identifier: BSD-3-Clause
#include "runtime/eal_args.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sluice {
namespace {

using ::testing::ElementsAre;

TEST(EalArgs, VdevsWithoutHugepages) {
  config::Config c;
  c.dataplane.worker_lcores = {1, 2};
  c.dataplane.hugepages = false;
  c.dataplane.memory_mb = 256;
  c.dataplane.file_prefix = "t1";
  c.dataplane.eal_args = {"--log-level=pmd.net.pcap:debug"};
  config::Port p;
  p.device = "net_af_packet0,iface=veth0";
  c.ports.push_back(p);
  EXPECT_THAT(eal_arguments(c),
              ElementsAre("sluice-dataplane", "-l", "0,1,2", "--main-lcore=0", "--file-prefix=t1",
                          "--no-huge", "-m", "256", "--vdev=net_af_packet0,iface=veth0", "--no-pci",
                          "--log-level=lib.eal:notice", "--log-level=pmd.net.pcap:debug"));
}

TEST(EalArgs, PciDeviceIsAllowListed) {
  config::Config c;
  c.dataplane.main_lcore = 1;
  c.dataplane.worker_lcores = {2};
  config::Port p;
  p.device = "0000:3b:00.0";
  c.ports.push_back(p);
  EXPECT_THAT(eal_arguments(c),
              ElementsAre("sluice-dataplane", "-l", "1,2", "--main-lcore=1", "--file-prefix=sluice",
                          "-m", "1024", "-a", "0000:3b:00.0", "--log-level=lib.eal:notice"));
}

TEST(EalArgs, XdpExceptionPathLoadsTheSteeringObject) {
  config::Config c;
  c.dataplane.file_prefix = "lb1";
  config::Port p;
  p.device = "net_af_xdp0,iface=eth1";
  p.exception_path = config::ExceptionPath::kXdp;
  c.ports.push_back(p);
  EXPECT_THAT(
      eal_arguments(c),
      ElementsAre("sluice-dataplane", "-l", "0,1", "--main-lcore=0", "--file-prefix=lb1", "-m",
                  "1024", "--vdev=net_af_xdp0,iface=eth1,xdp_prog=/run/sluice/lb1-steering.bpf.o",
                  "--no-pci", "--log-level=lib.eal:notice"));
}

TEST(EalArgs, LcoresInEalArgsReplaceTheLcoreList) {
  config::Config c;
  c.dataplane.worker_lcores = {1, 2};
  c.dataplane.file_prefix = "t2";
  c.dataplane.eal_args = {"--lcores=0@0,1@1,2@1"};
  config::Port p;
  p.device = "net_null0";
  c.ports.push_back(p);
  EXPECT_THAT(eal_arguments(c),
              ElementsAre("sluice-dataplane", "--main-lcore=0", "--file-prefix=t2", "-m", "1024",
                          "--vdev=net_null0", "--no-pci", "--log-level=lib.eal:notice",
                          "--lcores=0@0,1@1,2@1"));
}

TEST(VdevArgument, FindsTheKeyExactly) {
  EXPECT_EQ(vdev_argument("net_af_xdp0,iface=eth1,start_queue=0", "iface"), "eth1");
  EXPECT_EQ(vdev_argument("net_af_xdp0,start_queue=0,iface=eth1", "iface"), "eth1");
  EXPECT_EQ(vdev_argument("net_af_xdp0,ifaces=eth1", "iface"), std::nullopt);
  EXPECT_EQ(vdev_argument("net_af_xdp0", "iface"), std::nullopt);
  EXPECT_EQ(vdev_argument("net_af_xdp0,iface=", "iface"), std::nullopt);
}

TEST(EthdevName, VdevNameOrFullPciAddress) {
  EXPECT_EQ(ethdev_name("net_pcap0,rx_pcap=a.pcap,tx_pcap=b.pcap"), "net_pcap0");
  EXPECT_EQ(ethdev_name("net_null0"), "net_null0");
  EXPECT_EQ(ethdev_name("3b:00.0"), "0000:3b:00.0");
  EXPECT_EQ(ethdev_name("0000:3b:00.0"), "0000:3b:00.0");
}

}  // namespace
}  // namespace sluice
