// SPDX-License-Identifier: BSD-3-Clause
// sluice-pktgen's own arguments and their summary line.
#include <gtest/gtest.h>

#include "options.h"
#include "summary.h"

namespace sluice::pktgen {
namespace {

OptionsResult parse(std::vector<std::string> args) { return parse_options(args); }

TEST(PktgenOptions, Counts) {
  EXPECT_EQ(parse_count("14880952"), 14880952u);
  EXPECT_EQ(parse_count("10M"), 10'000'000u);
  EXPECT_EQ(parse_count("2.5k"), 2500u);
  EXPECT_EQ(parse_count("1G"), 1'000'000'000u);
  EXPECT_EQ(parse_count("0"), 0u);
  EXPECT_FALSE(parse_count(""));
  EXPECT_FALSE(parse_count("1.5"));
  EXPECT_FALSE(parse_count("10X"));
  EXPECT_FALSE(parse_count("-1"));
  EXPECT_FALSE(parse_count("M"));
}

TEST(PktgenOptions, EveryOption) {
  const OptionsResult r = parse({"--flows",       "proto=tcp,dst=10.0.0.1,flows=64",
                                 "--rate",        "5M",
                                 "--count",       "1000",
                                 "--burst",       "64",
                                 "--tx-port",     "1",
                                 "--rx-port",     "2",
                                 "--drain-ms",    "50",
                                 "--gue-port",    "7000",
                                 "--flow-counts", "--descriptors",
                                 "2048",          "--mbufs",
                                 "8192"});
  ASSERT_TRUE(r.options) << r.error;
  const Options& o = *r.options;
  EXPECT_EQ(o.flows.flows, 64u);
  EXPECT_EQ(o.rate, 5'000'000u);
  EXPECT_EQ(o.count, 1000u);
  EXPECT_EQ(o.burst, 64u);
  EXPECT_EQ(o.tx_port, 1);
  EXPECT_EQ(o.rx_port, 2);
  EXPECT_EQ(o.drain_ms, 50u);
  EXPECT_EQ(o.gue_port, 7000);
  EXPECT_TRUE(o.flow_counts);
  EXPECT_TRUE(o.receive);
  EXPECT_EQ(o.descriptors, 2048u);
  EXPECT_EQ(o.mbufs, 8192u);
}

TEST(PktgenOptions, TheRxPortIsTheTxPortUnlessGiven) {
  const OptionsResult r =
      parse({"--flows", "dst=10.0.0.1", "--tx-port", "3", "--no-rx", "--duration", "2.5"});
  ASSERT_TRUE(r.options) << r.error;
  EXPECT_EQ(r.options->rx_port, 3);
  EXPECT_FALSE(r.options->receive);
  EXPECT_EQ(r.options->duration, 2.5);
}

TEST(PktgenOptions, Errors) {
  EXPECT_EQ(parse({}).error, "--flows SPEC is required (see --help)");
  EXPECT_EQ(parse({"--flows", "flows=2"}).error,
            "flow spec: dst (the destination address) is required");
  EXPECT_EQ(parse({"--flows", "dst=10.0.0.1", "--rate"}).error,
            "--rate needs a value (see --help)");
  EXPECT_EQ(parse({"--flows", "dst=10.0.0.1", "--burst", "0"}).error,
            "--burst 0: not a number from 1 to 512");
  EXPECT_EQ(parse({"--flows", "dst=10.0.0.1", "--count", "many"}).error,
            "--count many: not a number from 1 to 1152921504606846976");
  EXPECT_EQ(parse({"--flows", "dst=10.0.0.1", "--duration", "0"}).error,
            "--duration 0: not a number of seconds from 0 to 1000000");
  EXPECT_EQ(parse({"--flows", "dst=10.0.0.1", "--speed", "1"}).error,
            "unknown option --speed (see --help)");
  EXPECT_TRUE(parse({"--flows", "dst=10.0.0.1", "--help"}).help);
}

TEST(PktgenSummary, JsonAndHumanLines) {
  Totals t;
  t.tsc_hz = 1'000'000'000;
  t.tx_cycles = 500'000'000;
  t.tx_packets = 1000;
  t.tx_bytes = 60000;
  t.rx_packets = 999;
  t.rx_stamped = 998;
  t.latency.add(2000);
  t.latency.add(3000);
  BackendKey mac{0, {0x02, 0, 0, 0, 0, 0x31}};
  BackendKey tunnel{4, {10, 0, 1, 7}};
  merge_backends(t.backends, {{mac, 400}, {tunnel, 500}});
  merge_backends(t.backends, {{mac, 99}});
  t.flow_counts = true;
  t.flows = 10;
  t.flows_seen = 9;
  t.flow_min = 0;
  t.flow_max = 120;
  EXPECT_EQ(
      to_json(t),
      "{\"tx_packets\":1000,\"tx_bytes\":60000,\"tx_seconds\":0.500000,\"tx_pps\":2000,"
      "\"tx_alloc_failures\":0,\"tx_unsent\":0,\"rx_packets\":999,\"rx_stamped\":998,"
      "\"rx_foreign_flow\":0,\"latency_ns\":{\"count\":2,\"min\":2000,\"mean\":2500,"
      "\"p50\":2047,\"p99\":3000,\"p999\":3000,\"max\":3000},"
      "\"backends\":{\"ip:10.0.1.7\":500,\"mac:02:00:00:00:00:31\":499},"
      "\"backend_overflow\":0,\"flows\":10,\"flows_seen\":9,\"flow_min\":0,\"flow_max\":120}");
  EXPECT_EQ(to_human(t),
            "sluice-pktgen: sent 1000 in 0.500 s (0.002 Mpps), received 999 (998 stamped) from 2 "
            "backends, latency p50 2.0 us p99 3.0 us, 9 of 10 flows seen, 0..120 frames each");
}

}  // namespace
}  // namespace sluice::pktgen
